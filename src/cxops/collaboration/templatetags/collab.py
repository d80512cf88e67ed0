"""`{% upcoming_changes_for membership as rows %}` for the "다가오는 변경" block (any agent page)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def upcoming_changes_for(membership: Any, days: int = 14) -> list[Any]:
    if membership is None:
        return []
    from cxops.collaboration.selectors import upcoming_changes

    return list(upcoming_changes(membership=membership, days=days)[:10])
