"""Public replies on email tickets, sent by SMTP from the reply-delivery job (tickets.jobs)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.policy import SMTPUTF8
from email.utils import format_datetime, formataddr
from typing import Any

from django.utils import timezone

from cxops.core.sanitize import text_to_html
from cxops.mail.models import Mailbox
from cxops.mail.transport import MailConnectionError, smtp_connect
from cxops.tickets.channels.base import DeliveryError
from cxops.tickets.channels.email import own_message_id
from cxops.tickets.models import Message, MessageKind, Ticket


def _last_customer_mail(ticket: Ticket) -> Message | None:
    return (Message.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER, channel="email")
            .order_by("-created_at", "-id").first())


def _mailbox_for(ticket: Ticket, last: Message | None) -> Mailbox | None:
    mailbox_id = ((last.meta or {}).get("email") or {}).get("mailbox_id") if last else None
    if mailbox_id:
        found = Mailbox.objects.filter(pk=mailbox_id, workspace_id=ticket.workspace_id, is_active=True).first()
        if found is not None:
            return found
    return Mailbox.objects.filter(workspace_id=ticket.workspace_id, is_active=True).order_by("pk").first()


def reply_subject(ticket: Ticket, last_subject: str = "") -> str:
    base = " ".join((last_subject or ticket.subject).split())
    while base.lower().startswith(("re:", "회신:", "답장:")):
        base = base.split(":", 1)[1].strip()
    tag = f"[#{ticket.number}]"
    return f"Re: {base} {tag}" if tag not in base else f"Re: {base}"


def build_reply(*, message: Message, mailbox: Mailbox, to: str, last: Message | None) -> EmailMessage:
    ticket = message.ticket
    email_meta: dict[str, Any] = ((last.meta or {}).get("email") or {}) if last else {}
    mail = EmailMessage(policy=SMTPUTF8)
    mail["From"] = formataddr((mailbox.from_name or ticket.workspace.name, mailbox.address))
    mail["To"] = to
    mail["Subject"] = reply_subject(ticket, email_meta.get("subject", ""))
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = f"<{own_message_id(message.pk, mailbox.domain)}>"
    parent = email_meta.get("message_id") or (last.external_id if last and not last.external_id.startswith("hash:")
                                              else "")
    if parent:
        mail["In-Reply-To"] = f"<{parent}>"
        refs = [*email_meta.get("references", [])[-9:], parent]
        mail["References"] = " ".join(f"<{r}>" for r in dict.fromkeys(refs))
    if message.author_id is None or (message.meta or {}).get("automatic"):
        mail["Auto-Submitted"] = "auto-replied"
    mail["X-CXOps-Mailbox"] = str(mailbox.pk)
    mail["X-CXOps-Ticket"] = str(ticket.number)
    mail.set_content(message.body_text or "", charset="utf-8")
    html = message.body_html or text_to_html(message.body_text)
    mail.add_alternative(f'<!doctype html><html><body><div style="font-family:sans-serif">{html}</div></body></html>',
                         subtype="html", charset="utf-8")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            content = handle.read()
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(content, maintype=maintype or "application", subtype=subtype or "octet-stream",
                            filename=attachment.filename)
    return mail


def reply_send(*, message: Message) -> bool:
    """Send one reply. Raises DeliveryError (the job retries with back-off, then marks it failed)."""
    ticket = message.ticket
    last = _last_customer_mail(ticket)
    email_meta = ((last.meta or {}).get("email") or {}) if last else {}
    to = email_meta.get("reply_to") or email_meta.get("from") or (
        ticket.customer.emails[0] if ticket.customer and ticket.customer.emails else "")
    if not to:
        raise DeliveryError("받는 사람 메일 주소를 알 수 없습니다.")
    mailbox = _mailbox_for(ticket, last)
    if mailbox is None:
        raise DeliveryError("답장을 보낼 메일함이 없습니다. 설정 > 메일함에서 메일함을 등록하세요.")
    mail = build_reply(message=message, mailbox=mailbox, to=to, last=last)
    try:
        conn = smtp_connect(mailbox)
    except MailConnectionError as exc:
        raise DeliveryError(str(exc)) from exc
    try:
        conn.send_message(mail, from_addr=mailbox.address, to_addrs=[to])
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"SMTP 발송 실패: {exc}") from exc
    finally:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()
    message_id = str(mail["Message-ID"]).strip("<>")
    Message.objects.filter(pk=message.pk).update(
        external_id=message_id,
        meta={**(message.meta or {}), "email": {"message_id": message_id, "to": to, "mailbox_id": mailbox.pk,
                                                 "subject": str(mail["Subject"]),
                                                 "sent_at": timezone.now().isoformat()}})
    return True
