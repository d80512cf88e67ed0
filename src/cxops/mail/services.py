"""Every write of the email channel: mailboxes, received mail, the quarantine.

A received mail goes `parse_email` → (auto-reply / bounce / loop handling) → one `InboundMessage`
→ `tickets.services.inbound_ingest`, all in one transaction that also stores the original, the
mail's headers on the message and the mailbox's last IMAP UID. A mail that cannot be parsed or
ingested goes to the quarantine (with its bytes and the reason) in a transaction of its own.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets as pysecrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from cxops.core import audit
from cxops.core.models import Membership, Workspace
from cxops.core.sanitize import html_to_text, sanitize_html
from cxops.core.services import ServiceError
from cxops.mail import parse
from cxops.mail.models import Mailbox, QuarantinedEmail, QuarantineReason, QuarantineStatus, RawEmail, Security
from cxops.mail.parse import EmailParseError, ParsedEmail, parse_email
from cxops.mail.quotes import strip_reply
from cxops.tickets import services as ticket_services
from cxops.tickets.channels.base import CustomerRef, InboundAttachment, InboundMessage
from cxops.tickets.channels.email import EmailAdapter, is_own_message_id, own_reply_pk
from cxops.tickets.models import Attachment, DeliveryStatus, Message, MessageKind, Ticket

log = logging.getLogger(__name__)

_REPLY_SUBJECT = re.compile(r"^\s*(re|회신|답장|답변|aw|sv)\s*(\[\d+\])?\s*:", re.IGNORECASE)


def _limits(relaxed: bool) -> dict[str, int]:
    max_bytes = int(getattr(settings, "CXOPS_MAIL_MAX_BYTES", parse.MAX_BYTES))
    max_depth = int(getattr(settings, "CXOPS_MAIL_MAX_DEPTH", parse.MAX_DEPTH))
    if relaxed:  # an admin asked to reprocess a quarantined mail: they accept the cost
        return {"max_bytes": max_bytes * 4, "max_depth": max(max_depth, 100)}
    return {"max_bytes": max_bytes, "max_depth": max_depth}


# --- mailboxes ------------------------------------------------------------------------------------

def _require_admin(by: Membership | None, workspace: Workspace) -> Any:
    if by is None:
        return None
    if by.workspace_id != workspace.pk or not by.has_role("admin"):
        raise PermissionError("메일함은 워크스페이스 관리자만 관리할 수 있습니다.")
    return by.user


MAILBOX_FIELDS = ("name", "address", "from_name", "imap_host", "imap_port", "imap_security", "imap_user",
                  "imap_folder", "smtp_host", "smtp_port", "smtp_security", "smtp_user", "is_active")


def mailbox_save(*, workspace: Workspace, by: Membership | None, mailbox: Mailbox | None = None,
                 imap_password: str | None = None, smtp_password: str | None = None, **values: Any) -> Mailbox:
    """Create or change a mailbox. A password left as None keeps the stored one."""
    actor = _require_admin(by, workspace)
    unknown = set(values) - set(MAILBOX_FIELDS)
    if unknown:
        raise ServiceError(f"바꿀 수 없는 항목입니다: {', '.join(sorted(unknown))}")
    if mailbox is not None and mailbox.workspace_id != workspace.pk:
        raise PermissionError("다른 워크스페이스의 메일함입니다.")
    created = mailbox is None
    mailbox = mailbox or Mailbox(workspace=workspace)
    before = {k: getattr(mailbox, k) for k in MAILBOX_FIELDS}
    for key, value in values.items():
        setattr(mailbox, key, value.strip() if isinstance(value, str) else value)
    mailbox.address = mailbox.address.lower()
    if "@" not in mailbox.address:
        raise ServiceError("메일 주소를 올바르게 입력해 주세요.")
    if not mailbox.imap_host or not mailbox.imap_user or not mailbox.smtp_host:
        raise ServiceError("IMAP 서버, IMAP 사용자, SMTP 서버를 입력해 주세요.")
    for key in ("imap_security", "smtp_security"):
        if getattr(mailbox, key) not in Security.values:
            raise ServiceError(f"알 수 없는 보안 방식입니다: {getattr(mailbox, key)}")
    for key in ("imap_port", "smtp_port"):
        if not 0 < int(getattr(mailbox, key)) < 65536:
            raise ServiceError("포트는 1~65535 사이여야 합니다.")
    if (Mailbox.objects.filter(workspace=workspace, address=mailbox.address).exclude(pk=mailbox.pk).exists()):
        raise ServiceError(f"이미 등록된 메일 주소입니다: {mailbox.address}")
    if imap_password is not None:
        mailbox.imap_password = imap_password
    if smtp_password is not None:
        mailbox.smtp_password = smtp_password
    if not created and before["imap_folder"] != mailbox.imap_folder:
        mailbox.uidvalidity, mailbox.last_uid = None, 0
    with transaction.atomic():
        mailbox.save()
        changes = audit.diff(before, {k: getattr(mailbox, k) for k in MAILBOX_FIELDS})
        if imap_password is not None:
            changes["imap_password"] = ["***", "***"]
        if smtp_password is not None:
            changes["smtp_password"] = ["***", "***"]
        audit.record(workspace=workspace, actor=actor, action="mailbox.create" if created else "mailbox.update",
                     obj=mailbox, changes=changes)
    return mailbox


def mailbox_delete(*, mailbox: Mailbox, by: Membership) -> None:
    actor = _require_admin(by, mailbox.workspace)
    with transaction.atomic():
        audit.record(workspace=mailbox.workspace, actor=actor, action="mailbox.delete", obj=mailbox,
                     changes={"address": [mailbox.address, None]})
        mailbox.delete()


def mailbox_poll_record(*, mailbox: Mailbox, ok: bool, error: str = "", uidvalidity: int | None = None,
                        reset: bool = False) -> None:
    """What the last poll found, shown on the settings page."""
    values: dict[str, Any] = {"last_polled_at": timezone.now(), "last_poll_ok": ok, "last_error": error[:2000]}
    if uidvalidity is not None:
        values["uidvalidity"] = uidvalidity
    if reset:
        values["last_uid"] = 0
    Mailbox.objects.filter(pk=mailbox.pk).update(**values)
    for key, value in values.items():
        setattr(mailbox, key, value)


# --- receiving ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IngestResult:
    status: str  # created | followup | duplicate | note | skipped | quarantined
    message_id: int | None = None
    ticket_id: int | None = None
    quarantine_id: int | None = None
    reason: str = ""


class IngestFailed(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _advance(mailbox: Mailbox | None, imap_uid: int | None, counter: str) -> None:
    """Count the mail and move the mailbox's last UID forward (never back), in one UPDATE."""
    if mailbox is None:
        return
    values: dict[str, Any] = {counter: F(counter) + 1}
    if imap_uid is not None:
        values["last_uid"] = Greatest(F("last_uid"), Value(imap_uid))
        mailbox.last_uid = max(mailbox.last_uid, imap_uid)
    Mailbox.objects.filter(pk=mailbox.pk).update(**values)


