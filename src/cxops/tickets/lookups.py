"""The small per-workspace lists every agent page shows as choices — categories, products, teams,
members, workspace statuses — read once per process and kept until one of them changes.

The inbox and the ticket page offer all of them as filters and properties; read on every page they
were five queries of the page's dozen. A change to any of them bumps the workspace's version
(`cxops.core.versioned`), caught by signals so that no writer has to remember it. Only plain ids and
names are kept; labels that depend on the request's language are built when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_save

from cxops.core.versioned import VersionedCache


@dataclass(frozen=True, slots=True)
class WorkspaceLookups:
    categories: tuple[tuple[int, str], ...]  # parents first, each followed by its children as "부모 › 자식"
    products: tuple[tuple[int, str], ...]  # active products
    teams: tuple[tuple[int, str], ...]
    members: tuple[tuple[int, str], ...]  # (user id, label) of active members who may work tickets
    statuses: tuple[tuple[int, str, str], ...]  # (id, base status, name) of the workspace's own statuses


def _load(workspace_id: int, version: str) -> WorkspaceLookups:
    from cxops.core.models import Membership, Role, Team
    from cxops.tickets.models import Category, Product, WorkspaceStatus

    rows = list(Category.objects.filter(workspace_id=workspace_id)
                .order_by("parent__position", "parent_id", "position", "name").values_list("pk", "parent_id", "name"))
    names = {pk: name for pk, _parent, name in rows}
    children: dict[int, list[tuple[int, str]]] = {}
    for pk, parent_id, name in rows:
        if parent_id is not None:
            children.setdefault(parent_id, []).append((pk, f"{names.get(parent_id, '')} › {name}"))
    categories: list[tuple[int, str]] = []
    for pk, parent_id, name in rows:
        if parent_id is None:
            categories.append((pk, name))
            categories += children.get(pk, [])
    members = (Membership.objects.filter(workspace_id=workspace_id, is_active=True)
               .exclude(role=Role.CLIENT_VIEWER).select_related("user").order_by("user__display_name", "user__email"))
    return WorkspaceLookups(
        categories=tuple(categories),
        products=tuple(Product.objects.filter(workspace_id=workspace_id, is_active=True).values_list("pk", "name")),
        teams=tuple(Team.objects.filter(workspace_id=workspace_id).order_by("name").values_list("pk", "name")),
        members=tuple((m.user_id, m.user.label) for m in members),
        statuses=tuple(WorkspaceStatus.objects.filter(workspace_id=workspace_id)
                       .values_list("pk", "base_status", "name")),
    )


_lookups: VersionedCache[WorkspaceLookups] = VersionedCache("lookups", _load)


def lookups_for(workspace_id: int) -> WorkspaceLookups:
    return _lookups.get(workspace_id)


def invalidate(workspace_id: int) -> None:
    """For writers that send no signals (bulk_create, queryset update)."""
    _lookups.invalidate(workspace_id)


def _user_changed(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a sign-in changes no label
    from cxops.core.models import Membership

    for workspace_id in Membership.objects.filter(user_id=instance.pk).values_list("workspace_id", flat=True):
        _lookups.invalidate(workspace_id)


def connect_signals() -> None:
    from cxops.core.models import Membership, Team, User
    from cxops.tickets.models import Category, Product, WorkspaceStatus

    _lookups.invalidate_on_change(Category, Product, Team, Membership, WorkspaceStatus)
    post_save.connect(_user_changed, sender=User, dispatch_uid="lookups-user-save")
