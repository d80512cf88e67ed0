"""Template filters of complaint handling."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def won(amount: Any) -> str:
    """50000 → "₩50,000" (integer won)."""
    try:
        return f"₩{int(amount):,}"
    except (TypeError, ValueError):
        return ""