def _split_attachments(parsed: ParsedEmail) -> tuple[list[InboundAttachment], list[str], dict[str, int]]:
    """What the ticket can hold (allowed types and sizes, up to the count limit; inline images
    first) and the names of what stays only in the original."""
    kept: list[InboundAttachment] = []
    dropped: list[str] = []
    cids: dict[str, int] = {}
    ordered = sorted(parsed.attachments, key=lambda a: not a.inline)
    for item in ordered:
        fits = (item.content_type in settings.ATTACHMENT_ALLOWED_TYPES and 0 < len(item.content)
                <= settings.ATTACHMENT_MAX_BYTES and len(kept) < settings.ATTACHMENT_MAX_COUNT)
        if not fits:
            dropped.append(item.filename)
            continue
        if item.content_id:
            cids[item.content_id] = len(kept)
        kept.append(InboundAttachment(filename=item.filename, content_type=item.content_type, content=item.content))
    return kept, dropped, cids


def _body(parsed: ParsedEmail, is_reply: bool) -> tuple[str, str, bool, str]:
    """(text, html, quotes stripped, the full text before stripping)."""
    html = parsed.html
    text = parsed.text or (html_to_text(sanitize_html(html)) if html else "")
    full = text
    stripped = False
    if is_reply and text:
        text, stripped = strip_reply(text)
    if stripped:
        html = ""  # the agent sees the new part; the whole mail stays in the original
    return text, html, stripped, full


