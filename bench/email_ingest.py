"""Email ingest throughput of one consumer, from a real IMAP server (Dovecot) into tickets.

    .venv/bin/python bench/email_ingest.py [--messages 1000]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cxops_bench_mail .venv/bin/python bench/email_ingest.py

Starts Dovecot on a free port (as in the tests), APPENDs `--messages` mails built from the test
corpus (Korean webmail, legacy charsets, attachments, inline images, replies that thread onto
earlier tickets, auto-replies and list mail), then times `poll_mailbox`: IMAP FETCH, parsing,
one transaction per mail (ticket or follow-up, attachments, the original, search document),
and the \\Seen flags. Without DATABASE_URL a fresh SQLite file in a temp dir is used.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "mail" / "corpus"
# The huge body, the 30-level nesting and the no-Message-ID mail are not everyday traffic.
SKIP = {"18_huge_body.eml", "19_nesting_30.eml", "12_no_message_id.eml", "15_bounce_dsn.eml"}


def build_messages(count: int) -> list[bytes]:
    templates = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml")) if p.name not in SKIP]
    out = []
    for i in range(count):
        raw = templates[i % len(templates)]
        raw = re.sub(rb"Message-ID: <", f"Message-ID: <b{i}.".encode(), raw, count=1, flags=re.IGNORECASE)
        # Replies point at the first mail of their round, so threading is exercised.
        raw = raw.replace(b"<naver.20261123150000.abc123@naver.example>",
                          f"<b{i - i % len(templates)}.naver.20261123150000.abc123@naver.example>".encode())
        out.append(raw)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cxops-mail-bench-"))
    os.environ.setdefault("CXOPS_DATA_DIR", str(tmp))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")
    os.environ.setdefault("CXOPS_JOBS_IMMEDIATE", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp / "media"
    call_command("migrate", interactive=False, verbosity=0)
    from tests.mail.servers import dovecot_server

    from cxops.core.services import workspace_create
    from cxops.mail.models import Mailbox, Security
    from cxops.mail.parse import parse_email
    from cxops.mail.poll import poll_mailbox
    from cxops.mail.services import mailbox_save
    from cxops.tickets.models import Message, Ticket

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    slug = f"mailbench{int(time.time())}"
    workspace, _ = workspace_create(slug=slug, name="메일 벤치")
    messages = build_messages(args.messages)
    started = time.perf_counter()
    for raw in messages:
        parse_email(raw)
    parse_rate = len(messages) / (time.perf_counter() - started)
    user, password = "bench@shop.example", "bench-pass"
    with dovecot_server({user: password}) as server:
        server.append(user, messages)
        mailbox: Mailbox = mailbox_save(
            workspace=workspace, by=None, address=user, imap_host="127.0.0.1", imap_port=server.port,
            imap_security=Security.NONE, imap_user=user, imap_password=password, smtp_host="127.0.0.1")
        # Warm up as a long-running consumer is: receiving one mail into another workspace loads Kiwi,
        # the URL configuration (first reverse()), the complaint model and every other once-per-process
        # thing (several seconds together on this machine, which a short run would count as ingest).
        from cxops.mail.services import email_ingest

        warm, _ = workspace_create(slug=slug + "w", name="예열")
        email_ingest(workspace=warm, raw=messages[0])
        # SQL statements are counted too: unlike the clock, the count does not depend on the load.
        from django.db import connection

        statements = 0

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal statements
            statements += 1
            return execute(sql, params, many, context)

        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            report = poll_mailbox(mailbox, limit=len(messages))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        unseen = [uid for uid, flags in server.flags(user).items() if "\\Seen" not in flags]
    tickets = Ticket.objects.filter(workspace=workspace).count()
    timeline = Message.objects.filter(workspace=workspace).count()
    print(f"database: {engine}; messages: {len(messages)}; statuses: {dict(report.statuses)}; error: {report.error!r}")
    print(f"tickets created: {tickets}; timeline entries: {timeline}; left unseen on the server: {len(unseen)}")
    print(f"parse only: {parse_rate:,.0f} messages/s")
    print(f"IMAP → tickets, one consumer: {report.fetched / elapsed:,.1f} messages/s "
          f"({elapsed:.1f} s, {1000 * elapsed / max(report.fetched, 1):.1f} ms per message; target ≥ 50/s)")
    # On a shared machine the wall clock counts other processes' time too: the consumer's own CPU
    # time (all its threads, Kiwi's included) says what one free core would do.
    print(f"consumer CPU time: {cpu:.1f} s = {1000 * cpu / max(report.fetched, 1):.1f} ms per message "
          f"→ {report.fetched / max(cpu, 1e-9):,.1f} messages per CPU-second; load average {os.getloadavg()[0]:.1f}")
    print(f"SQL statements: {statements:,} = {statements / max(report.fetched, 1):.1f} per message "
          "(every ticket-lifecycle hook included)")
    return 0 if not report.error else 1


if __name__ == "__main__":
    raise SystemExit(main())
