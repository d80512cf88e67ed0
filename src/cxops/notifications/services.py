"""Writes of the notification center: create notifications, mark them read, choose how email comes,
and send email (at once or as a digest)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxops.core.models import Membership, Workspace
from cxops.core.services import ServiceError
from cxops.notifications.models import DigestMode, Notification, NotificationPreference, OutsideEmail

log = logging.getLogger(__name__)

DIGEST_LOCAL_HOUR = 8  # daily digests go out from 08:00 in the workspace's time zone
DIGEST_MAX_ITEMS = 50


def _absolute(url: str) -> str:
    return url if not url.startswith("/") else settings.SITE_URL.rstrip("/") + url


def notify(*, workspace: Workspace, recipients: Iterable[Membership], kind: str, title: str, body: str = "",
           url: str = "", dedupe_key: str = "", email_now: bool = False) -> list[Notification]:
    """One in-app notification per distinct active recipient of this workspace.

    With `email_now` the notification is also emailed right after the commit (unless the member
    turned email off); otherwise their digest carries it. A repeated `dedupe_key` is a no-op for a
    recipient who already has it, so periodic jobs may call this every run.
    """
    created: list[Notification] = []
    seen: set[int] = set()
    for member in recipients:
        if member.pk in seen or member.workspace_id != workspace.pk or not member.is_active:
            continue
        seen.add(member.pk)
        if dedupe_key and Notification.objects.filter(recipient=member, dedupe_key=dedupe_key[:200]).exists():
            continue
        try:
            with transaction.atomic():
                created.append(Notification.objects.create(
                    workspace=workspace, recipient=member, kind=kind[:60], title=title[:200], body=body,
                    url=url[:300], dedupe_key=dedupe_key[:200], email_now=email_now))
        except IntegrityError:
            continue  # made by a concurrent run with the same key
    if email_now and created:
        ids = [n.pk for n in created]

        def _send() -> None:
            from cxops.notifications import jobs

            jobs.notifications_email(ids)

        transaction.on_commit(_send)
    return created


def mark_read(*, membership: Membership, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the member's notifications read: the given ones, or all when None."""
    qs = Notification.objects.filter(recipient=membership, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def preference_get(membership: Membership) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.get_or_create(membership=membership)
    return pref


def preference_set(*, membership: Membership, digest: str) -> NotificationPreference:
    if digest not in DigestMode.values:
        raise ServiceError(_("알 수 없는 이메일 알림 방식입니다: %(value)s") % {"value": digest})
    pref = preference_get(membership)
    pref.digest = digest
    pref.save(update_fields=["digest"])
    return pref


def _send(to: str, subject: str, text: str) -> bool:
    try:
        send_mail(subject=subject, message=text, from_email=None, recipient_list=[to])
    except OSError:
        log.exception("notification email to %s failed", to)
        return False
    return True


def email_now(notification_ids: Iterable[int]) -> int:
    """Email these notifications one by one (the `email_now` ones); returns how many went out."""
    sent = 0
    rows = Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True).select_related(
        "recipient__user", "workspace", "recipient__notification_preference")
    for n in rows:
        pref = getattr(n.recipient, "notification_preference", None)
        address = n.recipient.user.email
        if not address or (pref is not None and pref.digest == DigestMode.OFF):
            continue
        text = "\n\n".join(part for part in (n.body, _absolute(n.url)) if part)
        if _send(address, f"[{n.workspace.name}] {n.title}", text):
            Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


def email_outside(*, workspace: Workspace, addresses: Iterable[str], kind: str, title: str, body: str = "",
                  url: str = "", dedupe_key: str = "") -> int:
    """Email addresses that belong to no member (an outside team's contact, a distribution list) at
    once, one mail each; a repeated `dedupe_key` sends nothing new to an address that had it.

    Members are reached with `notify` instead, so that their own email preference applies. A failed
    mail is logged and not retried (the row stays without `sent_at`). Returns how many went out.
    """
    sent = 0
    key = dedupe_key[:200]
    for address in dict.fromkeys(a.strip().lower() for a in addresses if "@" in a):
        if key and OutsideEmail.objects.filter(workspace=workspace, address=address[:254], dedupe_key=key).exists():
            continue
        try:
            with transaction.atomic():
                row = OutsideEmail.objects.create(workspace=workspace, address=address[:254], kind=kind[:60],
                                                  title=title[:200], dedupe_key=key)
        except IntegrityError:
            continue  # sent by a concurrent run with the same key
        text = "\n\n".join(part for part in (body, _absolute(url)) if part)
        if _send(address, f"[{workspace.name}] {title}", text):
            OutsideEmail.objects.filter(pk=row.pk).update(sent_at=timezone.now())
            sent += 1
    return sent


def _digest_due(pref: NotificationPreference | None, workspace: Workspace, at: datetime) -> bool:
    mode = pref.digest if pref else DigestMode.DAILY
    if mode == DigestMode.OFF:
        return False
    if mode in (DigestMode.HOURLY, DigestMode.IMMEDIATE):
        return True
    local = at.astimezone(ZoneInfo(workspace.timezone or "Asia/Seoul"))
    if local.hour < DIGEST_LOCAL_HOUR:
        return False
    last = pref.last_digest_at if pref else None
    return last is None or last.astimezone(local.tzinfo).date() < local.date()


def digests_send(*, at: datetime | None = None) -> int:
    """Email each member the unread notifications not emailed yet, when their digest is due.

    Immediate members get theirs here too (a notification made without `email_now`). Returns the
    number of digest emails sent.
    """
    at = at or timezone.now()
    pending = (Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
               .values_list("recipient_id", flat=True).distinct())
    members = Membership.objects.filter(pk__in=list(pending), is_active=True).select_related(
        "user", "workspace", "notification_preference")
    sent = 0
    for member in members:
        pref = getattr(member, "notification_preference", None)
        if not member.user.email or not _digest_due(pref, member.workspace, at):
            continue
        items = list(Notification.objects.filter(recipient=member, emailed_at__isnull=True, read_at__isnull=True)
                     .order_by("-created_at")[:DIGEST_MAX_ITEMS])
        lines = [f"- {n.created_at.astimezone(ZoneInfo(member.workspace.timezone or 'Asia/Seoul')):%m-%d %H:%M} "
                 f"{n.title}" + (f"\n  {_absolute(n.url)}" if n.url else "") for n in items]
        subject = _("[%(workspace)s] 읽지 않은 알림 %(count)s건") % {"workspace": member.workspace.name,
                                                               "count": len(items)}
        if _send(member.user.email, subject, "\n".join(lines)):
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=at)
            if pref is None:
                pref = preference_get(member)
            NotificationPreference.objects.filter(pk=pref.pk).update(last_digest_at=at)
            sent += 1
    return sent
