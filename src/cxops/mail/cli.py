"""`cxops mail …`: poll mailboxes, test a connection, look at and reprocess the quarantine, IDLE."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any


def _mailboxes(args: argparse.Namespace) -> Any:
    from cxops.mail.models import Mailbox

    qs = Mailbox.objects.select_related("workspace").order_by("pk")
    if getattr(args, "mailbox", None):
        qs = qs.filter(pk=args.mailbox)
    else:
        qs = qs.filter(is_active=True)
    return qs


def cmd_poll(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.mail.poll import poll_mailbox

    mailboxes = list(_mailboxes(args))
    if args.mailbox and not mailboxes:
        return fail(f"메일함을 찾을 수 없습니다: {args.mailbox}")
    reports = [poll_mailbox(m, limit=args.limit).as_dict() for m in mailboxes]
    print_json(reports)
    return 1 if any(r["error"] for r in reports) else 0


def cmd_test(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.mail.transport import connection_test

    mailbox = _mailboxes(args).first()
    if mailbox is None:
        return fail(f"메일함을 찾을 수 없습니다: {args.mailbox}")
    report = connection_test(mailbox)
    print_json({"mailbox": mailbox.pk, "address": mailbox.address, "imap_ok": report.imap_ok,
                "imap": report.imap_message, "smtp_ok": report.smtp_ok, "smtp": report.smtp_message})
    return 0 if report.ok else 1


def cmd_quarantine_list(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.mail.models import QuarantinedEmail

    qs = QuarantinedEmail.objects.select_related("workspace").order_by("-received_at", "-id")
    if args.workspace:
        qs = qs.filter(workspace__slug=args.workspace)
    if not args.all:
        qs = qs.filter(status="held")
    print_json([{"id": q.pk, "workspace": q.workspace.slug, "mailbox": q.mailbox_id, "status": q.status,
                 "reason": q.reason, "detail": q.detail, "subject": q.subject_hint, "from": q.from_hint,
                 "size": q.size, "received_at": q.received_at, "ticket": q.ticket_id} for q in qs[:args.limit]])
    return 0


def cmd_quarantine_reprocess(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.core.services import ServiceError
    from cxops.mail.models import QuarantinedEmail
    from cxops.mail.services import quarantine_reprocess

    item = QuarantinedEmail.objects.select_related("workspace", "mailbox").filter(pk=args.id).first()
    if item is None:
        return fail(f"격리 메일을 찾을 수 없습니다: {args.id}")
    try:
        result = quarantine_reprocess(item=item, by=None)
    except ServiceError as exc:
        return fail(str(exc), 1)
    print_json({"id": item.pk, "status": result.status, "ticket_id": result.ticket_id,
                "message_id": result.message_id})
    return 0


def cmd_idle(args: argparse.Namespace) -> int:
    """Long-running: wait on IMAP IDLE where the server offers it and poll whenever it reports new
    mail (and at least every --interval seconds); plain polling where it does not."""
    from cxops.cli import fail
    from cxops.mail.idle import idle_loop

    mailbox = _mailboxes(args).first()
    if mailbox is None:
        return fail(f"메일함을 찾을 수 없습니다: {args.mailbox}")
    with contextlib.suppress(KeyboardInterrupt):
        idle_loop(mailbox, interval=args.interval, rounds=args.rounds)
    return 0


def register(sub: Any) -> None:
    mail = sub.add_parser("mail", help="email channel: mailboxes and quarantine").add_subparsers(
        dest="action", required=True)
    p = mail.add_parser("poll", help="fetch new mail from IMAP now (all active mailboxes, or one)")
    p.add_argument("--mailbox", type=int)
    p.add_argument("--limit", type=int, default=1000, help="at most this many mails per mailbox")
    p.set_defaults(handler=cmd_poll)
    p = mail.add_parser("test", help="test IMAP login and SMTP EHLO/login of a mailbox")
    p.add_argument("--mailbox", type=int, required=True)
    p.set_defaults(handler=cmd_test)
    p = mail.add_parser("idle", help="stay connected with IMAP IDLE and ingest mail as it arrives")
    p.add_argument("--mailbox", type=int, required=True)
    p.add_argument("--interval", type=int, default=300, help="poll at least this often (seconds)")
    p.add_argument("--rounds", type=int, default=0, help="stop after this many wake-ups (0 = run forever)")
    p.set_defaults(handler=cmd_idle)
    quarantine = mail.add_parser("quarantine", help="mail that could not be received").add_subparsers(
        dest="quarantine_action", required=True)
    p = quarantine.add_parser("list", help="held mail, newest first")
    p.add_argument("--workspace")
    p.add_argument("--all", action="store_true", help="also reprocessed and discarded mail")
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(handler=cmd_quarantine_list)
    p = quarantine.add_parser("reprocess", help="receive a held mail again (size and depth limits relaxed)")
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_quarantine_reprocess)