def _inbound(parsed: ParsedEmail, text: str, html: str, attachments: list[InboundAttachment],
             meta: dict[str, Any]) -> InboundMessage:
    refs = tuple(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))
    return InboundMessage(
        channel="email", subject=parsed.subject or "(제목 없음)", body_text=text, body_html=html,
        customer=CustomerRef(name=parsed.from_name, email=parsed.from_addr or parsed.reply_to),
        external_id=parsed.external_id, thread_refs=refs, ticket_number=parse.ticket_number_in(parsed.subject),
        received_at=parsed.date if parsed.date and parsed.date <= timezone.now() else None,
        attachments=tuple(attachments), meta=meta)


def _store_raw(*, workspace: Workspace, mailbox: Mailbox | None, message: Message, raw: bytes,
               message_id: str) -> RawEmail:
    item = RawEmail(workspace=workspace, mailbox=mailbox, message=message, rfc_message_id=message_id[:250],
                    size=len(raw))
    item.file.save(f"{pysecrets.token_hex(8)}.eml", ContentFile(raw), save=False)
    item.save()
    return item


def _rewrite_cids(message: Message, cids: dict[str, int], slug: str) -> dict[str, int]:
    """Point `cid:` images of the HTML body at the stored attachments."""
    if not cids:
        return {}
    stored = list(Attachment.objects.filter(message=message).order_by("id").values_list("id", flat=True))
    mapping = {cid: stored[i] for cid, i in cids.items() if i < len(stored)}
    if mapping and message.body_html:
        html = message.body_html
        for cid, attachment_id in mapping.items():
            url = reverse("attachment_download", kwargs={"slug": slug, "attachment_id": attachment_id})
            html = html.replace(f'src="cid:{cid}"', f'src="{url}"')
        message.body_html = html
    return mapping


def _auto_note(*, workspace: Workspace, parsed: ParsedEmail, mailbox: Mailbox | None, raw: bytes,
               imap_uid: int | None) -> IngestResult:
    """Auto-replies and bounces never open a ticket and are never answered: on a known thread
    they become an internal note (a bounce also marks our reply as failed); otherwise skipped."""
    adapter = EmailAdapter()
    failed_reply: Message | None = None
    ticket: Ticket | None = None
    if parsed.auto == "bounce":
        for mid in parsed.bounced_message_ids:
            pk = own_reply_pk(mid)
            if pk is not None:
                failed_reply = Message.objects.filter(pk=pk, workspace=workspace).select_related("ticket").first()
                if failed_reply is not None:
                    ticket = failed_reply.ticket
                    break
    if ticket is None and parsed.auto in ("bounce", "auto_reply"):
        ref = _inbound(parsed, "", "", [], {})
        ticket = adapter.find_thread(workspace=workspace, message=ref)
    if ticket is None:
        with transaction.atomic():
            _advance(mailbox, imap_uid, "skipped_count")
        log.info("mail %s skipped: %s", parsed.external_id, parsed.auto_reason)
        return IngestResult(status="skipped", reason=parsed.auto_reason)
    label = "반송" if parsed.auto == "bounce" else "자동 응답"
    text = parsed.text or html_to_text(sanitize_html(parsed.html))
    body = f"[{label}] {parsed.auto_reason}\n제목: {parsed.subject}\n\n{text[:4000]}"
    with transaction.atomic():
        if Message.objects.filter(workspace=workspace, external_id=parsed.external_id[:250]).exists():
            _advance(mailbox, imap_uid, "skipped_count")
            return IngestResult(status="duplicate", ticket_id=ticket.pk)
        note = ticket_services._add_message(  # the tickets service's own timeline writer
            ticket=ticket, kind=MessageKind.NOTE, body_text=body, author_name="메일 시스템", channel="email",
            external_id=parsed.external_id, meta={"email": {"auto": parsed.auto, "reason": parsed.auto_reason,
                                                            "from": parsed.from_addr}})
        _store_raw(workspace=workspace, mailbox=mailbox, message=note, raw=raw, message_id=parsed.message_id)
        if failed_reply is not None and failed_reply.kind == MessageKind.REPLY:
            Message.objects.filter(pk=failed_reply.pk).update(
                delivery_status=DeliveryStatus.FAILED,
                delivery_error=f"{timezone.now():%Y-%m-%d %H:%M} 반송됨: {parsed.subject[:200]}")
        _advance(mailbox, imap_uid, "skipped_count")
    return IngestResult(status="note", message_id=note.pk, ticket_id=ticket.pk, reason=parsed.auto_reason)


