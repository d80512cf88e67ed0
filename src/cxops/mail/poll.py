"""Reading a mailbox over IMAP: new UIDs since the last one seen, fetched FETCH_BATCH at a time in
one UID FETCH, parsed and analysed as a batch, each mail ingested in its own transaction, and the
batch's committed mails flagged \\Seen on the server in one UID STORE after their commits."""

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


def uid_set(uids: list[int]) -> str:
    """An IMAP sequence set with runs collapsed: [1, 2, 3, 7, 9, 10] → "1:3,7,9:10"."""
    parts: list[str] = []
    ordered = sorted(set(uids))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}:{ordered[j]}")
        i = j + 1
    return ",".join(parts)


def _fetch(conn: imaplib.IMAP4, uids: list[int]) -> dict[int, bytes]:
    # BODY.PEEK: fetching must not set \Seen; that waits for the commit.
    typ, data = conn.uid("FETCH", uid_set(uids), "(UID BODY.PEEK[])")
    if typ != "OK":
        raise MailConnectionError(f"IMAP FETCH 실패: {data!r}")
    wanted = set(uids)
    found: dict[int, bytes] = {}
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2:
            match = _UID.search(item[0])
            if match and int(match.group(1)) in wanted:
                found[int(match.group(1))] = item[1]
    return found


def _mark_seen(conn: imaplib.IMAP4, uids: list[int], *, failing: bool) -> None:
    try:
        typ, data = conn.uid("STORE", uid_set(uids), "+FLAGS.SILENT", "(\\Seen)")
        if typ != "OK":
            raise MailConnectionError(f"IMAP STORE 실패: {data!r}")
    except (MailConnectionError, OSError, imaplib.IMAP4.error):
        if not failing:
            raise
        # Already failing for another reason (reported): the mails are in tickets, only unflagged.
        log.warning("mailbox: could not flag %s mails as seen", len(uids), exc_info=True)


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
        workspace = mailbox.workspace
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start:start + FETCH_BATCH]
            bodies = _fetch(conn, batch)
            present = [uid for uid in batch if uid in bodies]  # others were expunged meanwhile
            prepared = services.prepare_batch(workspace=workspace, mailbox=mailbox,
                                              raws=[bodies[uid] for uid in present])
            done: list[int] = []
            failing = True
            try:
                for uid, parsed_mail in zip(present, prepared.parsed, strict=True):
                    result = services.email_ingest(workspace=workspace, raw=bodies[uid], mailbox=mailbox,
                                                   imap_uid=uid, parsed=parsed_mail, known=prepared.known)
                    report.fetched += 1
                    report.statuses[result.status] += 1
                    done.append(uid)
                failing = False
            finally:
                if done:  # committed: now the server may show them as read
                    _mark_seen(conn, done, failing=failing)
        services.mailbox_poll_record(mailbox=mailbox, ok=True)
    except (MailConnectionError, OSError, imaplib.IMAP4.error, DatabaseError) as exc:
        report.error = str(exc) or type(exc).__name__
        log.warning("mailbox %s poll failed: %s", mailbox.pk, report.error)
        services.mailbox_poll_record(mailbox=mailbox, ok=False, error=report.error)
    finally:
        _close_imap(conn)
    return report
