"""Connections to a mailbox's IMAP and SMTP servers (imaplib, smtplib), and the connection test."""

from __future__ import annotations

import contextlib
import imaplib
import re
import smtplib
import ssl
from dataclasses import dataclass

from cxops.mail.models import Mailbox, Security
from cxops.mail.secrets import SecretUnreadable

TIMEOUT_S = 30


class MailConnectionError(Exception):
    """A server refused us or could not be reached; the message says what to check, in Korean."""


def _context() -> ssl.SSLContext:
    return ssl.create_default_context()


def imap_connect(mailbox: Mailbox) -> imaplib.IMAP4:
    try:
        password = mailbox.imap_password
    except SecretUnreadable as exc:
        raise MailConnectionError(str(exc)) from exc
    try:
        if mailbox.imap_security == Security.SSL:
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(mailbox.imap_host, mailbox.imap_port, ssl_context=_context(),
                                                    timeout=TIMEOUT_S)
        else:
            conn = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=TIMEOUT_S)
            if mailbox.imap_security == Security.STARTTLS:
                conn.starttls(ssl_context=_context())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailConnectionError(f"IMAP 서버 {mailbox.imap_host}:{mailbox.imap_port}에 연결할 수 없습니다: {exc}") from exc
    try:
        imap_login(conn, mailbox.imap_user, password)
    except imaplib.IMAP4.error as exc:
        _close_imap(conn)
        raise MailConnectionError(f"IMAP 로그인에 실패했습니다. 사용자와 비밀번호(앱 비밀번호)를 확인하세요: {exc}") from exc
    return conn


def imap_login(conn: imaplib.IMAP4, user: str, password: str) -> None:
    """LOGIN for ASCII credentials; AUTHENTICATE PLAIN (UTF-8) otherwise, which LOGIN cannot carry."""
    if (user + password).isascii():
        conn.login(user, password)
        return
    token = b"\0" + user.encode() + b"\0" + password.encode()
    conn.authenticate("PLAIN", lambda _challenge: token)


def _close_imap(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        conn.logout()


def imap_select(conn: imaplib.IMAP4, folder: str) -> tuple[int, int]:
    """Open the folder; (UIDVALIDITY, number of messages)."""
    typ, data = conn.select(_quote_folder(folder))
    if typ != "OK":
        raise MailConnectionError(f"IMAP 폴더를 열 수 없습니다: {folder}")
    count = int(data[0] or 0) if data and data[0] else 0
    _typ, validity = conn.response("UIDVALIDITY")
    uidvalidity = int(validity[0]) if validity and validity[0] else 0
    return uidvalidity, count


def _quote_folder(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"' if re.search(r'[\s"()]', folder) else folder


def smtp_connect(mailbox: Mailbox) -> smtplib.SMTP:
    try:
        password = mailbox.smtp_password
    except SecretUnreadable as exc:
        raise MailConnectionError(str(exc)) from exc
    try:
        if mailbox.smtp_security == Security.SSL:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(mailbox.smtp_host, mailbox.smtp_port, timeout=TIMEOUT_S,
                                                  context=_context())
        else:
            conn = smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port, timeout=TIMEOUT_S)
        conn.ehlo()
        if mailbox.smtp_security == Security.STARTTLS:
            conn.starttls(context=_context())
            conn.ehlo()
    except (OSError, smtplib.SMTPException) as exc:
        raise MailConnectionError(f"SMTP 서버 {mailbox.smtp_host}:{mailbox.smtp_port}에 연결할 수 없습니다: {exc}") from exc
    if mailbox.smtp_user:
        try:
            conn.login(mailbox.smtp_user, password)
        except smtplib.SMTPException as exc:
            conn.close()
            raise MailConnectionError(f"SMTP 로그인에 실패했습니다. 사용자와 비밀번호를 확인하세요: {exc}") from exc
    return conn


@dataclass(frozen=True)
class ConnectionReport:
    imap_ok: bool
    imap_message: str
    smtp_ok: bool
    smtp_message: str

    @property
    def ok(self) -> bool:
        return self.imap_ok and self.smtp_ok


def connection_test(mailbox: Mailbox) -> ConnectionReport:
    """Log in to IMAP and open the folder; EHLO (and log in) to SMTP. Sends nothing."""
    try:
        conn = imap_connect(mailbox)
        try:
            _validity, count = imap_select(conn, mailbox.imap_folder)
        finally:
            _close_imap(conn)
        imap_ok, imap_message = True, f"IMAP 연결 성공: {mailbox.imap_folder} 폴더에 메일 {count}통"
    except MailConnectionError as exc:
        imap_ok, imap_message = False, str(exc)
    try:
        smtp = smtp_connect(mailbox)
        smtp.quit()
        smtp_ok, smtp_message = True, "SMTP 연결 성공" + (" (로그인 확인)" if mailbox.smtp_user else "")
    except (MailConnectionError, OSError, smtplib.SMTPException) as exc:
        smtp_ok, smtp_message = False, str(exc)
    return ConnectionReport(imap_ok, imap_message, smtp_ok, smtp_message)
