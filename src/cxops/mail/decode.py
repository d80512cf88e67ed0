"""Text decoding for real-world Korean mail: declared charsets are often wrong.

Pure functions, no Django. `decode_text` tries the declared charset, then UTF-8, CP949 and
Latin-1, and rejects a candidate that decodes "successfully" into mojibake (UTF-8 read as Latin-1,
CP949 read as Latin-1). `decode_header` decodes RFC 2047 encoded words, joining adjacent words of
one charset before decoding (webmail often splits a Hangul syllable's bytes across two words),
and raw 8-bit header bytes.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re

# Legacy Korean names all decode with CP949, a superset of EUC-KR (KS X 1001): mail declared
# EUC-KR is very often really CP949 (똠, 쌰, 햏 …), so reading it as CP949 loses nothing.
_ALIASES = {
    "euc-kr": "cp949", "euc_kr": "cp949", "euckr": "cp949", "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949",
    "ksc5601": "cp949", "ksc_5601": "cp949", "x-windows-949": "cp949", "windows-949": "cp949", "uhc": "cp949",
    "unknown-8bit": "", "x-unknown": "", "unknown": "", "x-user-defined": "", "default": "",
    "utf8": "utf-8", "iso-2022-kr": "iso2022_kr", "us-ascii": "ascii", "ascii": "ascii",
}
_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15", "cp1250"}
_ISO2022_KR_ESC = b"\x1b$)C"


def normalize_charset(name: str | None) -> str:
    """A Python codec name for a declared charset, or "" when it is unknown or meaningless."""
    if not name:
        return ""
    clean = name.strip().strip('"').lower().split("*", 1)[0]
    if clean in _ALIASES:
        return _ALIASES[clean]
    try:
        return codecs.lookup(clean).name
    except LookupError:
        return ""


def _hangul_share(text: str) -> float:
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 1.0
    good = sum(1 for c in non_ascii if "\uac00" <= c <= "\ud7a3" or "\u3130" <= c <= "\u318f"
               or c in "·…‘’“”–—•※○●■□▶▷★☆→←↑↓①②③④⑤、。「」『』【】〈〉《》" or "\u3000" <= c <= "\u303f")
    return good / len(non_ascii)


def mojibake_score(text: str) -> int:
    """Higher is more suspicious: Latin-1 letters from mis-read multibyte text, replacement
    characters and C1 controls."""
    bad = 0
    for c in text:
        o = ord(c)
        if c == "\ufffd" or 0x80 <= o <= 0x9f:
            bad += 3
        elif 0xc0 <= o <= 0xff or o in (0xa1, 0xa4, 0xa6, 0xa7, 0xa8, 0xaa, 0xaf, 0xb0, 0xb4, 0xb8, 0xba):
            bad += 1
    return bad


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, codec used). Never raises; the last resort keeps every byte as Latin-1."""
    if not data:
        return "", normalize_charset(declared) or "utf-8"
    charset = normalize_charset(declared)
    if _ISO2022_KR_ESC in data or charset == "iso2022_kr":
        try:
            return data.decode("iso2022_kr"), "iso2022_kr"
        except UnicodeDecodeError:
            charset = ""
    if data.isascii():
        return data.decode("ascii"), charset or "ascii"
    # Strictly valid UTF-8 with non-ASCII bytes is almost never anything else; legacy Korean
    # text is almost never valid UTF-8.
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if utf8 is not None and charset not in ("", "utf-8") and charset not in _SINGLE_BYTE:
        try:
            declared_text = data.decode(charset)
        except UnicodeDecodeError:
            return utf8, "utf-8"
        return (declared_text, charset) if _hangul_share(declared_text) > _hangul_share(utf8) else (utf8, "utf-8")
    candidates = [c for c in dict.fromkeys([charset, "utf-8", "cp949"]) if c]
    for name in candidates:
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if name in _SINGLE_BYTE and mojibake_score(text) > 0:
            # A single-byte charset always "works": prefer a multibyte reading that makes sense.
            for better in ("utf-8", "cp949"):
                try:
                    alt = data.decode(better)
                except UnicodeDecodeError:
                    continue
                if _hangul_share(alt) > 0.5:
                    return alt, better
        return text, name
    try:
        return data.decode("cp949", errors="strict"), "cp949"
    except UnicodeDecodeError:
        pass
    # Mostly CP949 with a few broken bytes beats Latin-1 soup.
    lossy = data.decode("cp949", errors="replace")
    if lossy.count("\ufffd") * 20 < len(lossy) and _hangul_share(lossy) > 0.5:
        return lossy, "cp949"
    return data.decode("latin-1"), "latin-1"


_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_FOLD = re.compile(rb"\r?\n[ \t]+")


def _word_bytes(encoding: bytes, payload: bytes) -> bytes:
    if encoding in (b"b", b"B"):
        clean = re.sub(rb"[^A-Za-z0-9+/]", b"", payload)
        clean += b"=" * (-len(clean) % 4)
        try:
            return base64.b64decode(clean)
        except (binascii.Error, ValueError):
            return payload
    return quopri.decodestring(payload.replace(b"_", b" "), header=True)


def decode_header(value: str | bytes | None) -> str:
    """A header value as text: encoded words (in broken charsets too) and raw 8-bit bytes."""
    if value is None:
        return ""
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape")
    raw = _FOLD.sub(b" ", raw).replace(b"\r", b"").replace(b"\n", b"")
    pieces: list[tuple[str, bytes]] = []  # (charset or "" for plain, bytes)
    pos = 0
    for match in _ENCODED_WORD.finditer(raw):
        between = raw[pos:match.start()]
        # White space between two encoded words is not part of the text (RFC 2047 §6.2).
        if between and not (between.strip() == b"" and pieces and pieces[-1][0]):
            pieces.append(("", between))
        charset = match.group(1).decode("ascii", "replace").lower().split("*", 1)[0]
        data = _word_bytes(match.group(2), match.group(3))
        if pieces and pieces[-1][0] == charset:
            pieces[-1] = (charset, pieces[-1][1] + data)
        else:
            pieces.append((charset, data))
        pos = match.end()
    if pos < len(raw):
        pieces.append(("", raw[pos:]))
    out = []
    for charset, data in pieces:
        if charset:
            out.append(decode_text(data, charset)[0])
        else:
            out.append(decode_text(data, None)[0])
    return " ".join("".join(out).split())
