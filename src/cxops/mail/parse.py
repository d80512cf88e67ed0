"""Parse one received mail (RFC 5322 bytes) into plain data. No Django, no database.

The structure comes from Python's `email` package with the compat32 policy, which never raises
on malformed input and keeps raw header bytes; every header and text part is then decoded by
`cxops.mail.decode` (declared charset → UTF-8 → CP949 → Latin-1 with mojibake checks). Address
headers go through `policy.default`'s parser first and fall back to `email.utils.getaddresses`.

Limits (decided here, applied by the caller): a mail larger than `max_bytes` or nested deeper
than `max_depth` is not parsed at all (→ quarantine, the original kept); a text body longer than
`max_body_chars` is truncated with a notice (the original is kept beside the ticket message).
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message as PyMessage
from email.parser import BytesHeaderParser

from cxops.mail.decode import decode_header, decode_text

MAX_BYTES = 25 * 1024 * 1024
MAX_DEPTH = 20
MAX_BODY_CHARS = 30_000
TRUNCATED_NOTICE = "\n\n…(본문이 너무 길어 잘렸습니다. 전체 내용은 원본 메일에서 확인하세요.)"


class EmailParseError(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedEmail:
    message_id: str  # without angle brackets; "" when the mail has none
    external_id: str  # message_id, or "hash:<sha256>" of the content
    subject: str
    from_name: str
    from_addr: str
    reply_to: str
    to: list[str]
    cc: list[str]
    date: datetime | None
    in_reply_to: list[str]
    references: list[str]
    text: str
    html: str
    attachments: list[ParsedAttachment] = field(default_factory=list)
    auto: str = ""  # "", "auto_reply", "bounce", "list", "loop"
    auto_reason: str = ""
    bounced_message_ids: list[str] = field(default_factory=list)
    truncated: bool = False
    charsets: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


_PLAIN_ADDR = re.compile(r"^[^\s@\"<>]+@[^\s@<>]+\.[^\s@<>]+$")
_ADDR_IN_TEXT = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+")
_MSGID = re.compile(r"<([^<>\s]+)>")
_TICKET_NUMBER = re.compile(r"\[#(\d{1,9})\]")


def ticket_number_in(subject: str) -> int | None:
    match = _TICKET_NUMBER.search(subject)
    return int(match.group(1)) if match else None


def message_ids(value: str) -> list[str]:
    found = _MSGID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip().strip("<>")]
    return list(dict.fromkeys(found))


def _raw_header(msg: PyMessage, name: str) -> str | None:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _header(msg: PyMessage, name: str) -> str:
    return decode_header(_raw_header(msg, name))


def _addresses(msg: PyMessage, name: str) -> list[tuple[str, str]]:
    text = _header(msg, name)
    if not text:
        return []
    try:
        parsed = email.policy.default.header_factory(name, text)
        result = [(a.display_name, a.addr_spec) for a in getattr(parsed, "addresses", ())]
        if result and all(_PLAIN_ADDR.match(addr) for _, addr in result):
            return result
    except Exception:
        pass
    found = [(n, a) for n, a in email.utils.getaddresses([text]) if _PLAIN_ADDR.match(a)]
    if found:
        return found
    # "홍길동 hong@example.kr": a bare address after a name, no angle brackets.
    match = _ADDR_IN_TEXT.search(text)
    if match:
        return [(text[:match.start()].strip(' "<'), match.group(0))]
    return []


def _depth(msg: PyMessage, limit: int, level: int = 0) -> int:
    if level > limit:
        return level
    payload = msg.get_payload()
    if isinstance(payload, list):
        deepest = level
        for part in payload:
            if isinstance(part, PyMessage):
                deepest = max(deepest, _depth(part, limit, level + 1))
                if deepest > limit:
                    break
        return deepest
    return level


def _filename(part: PyMessage) -> str:
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = part.get_param(param, header=header)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text with bytes as Latin-1)
            charset, _lang, text = value
            return decode_text(str(text).encode("latin-1", "replace"), charset or None)[0]
        return decode_header(str(value).strip('"'))
    return ""


def _part_text(part: PyMessage, charsets: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    text, used = decode_text(payload, part.get_content_charset())
    charsets.append(used)
    return text.replace("\r\n", "\n").replace("\x00", "")


_GUESS_TYPES = {".hwp": "application/x-hwp", ".hwpx": "application/haansofthwp", ".csv": "text/csv",
                ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _content_type(part: PyMessage, filename: str) -> str:
    declared = part.get_content_type()
    if declared in ("application/octet-stream", "application/unknown", "binary/octet-stream") and filename:
        ext = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
        return _GUESS_TYPES.get(ext) or mimetypes.guess_type(filename)[0] or declared
    return declared


_AUTO_SUBJECT = re.compile(
    r"^\s*(자동\s?응답|자동\s?회신|부재\s?중|Automatic reply|Auto(matic)?[- ]?Reply|Out of (the )?Office|"
    r"Abwesenheitsnotiz)\b", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"(Undeliver(able|ed)|Delivery Status Notification|Mail Delivery (Failed|Failure|System)|Returned mail|"
    r"메일 (발송|전송) 실패|메일이 반송|전달되지 않았습니다)", re.IGNORECASE)
_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|bounce[s]?|no-?reply-?bounce)([+@-]|$)", re.IGNORECASE)


def _bounced_ids(msg: PyMessage) -> list[str]:
    ids: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/rfc822" and isinstance(part.get_payload(), list):
            for inner in part.get_payload():
                if isinstance(inner, PyMessage):
                    ids += message_ids(_header(inner, "Message-ID"))
        elif ctype == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                headers = BytesHeaderParser().parsebytes(payload)
                ids += message_ids(decode_header(headers.get("Message-ID")))
    return list(dict.fromkeys(ids))


def classify(msg: PyMessage, from_addr: str, subject: str, *, own_domains: tuple[str, ...] = (),
             is_own_id: object = None) -> tuple[str, str]:
    """("auto_reply" | "bounce" | "list" | "loop" | "", reason)."""
    local = from_addr.split("@", 1)[0]
    ctype = msg.get_content_type()
    if ctype == "multipart/report" or _DAEMONS.match(local) or (_BOUNCE_SUBJECT.search(subject)
                                                               and _raw_header(msg, "Return-Path") == "<>"):
        return "bounce", f"반송 메일 (보낸 사람 {from_addr or '없음'}, 형식 {ctype})"
    if _raw_header(msg, "X-CXOps-Mailbox") is not None:
        return "loop", "이 시스템이 보낸 메일이 되돌아왔습니다 (X-CXOps-Mailbox)"
    message_id = (message_ids(_header(msg, "Message-ID")) or [""])[0]
    if callable(is_own_id) and message_id and is_own_id(message_id):
        return "loop", f"이 시스템이 만든 Message-ID입니다: {message_id}"
    auto_submitted = _header(msg, "Auto-Submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "auto_reply", f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if _raw_header(msg, name) is not None:
            return "auto_reply", f"{name} 헤더"
    precedence = _header(msg, "Precedence").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return ("auto_reply" if precedence == "auto_reply" else "list"), f"Precedence: {precedence}"
    if _raw_header(msg, "List-Id") is not None or _raw_header(msg, "List-Unsubscribe") is not None:
        return "list", "메일링 리스트 (List-Id/List-Unsubscribe)"
    if _AUTO_SUBJECT.match(subject):
        return "auto_reply", f"자동 응답 제목: {subject[:60]}"
    return "", ""


def content_hash(raw: bytes, msg: PyMessage) -> str:
    """Identity of a mail without a Message-ID: sender, date, subject and body, not the trace
    headers a server adds on the way."""
    split = raw.find(b"\r\n\r\n")
    if split < 0:
        split = raw.find(b"\n\n")
    body = raw[split:] if split >= 0 else b""
    digest = hashlib.sha256()
    for name in ("From", "Date", "Subject", "To"):
        digest.update(str(_raw_header(msg, name) or "").encode("utf-8", "surrogateescape") + b"\0")
    digest.update(body.replace(b"\r\n", b"\n"))
    return "hash:" + digest.hexdigest()


def parse_email(raw: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH,
                max_body_chars: int = MAX_BODY_CHARS, is_own_id: object = None) -> ParsedEmail:
    if len(raw) > max_bytes:
        raise EmailParseError("too_large", f"메일 크기 {len(raw):,}바이트가 한도 {max_bytes:,}바이트를 넘습니다.")
    if not raw.strip():
        raise EmailParseError("empty", "내용이 없는 메일입니다.")
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:
        raise EmailParseError("unparseable", f"메일 구조를 해석할 수 없습니다: {exc}") from exc
    if not list(msg.raw_items()):
        raise EmailParseError("unparseable", "메일 헤더가 없습니다.")
    depth = _depth(msg, max_depth)
    if depth > max_depth:
        raise EmailParseError("too_deep", f"MIME 중첩이 {max_depth}단계를 넘습니다.")

    senders = _addresses(msg, "From") or _addresses(msg, "Sender") or _addresses(msg, "Return-Path")
    from_name, from_addr = senders[0] if senders else ("", "")
    from_addr = from_addr.strip().lower()
    subject = _header(msg, "Subject")
    date: datetime | None = None
    date_text = _header(msg, "Date")
    if date_text:
        try:
            date = email.utils.parsedate_to_datetime(date_text)
            if date.tzinfo is None:
                date = None
        except (TypeError, ValueError, IndexError):
            date = None
    message_id = (message_ids(_header(msg, "Message-ID")) or [""])[0][:240]
    reply_to = (_addresses(msg, "Reply-To") or [("", "")])[0][1].lower()

    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[ParsedAttachment] = []
    charsets: list[str] = []

    def visit(part: PyMessage, in_alternative: bool) -> None:
        ctype = part.get_content_type()
        if part.is_multipart():
            children = [p for p in part.get_payload() if isinstance(p, PyMessage)]
            if ctype == "message/rfc822":
                return  # forwarded/bounced originals stay in the raw mail
            if ctype == "multipart/alternative":
                # Take the richest text and HTML versions once.
                plain = [c for c in children if c.get_content_type() == "text/plain"]
                rich = [c for c in children if c.get_content_type() == "text/html"]
                others = [c for c in children if c.get_content_type() not in ("text/plain", "text/html")]
                if plain:
                    texts.append(_part_text(plain[-1], charsets))
                if rich:
                    htmls.append(_part_text(rich[-1], charsets))
                for child in others:
                    visit(child, True)
                return
            for child in children:
                visit(child, in_alternative)
            return
        disposition = str(part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
        filename = _filename(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            (texts if ctype == "text/plain" else htmls).append(_part_text(part, charsets))
            return
        if ctype.startswith("message/") or ctype in ("text/rfc822-headers",):
            return
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return
        content_id = (message_ids(decode_header(part.get("Content-ID"))) or [""])[0]
        if not filename:
            ext = mimetypes.guess_extension(ctype) or ".bin"
            filename = f"{content_id.split('@')[0] or 'attachment'}{ext}"
        attachments.append(ParsedAttachment(
            filename=filename[:200], content_type=_content_type(part, filename), content=payload,
            content_id=content_id, inline=bool(content_id) and disposition != "attachment"))

    visit(msg, False)
    text = "\n\n".join(t.strip("\n") for t in texts if t.strip())
    html = "\n".join(h for h in htmls if h.strip())
    truncated = False
    if len(text) > max_body_chars:
        text, truncated = text[:max_body_chars] + TRUNCATED_NOTICE, True
    if len(html) > max_body_chars * 3:
        html, truncated = "", True
    auto, auto_reason = classify(msg, from_addr, subject, is_own_id=is_own_id)
    return ParsedEmail(
        message_id=message_id,
        external_id=message_id or content_hash(raw, msg),
        subject=subject[:250],
        from_name=from_name.strip().strip('"')[:120],
        from_addr=from_addr,
        reply_to=reply_to,
        to=[a for _, a in _addresses(msg, "To")],
        cc=[a for _, a in _addresses(msg, "Cc")],
        date=date,
        in_reply_to=message_ids(_header(msg, "In-Reply-To")),
        references=message_ids(_header(msg, "References")),
        text=text,
        html=html,
        attachments=attachments,
        auto=auto,
        auto_reason=auto_reason,
        bounced_message_ids=_bounced_ids(msg) if auto == "bounce" else [],
        truncated=truncated,
        charsets=list(dict.fromkeys(charsets)),
        headers={k: _header(msg, k)[:500] for k in ("From", "To", "Cc", "Date", "Subject", "Message-ID",
                                                     "In-Reply-To", "Auto-Submitted", "Precedence")
                 if _raw_header(msg, k) is not None},
    )
