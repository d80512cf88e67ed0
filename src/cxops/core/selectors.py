"""Reads for workspaces and members, always from the point of view of one user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cxops.core.models import AuditEvent, Membership, Role, Team, User, Workspace


def workspaces_for_user(*, user: User) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user, memberships__is_active=True).order_by("name")


def membership_get(*, user: User, workspace_slug: str) -> Membership:
    """The user's active membership in the workspace; 404 (never 403) so other tenants stay invisible."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__slug=workspace_slug, is_active=True)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def members_list(*, workspace: Workspace, include_viewers: bool = False) -> QuerySet[Membership]:
    qs = Membership.objects.filter(workspace=workspace, is_active=True).select_related("user")
    if not include_viewers:
        qs = qs.exclude(role=Role.CLIENT_VIEWER)
    return qs.order_by("user__display_name", "user__email")


def teams_list(*, workspace: Workspace) -> QuerySet[Team]:
    return Team.objects.filter(workspace=workspace).prefetch_related("members__user")


def audit_events(*, workspace: Workspace, object_type: str | None = None, object_id: str | None = None,
                 actor_id: int | None = None) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.filter(workspace=workspace).select_related("actor")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs
