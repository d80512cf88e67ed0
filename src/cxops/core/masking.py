"""PII masking for screens and exports seen by people who need no full personal data (PIPA)."""

from __future__ import annotations

import re

from cxops.core.phones import format_phone, normalize_phone

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])([A-Za-z0-9._%+-]*)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(01[016789]|02|0[3-6][1-5])[-. ]?(\d{3,4})[-. ]?(\d{4})(?!\d)")


def mask_name(name: str) -> str:
    """홍길동 → 홍*동, 김철 → 김*, John Smith → J*** S****."""
    name = name.strip()
    if not name:
        return ""
    if " " in name:
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split() if part)
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(raw: str) -> str:
    digits = normalize_phone(raw) or re.sub(r"\D", "", raw)
    if len(digits) < 7:
        return "*" * len(digits)
    shown = format_phone(digits)
    head, _, tail = shown.rpartition("-")
    prefix, _, middle = head.rpartition("-")
    if prefix:
        return f"{prefix}-{'*' * len(middle)}-{tail}"
    return f"{'*' * len(head)}-{tail}"


def mask_email(raw: str) -> str:
    local, _, domain = raw.partition("@")
    if not domain:
        return mask_name(raw)
    keep = local[:2] if len(local) > 3 else local[:1]
    return f"{keep}{'*' * max(len(local) - len(keep), 1)}@{domain}"


def mask_text(text: str) -> str:
    """Mask phone numbers and email addresses inside free text (verbatims in reports)."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: f"{m.group(1)}-{'*' * len(m.group(2))}-{m.group(3)}", text)
