"""Reading a mailbox over IMAP: new UIDs since the last one seen, each mail ingested in its own
transaction, and flagged \\Seen on the server only after that transaction committed."""

from __future__ import annotations

import imaplib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import DatabaseError

from cxops.mail import services
from cxops.mail.models import Mailbox
from cxops.mail.transport import MailConnectionError, _close_imap, imap_connect, imap_select

log = logging.getLogger(__name__)

FETCH_BATCH = 50
_UID = re.compile(rb"UID (\d+)")


@dataclass
class PollReport:
    mailbox_id: int
    fetched: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"mailbox": self.mailbox_id, "fetched": self.fetched, "statuses": dict(self.statuses),
                "error": self.error}


def _fetch(conn: imaplib.IMAP4, uids: list[int]) -> dict[int, bytes]:
    typ, data = conn.uid("FETCH", ",".join(str(u) for u in uids), "(UID BODY.PEEK[])")
    if typ != "OK":
        raise MailConnectionError(f"IMAP FETCH 실패: {data!r}")
    found: dict[int, bytes] = {}
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2:
            match = _UID.search(item[0])
            if match:
                found[int(match.group(1))] = item[1]
    return found


def poll_mailbox(mailbox: Mailbox, *, limit: int = 1000) -> PollReport:
    report = PollReport(mailbox_id=mailbox.pk)
    try:
        conn = imap_connect(mailbox)
    except MailConnectionError as exc:
        report.error = str(exc)
        services.mailbox_poll_record(mailbox=mailbox, ok=False, error=report.error)
        return report
    try:
        uidvalidity, _count = imap_select(conn, mailbox.imap_folder)
        reset = mailbox.uidvalidity is not None and mailbox.uidvalidity != uidvalidity
        if reset:
            # The server renumbered the folder: read it all again; Message-IDs keep ingest idempotent.
            log.warning("mailbox %s: UIDVALIDITY changed %s → %s", mailbox.pk, mailbox.uidvalidity, uidvalidity)
            mailbox.last_uid = 0
        if mailbox.uidvalidity != uidvalidity:
            services.mailbox_poll_record(mailbox=mailbox, ok=True, uidvalidity=uidvalidity, reset=reset)
        typ, data = conn.uid("SEARCH", f"UID {mailbox.last_uid + 1}:*")
        if typ != "OK":
            raise MailConnectionError(f"IMAP SEARCH 실패: {data!r}")
        uids = sorted(u for u in (int(x) for x in (data[0] or b"").split()) if u > mailbox.last_uid)[:limit]
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start:start + FETCH_BATCH]
            bodies = _fetch(conn, batch)
            done: list[int] = []
            present = [uid for uid in batch if uid in bodies]  # others were expunged meanwhile
            parsed = services.parse_batch([bodies[uid] for uid in present], mailbox)
            for uid, parsed_mail in zip(present, parsed, strict=True):
                result = services.email_ingest(workspace=mailbox.workspace, raw=bodies[uid], mailbox=mailbox,
                                               imap_uid=uid, parsed=parsed_mail)
                report.fetched += 1
                report.statuses[result.status] += 1
                done.append(uid)
            if done:  # committed: now the server may show them as read
                conn.uid("STORE", ",".join(str(u) for u in done), "+FLAGS.SILENT", "(\\Seen)")
        services.mailbox_poll_record(mailbox=mailbox, ok=True)
    except (MailConnectionError, OSError, imaplib.IMAP4.error, DatabaseError) as exc:
        report.error = str(exc) or type(exc).__name__
        log.warning("mailbox %s poll failed: %s", mailbox.pk, report.error)
        services.mailbox_poll_record(mailbox=mailbox, ok=False, error=report.error)
    finally:
        _close_imap(conn)
    return report
