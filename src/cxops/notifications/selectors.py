"""Reads of the notification center, always for one member."""

from __future__ import annotations

from django.db.models import QuerySet

from cxops.core.models import ROLE_RANK, Membership, Role, Team, Workspace
from cxops.notifications.models import Notification


def notifications_for(*, membership: Membership, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=membership)
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
