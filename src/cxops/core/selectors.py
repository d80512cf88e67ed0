"""Reads for workspaces and members, always from the point of view of one user."""

from __future__ import annotations

from typing import Any

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


def member_get(*, workspace: Workspace, membership_id: int) -> Membership:
    """One membership of the workspace (active or not); 404 for any other workspace's row."""
    membership = Membership.objects.select_related("user").filter(workspace=workspace, pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


def invitations_pending(*, workspace: Workspace) -> QuerySet[Any]:
    from django.utils import timezone

    from cxops.core.models import Invitation

    return (Invitation.objects.filter(workspace=workspace, accepted_at__isnull=True, expires_at__gt=timezone.now())
            .select_related("invited_by").order_by("-created_at"))


def pii_access_events(*, workspace: Workspace, user_id: int | None = None,
                      subject_type: str | None = None) -> QuerySet[Any]:
    from cxops.core.models import PiiAccessLog

    qs = PiiAccessLog.objects.filter(workspace=workspace).select_related("user")
    if user_id:
        qs = qs.filter(user_id=user_id)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    return qs.order_by("-created_at", "-id")


def audit_object_types(*, workspace: Workspace) -> list[str]:
    return sorted(set(AuditEvent.objects.filter(workspace=workspace).order_by()
                      .values_list("object_type", flat=True).distinct()))


def api_tokens_for_user(*, user: User) -> QuerySet[Any]:
    from cxops.core.models import ApiToken

    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def api_token_get(*, user: User, token_id: int) -> Any:
    token = api_tokens_for_user(user=user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """The user's active memberships with their workspaces, by workspace name."""
    return (Membership.objects.filter(user=user, is_active=True).select_related("workspace")
            .order_by("workspace__name", "workspace_id"))
