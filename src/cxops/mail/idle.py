"""IMAP IDLE (RFC 2177) for `cxops mail idle`: the server says when mail arrives, and we poll then.

Python 3.11's imaplib has no IDLE command, so it is spoken here over imaplib's own connection.
Servers without IDLE get plain polling every `interval` seconds.
"""

from __future__ import annotations

import imaplib
import logging
import select
import time

from cxops.mail.models import Mailbox
from cxops.mail.poll import poll_mailbox
from cxops.mail.transport import MailConnectionError, _close_imap, imap_connect, imap_select

log = logging.getLogger(__name__)
# Servers drop an IDLE after 30 minutes; renew well before.
MAX_IDLE_S = 25 * 60


def supports_idle(conn: imaplib.IMAP4) -> bool:
    return "IDLE" in conn.capabilities


def _is_new_mail(line: bytes) -> bool:
    return line.startswith(b"*") and (b"EXISTS" in line or b"RECENT" in line)


def idle_wait(conn: imaplib.IMAP4, timeout: float) -> bool:
    """Block in IDLE until the server reports new mail (True) or `timeout` passes (False)."""
    tag = conn._new_tag()  # type: ignore[attr-defined]
    conn.send(tag + b" IDLE\r\n")
    first = conn.readline()
    if not first.startswith(b"+"):
        raise MailConnectionError(f"IMAP 서버가 IDLE을 거절했습니다: {first!r}")
    sock = conn.socket()
    woke = False
    deadline = time.monotonic() + timeout
    while not woke:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        # Wait on the socket itself: a read timeout would poison imaplib's buffered reader. A line
        # already buffered there is read below, after DONE, at the latest.
        readable, _w, _x = select.select([sock], [], [], remaining)
        if not readable:
            break
        line = conn.readline()
        if not line:
            raise MailConnectionError("IMAP 서버가 연결을 끊었습니다.")
        woke = _is_new_mail(line)
    conn.send(b"DONE\r\n")
    while True:
        line = conn.readline()
        if not line or line.startswith(tag):
            break
        woke = woke or _is_new_mail(line)
    return woke


def idle_loop(mailbox: Mailbox, *, interval: int = 300, rounds: int = 0) -> None:
    """Poll, then wait (IDLE or sleep), forever or for `rounds` wake-ups."""
    done = 0
    while rounds <= 0 or done < rounds:
        poll_mailbox(mailbox)
        done += 1
        if rounds and done >= rounds:
            return
        try:
            conn = imap_connect(mailbox)
            try:
                imap_select(conn, mailbox.imap_folder)
                if supports_idle(conn):
                    idle_wait(conn, min(interval, MAX_IDLE_S))
                else:
                    time.sleep(interval)
            finally:
                _close_imap(conn)
        except (MailConnectionError, OSError, imaplib.IMAP4.error) as exc:
            log.warning("mailbox %s: IDLE failed (%s); retrying in a minute", mailbox.pk, exc)
            time.sleep(min(interval, 60))
