"""Reads of the email channel, scoped by workspace; mailboxes and the quarantine are admin-only."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cxops.core.models import Membership
from cxops.mail.models import Mailbox, QuarantinedEmail, QuarantineStatus, RawEmail


def _require_admin(membership: Membership) -> None:
    if not membership.has_role("admin"):
        raise PermissionError("메일함과 격리함은 워크스페이스 관리자만 볼 수 있습니다.")


def mailboxes_list(*, membership: Membership) -> QuerySet[Mailbox]:
    _require_admin(membership)
    return Mailbox.objects.filter(workspace_id=membership.workspace_id).order_by("address")


def mailbox_get(*, membership: Membership, mailbox_id: int) -> Mailbox:
    found = mailboxes_list(membership=membership).filter(pk=mailbox_id).select_related("workspace").first()
    if found is None:
        raise Http404
    return found


def quarantine_list(*, membership: Membership, status: str = QuarantineStatus.HELD) -> QuerySet[QuarantinedEmail]:
    _require_admin(membership)
    qs = QuarantinedEmail.objects.filter(workspace_id=membership.workspace_id).select_related("mailbox", "ticket")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_at", "-id")


def quarantine_get(*, membership: Membership, item_id: int) -> QuarantinedEmail:
    found = quarantine_list(membership=membership, status="").filter(pk=item_id).select_related("workspace").first()
    if found is None:
        raise Http404
    return found


def raw_email_for_message(*, membership: Membership, message_id: int) -> RawEmail:
    """The original of a received mail, for anyone who may read the ticket (not client viewers)."""
    if not membership.can_write:
        raise PermissionError("원본 메일은 상담원만 내려받을 수 있습니다.")
    found = RawEmail.objects.filter(workspace_id=membership.workspace_id, message_id=message_id).first()
    if found is None:
        raise Http404
    return found
