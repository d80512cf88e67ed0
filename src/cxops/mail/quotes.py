"""Quoted text and signatures in replies (Korean and English mail clients). Pure functions."""

from __future__ import annotations

import re

# A line that starts the quoted original. Checked on each line (and on a line joined with the
# next, since clients wrap long attribution lines).
_QUOTE_HEADS = [
    re.compile(r"^\s*-{2,}\s*(Original Message|Forwarded message|원본 메시지|원본 메일|원본메일|전달된 메시지)\s*-{2,}\s*$",
               re.IGNORECASE),
    # Gmail (Korean): "2026년 11월 23일 (월) 오후 3:00, 홍길동 <a@b.kr>님이 작성:"
    re.compile(r"^\s*20\d\d년\s*\d{1,2}월\s*\d{1,2}일.{0,120}작성\s*:\s*$"),
    re.compile(r"^\s*20\d\d[-./]\s?\d{1,2}[-./]\s?\d{1,2}.{0,120}(작성|wrote)\s*:\s*$", re.IGNORECASE),
    # Gmail / Apple Mail (English): "On Mon, Nov 23, 2026 at 3:00 PM Hong <a@b.kr> wrote:"
    re.compile(r"^\s*On\s.{4,200}\swrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*.{1,120}님이 (다음과 같이 )?(작성|썼습니다|보냄)\s*:?\s*$"),
]
# Outlook / Naver / Daum header blocks: "보낸 사람:" or "From:" followed by another header line.
_BLOCK_FIRST = re.compile(r"^\s*\**\s*(보낸\s?사람|From|보낸\s?이)\s*\**\s*:", re.IGNORECASE)
_BLOCK_NEXT = re.compile(r"^\s*\**\s*(받는\s?사람|보낸\s?날짜|날짜|Sent|Date|To|제목|Subject|참조|Cc)\s*\**\s*:",
                         re.IGNORECASE)
_SIGNATURE = re.compile(r"^--\s?$")
_SENT_FROM = re.compile(
    r"^\s*(Sent from my \w+.*|iPhone에서 보냄|Galaxy에서 보냄|(삼성 )?갤럭시에서 보냄|Android에서 보냄|"
    r"네이버 메일 앱에서 보냄|다음 메일 앱에서 보냄|Outlook for (iOS|Android).*)\s*$",
    re.IGNORECASE,
)


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        joined = stripped + " " + lines[i + 1].strip() if i + 1 < len(lines) else stripped
        if any(p.match(stripped) or p.match(joined) for p in _QUOTE_HEADS):
            return i
        if _BLOCK_FIRST.match(stripped):
            following = [x for x in lines[i + 1:i + 5] if x.strip()]
            if following and _BLOCK_NEXT.match(following[0]):
                return i
        if stripped.startswith(">") and all(not x.strip() or x.lstrip().startswith(">") for x in lines[i:]):
            return i  # a trailing block of "> …" lines
    return None


def strip_reply(text: str) -> tuple[str, bool]:
    """(the new part of a reply, whether anything was cut). A message that would be empty once
    stripped (top-posted nothing, forwarded mail) is returned whole."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = len(lines)
    start = _quote_start(lines)
    if start is not None:
        cut = start
    for i, line in enumerate(lines[:cut]):
        if _SIGNATURE.match(line):
            cut = i
            break
    kept = [line for line in lines[:cut] if not _SENT_FROM.match(line)]
    new = "\n".join(kept).strip()
    if not new:
        return text.strip(), False
    return new, new != text.strip()