def build_inbound(parsed: ParsedEmail, mailbox: Mailbox | None) -> tuple[InboundMessage, dict[str, int]]:
    """The normalised message of a parsed mail (body without quotes, attachments that fit, headers
    in meta) and the content-ids of its inline images."""
    is_reply = bool(parsed.in_reply_to or parsed.references or parse.ticket_number_in(parsed.subject)
                    or _REPLY_SUBJECT.match(parsed.subject))
    text, html, stripped, full = _body(parsed, is_reply)
    attachments, dropped, cids = _split_attachments(parsed)
    if dropped:
        text += ("\n\n[첨부 파일 " + str(len(dropped)) + "개는 형식·크기·개수 제한으로 티켓에 붙이지 않았습니다. "
                 "원본 메일에 보관되어 있습니다: " + ", ".join(dropped[:20]) + "]")
    if not text.strip() and not attachments:
        text = "(본문 없음)"
    meta: dict[str, Any] = {
        "mailbox_id": mailbox.pk if mailbox else None, "message_id": parsed.message_id,
        "from": parsed.from_addr, "from_name": parsed.from_name, "reply_to": parsed.reply_to, "to": parsed.to,
        "cc": parsed.cc, "subject": parsed.subject, "in_reply_to": parsed.in_reply_to,
        "references": parsed.references[-20:], "charsets": parsed.charsets, "truncated": parsed.truncated,
        "quotes_stripped": stripped, "dropped_attachments": dropped, "headers": parsed.headers,
    }
    if stripped:
        meta["full_text"] = full[:parse.MAX_BODY_CHARS]
    if not parsed.from_addr:
        meta["no_sender"] = True
    return _inbound(parsed, text, html, attachments, meta), cids


# external_id → (message id, ticket id) of mail the workspace already received
Known = dict[str, tuple[int, int]]


def known_messages(*, workspace: Workspace, external_ids: Iterable[str]) -> Known:
    """Which of these mails the workspace already has, in one query (a FETCH batch)."""
    wanted = list({external_id[:250] for external_id in external_ids if external_id})
    if not wanted:
        return {}
    rows = (Message.objects.filter(workspace=workspace, external_id__in=wanted)
            .values_list("external_id", "pk", "ticket_id"))
    return {external_id: (pk, ticket_id) for external_id, pk, ticket_id in rows}


@dataclass
class Batch:
    """A consumer's FETCH batch made ready for `email_ingest`, before any write transaction."""

    parsed: list[ParsedEmail | EmailParseError]
    known: Known


def _people_guess(parsed: ParsedEmail) -> str:
    """The search document's "people" text of a new customer made from this mail (name, address),
    as tickets.search builds it: analysed ahead, it is found ready unless the customer is known."""
    email = (parsed.from_addr or parsed.reply_to).strip().lower()
    return " ".join(part for part in (parsed.from_name.strip()[:120], email if "@" in email else "") if part)


def prepare_batch(*, workspace: Workspace, mailbox: Mailbox | None, raws: list[bytes]) -> Batch:
    """Parse a FETCH batch, find the mails already received (one query), and analyse the Korean
    text of the others in one Kiwi batch: each `email_ingest(parsed=…, known=…)` then finds the
    analysis ready and asks the database nothing before its own transaction."""
    from cxops.core import text as korean

    results: list[ParsedEmail | EmailParseError] = []
    for raw in raws:
        try:
            results.append(parse_email(raw, is_own_id=is_own_message_id, **_limits(False)))
        except EmailParseError as exc:
            results.append(exc)
    known = known_messages(workspace=workspace,
                           external_ids=[p.external_id for p in results if isinstance(p, ParsedEmail)])
    texts: list[str] = []
    for parsed in results:
        if not isinstance(parsed, ParsedEmail) or parsed.auto or parsed.external_id[:250] in known:
            continue
        if mailbox is not None and parsed.from_addr == mailbox.address:
            continue  # our own mail coming back: skipped, never analysed
        inbound, _cids = build_inbound(parsed, mailbox)
        body = inbound.body_text or (html_to_text(inbound.body_html) if inbound.body_html else "")
        texts += [ticket_services.ticket_subject(inbound.subject, body), body, _people_guess(parsed)]
    if texts:
        korean.prepare(texts)
    return Batch(parsed=results, known=known)


