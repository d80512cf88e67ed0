"""Reads behind the public pages: a workspace by its public slug, an invitation by its raw token."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.http import Http404
from django.utils import timezone

from cxops.core.models import Invitation, User, Workspace, hash_secret


def workspace_public_get(*, slug: str) -> Workspace:
    """The workspace whose public board lives at /p/<slug>/; 404 for unknown slugs."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise Http404
    return workspace


class InvitationState(Enum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    OPEN = "open"


@dataclass(frozen=True)
class InvitationLookup:
    state: InvitationState
    invitation: Invitation | None = None
    existing_user: User | None = None  # an account with the invited email already exists


def invitation_lookup(*, raw_token: str) -> InvitationLookup:
    invitation = (Invitation.objects.select_related("workspace", "invited_by")
                  .filter(token_hash=hash_secret(raw_token)).first()) if raw_token else None
    if invitation is None:
        return InvitationLookup(InvitationState.UNKNOWN)
    if invitation.accepted_at is not None:
        return InvitationLookup(InvitationState.USED, invitation)
    if invitation.expires_at < timezone.now():
        return InvitationLookup(InvitationState.EXPIRED, invitation)
    existing = User.objects.filter(email=invitation.email.lower()).first()
    return InvitationLookup(InvitationState.OPEN, invitation, existing)
