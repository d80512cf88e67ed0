"""Reads of the notification center, always for one member."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from cxops.core.models import ROLE_RANK, Membership, Role, Team, Workspace
from cxops.notifications.models import Notification


def notifications_for(*, membership: Membership, unread_only: bool = False,
                      kind_prefix: str = "") -> QuerySet[Notification]:
    """The member's notifications, newest first; `kind_prefix` keeps one source (e.g. "collab.")."""
    qs = Notification.objects.filter(recipient=membership)
    if kind_prefix:
        qs = qs.filter(kind__startswith=kind_prefix)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, membership: Membership) -> int:
    return Notification.objects.filter(recipient=membership, read_at__isnull=True).count()


def leads_for(*, workspace: Workspace, team: Team | None = None) -> list[Membership]:
    """Who hears about escalations: the team's leads and up, else every active lead, manager and
    admin of the workspace."""
    lead_roles = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.LEAD]]
    base = Membership.objects.filter(workspace=workspace, is_active=True, role__in=lead_roles).select_related("user")
    if team is not None and team.workspace_id == workspace.pk:
        in_team = list(base.filter(teams=team).order_by("id"))
        if in_team:
            return in_team
    return list(base.order_by("id"))


def members_by_email(*, workspace: Workspace, addresses: Iterable[str]) -> tuple[list[Membership], list[str]]:
    """Split email addresses into the active members of the workspace they belong to and the
    addresses of no member (lower-cased, each once), so members can be reached in the app."""
    wanted = list(dict.fromkeys(a.strip().lower() for a in addresses if "@" in a))
    if not wanted:
        return [], []
    match = Q()
    for address in wanted:
        match |= Q(user__email__iexact=address)
    members = list(Membership.objects.filter(match, workspace=workspace, is_active=True)
                   .select_related("user").order_by("id"))
    known = {m.user.email.lower() for m in members}
    return members, [a for a in wanted if a not in known]