def email_ingest(*, workspace: Workspace, raw: bytes, mailbox: Mailbox | None = None, imap_uid: int | None = None,
                 relaxed: bool = False, quarantine_on_error: bool = True,
                 parsed: ParsedEmail | EmailParseError | None = None, known: Known | None = None) -> IngestResult:
    """Receive one mail. Idempotent on Message-ID (a content hash when there is none).

    `parsed` and `known`: what `prepare_batch` made of these bytes and which mails of the batch the
    workspace already had; `known` is then kept up to date with what this call received, so a
    mail twice in one batch is still received once (the ticket service checks again inside its
    transaction in any case)."""
    try:
        if isinstance(parsed, EmailParseError):
            raise parsed
        if parsed is None:
            parsed = parse_email(raw, is_own_id=is_own_message_id, **_limits(relaxed))
    except EmailParseError as exc:
        if not quarantine_on_error:
            raise IngestFailed(exc.reason, exc.detail) from exc
        return _quarantine(workspace=workspace, mailbox=mailbox, raw=raw, reason=exc.reason, detail=exc.detail,
                           imap_uid=imap_uid)
    if mailbox is not None and parsed.from_addr == mailbox.address and not parsed.auto:
        parsed.auto, parsed.auto_reason = "loop", f"메일함 자신({mailbox.address})이 보낸 메일입니다"
    if parsed.auto in ("loop", "list"):
        with transaction.atomic():
            _advance(mailbox, imap_uid, "skipped_count")
        log.info("mail %s skipped: %s", parsed.external_id, parsed.auto_reason)
        return IngestResult(status="skipped", reason=parsed.auto_reason)
    if parsed.auto:
        return _auto_note(workspace=workspace, parsed=parsed, mailbox=mailbox, raw=raw, imap_uid=imap_uid)

    external_id = parsed.external_id[:250]
    if known is not None:
        seen = known.get(external_id)
    else:
        seen = (Message.objects.filter(workspace=workspace, external_id=external_id)
                .values_list("pk", "ticket_id").first())
    if seen is not None:
        with transaction.atomic():
            _advance(mailbox, imap_uid, "skipped_count")
        return IngestResult(status="duplicate", message_id=seen[0], ticket_id=seen[1])

    inbound, cids = build_inbound(parsed, mailbox)
    meta = inbound.meta
    ticket_services.prepare_inbound(inbound)  # Korean analysis before the write transaction
    try:
        with transaction.atomic():
            message = ticket_services.inbound_ingest(workspace=workspace, message=inbound)
            created = getattr(message.ticket, "first_message", None) is message
            raw_item = _store_raw(workspace=workspace, mailbox=mailbox, message=message, raw=raw,
                                  message_id=parsed.message_id)
            meta["raw_email_id"] = raw_item.pk
            meta["cids"] = _rewrite_cids(message, cids, workspace.slug)
            message.meta = {**message.meta, "email": meta}
            # An UPDATE of the two columns, without save()'s signals and field handling.
            Message.objects.filter(pk=message.pk).update(meta=message.meta, body_html=message.body_html)
            _advance(mailbox, imap_uid, "received_count")
    except DatabaseError:
        raise  # the database is in trouble: the poller stops and the mail is fetched again next time
    except Exception as exc:
        log.exception("mail %s could not be ingested", parsed.external_id)
        detail = f"{type(exc).__name__}: {exc}"
        if not quarantine_on_error:
            raise IngestFailed(QuarantineReason.INGEST_ERROR, detail) from exc
        return _quarantine(workspace=workspace, mailbox=mailbox, raw=raw, reason=QuarantineReason.INGEST_ERROR,
                           detail=detail, imap_uid=imap_uid, parsed=parsed)
    if known is not None:
        known[external_id] = (message.pk, message.ticket_id)
    return IngestResult(status="created" if created else "followup", message_id=message.pk,
                        ticket_id=message.ticket_id)


