"""The routing setup of a workspace, compiled once per process: routing a new ticket costs no query.

Every new ticket is routed inside its own write transaction, so the active rules, the default team
and the category tree are read once and kept until a change to any of them bumps the version
(`cxops.core.versioned`). Signals catch every way they change — the services, the admin, a team or
category deleted — so nothing has to remember to invalidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.signals import m2m_changed

from cxops.core.versioned import VersionedCache


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: int
    name: str
    team_id: int
    channels: frozenset[str]
    types: frozenset[str]
    category_ids: frozenset[int]

    def matches(self, *, channel: str, ticket_type: str, category_id: int | None,
                category_parent_id: int | None) -> bool:
        if self.channels and channel not in self.channels:
            return False
        if self.types and ticket_type not in self.types:
            return False
        return not (self.category_ids and category_id not in self.category_ids
                    and category_parent_id not in self.category_ids)


@dataclass(frozen=True, slots=True)
class RoutingTable:
    rules: tuple[CompiledRule, ...]
    default_team_id: int | None
    category_parents: dict[int, int | None]

    def route(self, *, channel: str, ticket_type: str, category_id: int | None) -> tuple[int | None, str]:
        parent_id = self.category_parents.get(category_id) if category_id else None
        for rule in self.rules:
            if rule.matches(channel=channel, ticket_type=ticket_type, category_id=category_id,
                            category_parent_id=parent_id):
                return rule.team_id, f"라우팅 규칙 '{rule.name}'"
        if self.default_team_id:
            return self.default_team_id, "기본 팀"
        return None, ""


def _load(workspace_id: int, version: str) -> RoutingTable:
    from cxops.assignment.models import AssignmentSettings, RoutingRule
    from cxops.tickets.models import Category

    rules = tuple(
        CompiledRule(id=r.pk, name=r.name, team_id=r.team_id, channels=frozenset(r.channels or ()),
                     types=frozenset(r.types or ()), category_ids=frozenset(c.pk for c in r.categories.all()))
        for r in RoutingRule.objects.filter(workspace_id=workspace_id, is_active=True)
        .prefetch_related("categories").order_by("position", "id")
    )
    default = AssignmentSettings.objects.filter(workspace_id=workspace_id).values_list(
        "default_team_id", flat=True).first()
    parents: dict[int, int | None] = dict(
        Category.objects.filter(workspace_id=workspace_id).values_list("pk", "parent_id"))
    return RoutingTable(rules=rules, default_team_id=default, category_parents=parents)


_tables: VersionedCache[RoutingTable] = VersionedCache("routing", _load)


def table_for(workspace_id: int) -> RoutingTable:
    return _tables.get(workspace_id)


def _rule_categories_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    _tables.invalidate(instance.workspace_id)  # a rule or a category, depending on the side changed


def connect_signals() -> None:
    from cxops.assignment.models import AssignmentSettings, RoutingRule
    from cxops.core.models import Team
    from cxops.tickets.models import Category

    _tables.invalidate_on_change(RoutingRule, AssignmentSettings, Category, Team)
    m2m_changed.connect(_rule_categories_changed, sender=RoutingRule.categories.through,
                        dispatch_uid="routing-rule-categories")