def _quarantine(*, workspace: Workspace, mailbox: Mailbox | None, raw: bytes, reason: str, detail: str,
                imap_uid: int | None, parsed: ParsedEmail | None = None) -> IngestResult:
    digest = hashlib.sha256(raw).hexdigest()
    subject, sender, message_id = "", "", ""
    if parsed is not None:
        subject, sender, message_id = parsed.subject, parsed.from_addr, parsed.message_id
    else:  # best effort hints from the first few kilobytes
        head = raw[:8192]
        for name in ("Subject", "From", "Message-ID"):
            match = re.search(rb"^" + name.encode() + rb":[ \t]*(.*(?:\r?\n[ \t].*)*)", head,
                              re.IGNORECASE | re.MULTILINE)
            if match:
                value = parse.decode_header(match.group(1))[:250]
                subject, sender, message_id = ((value, sender, message_id) if name == "Subject" else
                                               (subject, value, message_id) if name == "From" else
                                               (subject, sender, value.strip("<>")))
    with transaction.atomic():
        item = QuarantinedEmail.objects.filter(workspace=workspace, raw_sha256=digest,
                                               status=QuarantineStatus.HELD).first()
        if item is None:
            item = QuarantinedEmail(workspace=workspace, mailbox=mailbox, size=len(raw), reason=reason,
                                    detail=detail[:4000], subject_hint=subject[:250], from_hint=sender[:250],
                                    message_id=message_id[:250], imap_uid=imap_uid, raw_sha256=digest)
            item.raw.save(f"{pysecrets.token_hex(8)}.eml", ContentFile(raw), save=False)
            item.save()
            audit.record(workspace=workspace, actor=None, action="mail.quarantine", obj=item,
                         changes={"reason": [None, reason]}, actor_label="mail")
            _advance(mailbox, imap_uid, "quarantined_count")
        else:
            _advance(mailbox, None, "skipped_count")
            if imap_uid is not None and mailbox is not None:
                Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=imap_uid).update(last_uid=imap_uid)
    log.warning("mail quarantined (%s): %s", reason, detail)
    return IngestResult(status="quarantined", quarantine_id=item.pk, reason=reason)


def quarantine_reprocess(*, item: QuarantinedEmail, by: Membership | None) -> IngestResult:
    """Try a quarantined mail again, with the size and depth limits relaxed."""
    workspace = item.workspace
    actor = _require_admin(by, workspace)
    if item.status != QuarantineStatus.HELD:
        raise ServiceError("이미 처리된 격리 메일입니다.")
    with item.raw.open("rb") as handle:
        raw = handle.read()
    try:
        result = email_ingest(workspace=workspace, raw=raw, mailbox=item.mailbox, relaxed=True,
                              quarantine_on_error=False)
    except IngestFailed as exc:
        QuarantinedEmail.objects.filter(pk=item.pk).update(detail=f"재처리 실패: {exc.detail}"[:4000])
        raise ServiceError(f"다시 처리하지 못했습니다: {exc.detail}") from exc
    with transaction.atomic():
        item.status = QuarantineStatus.REPROCESSED
        item.ticket_id = result.ticket_id
        item.resolved_at = timezone.now()
        item.save(update_fields=["status", "ticket", "resolved_at"])
        audit.record(workspace=workspace, actor=actor, action="mail.reprocess", obj=item,
                     changes={"result": [None, result.status], "ticket": [None, result.ticket_id]},
                     actor_label="" if actor else "cli")
    return result


def quarantine_discard(*, item: QuarantinedEmail, by: Membership | None) -> QuarantinedEmail:
    actor = _require_admin(by, item.workspace)
    if item.status != QuarantineStatus.HELD:
        raise ServiceError("이미 처리된 격리 메일입니다.")
    with transaction.atomic():
        item.status = QuarantineStatus.DISCARDED
        item.resolved_at = timezone.now()
        item.save(update_fields=["status", "resolved_at"])
        audit.record(workspace=item.workspace, actor=actor, action="mail.discard", obj=item,
                     actor_label="" if actor else "cli")
    return item
