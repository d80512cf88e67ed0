"""Korean phone numbers: one canonical form so the same customer is found again."""

from __future__ import annotations

import re

import phonenumbers

_NON_DIGITS = re.compile(r"[^\d+]")


def normalize_phone(raw: str) -> str | None:
    """Return the national digits ("01012345678", "0215881234") or None when it is no phone number.

    Accepts 010-1234-5678, 01012345678, +82 10-1234-5678, 82-10-..., (02) 1588-1234, 1588-1234.
    """
    if not raw:
        return None
    cleaned = _NON_DIGITS.sub("", raw.strip())
    if not cleaned:
        return None
    if cleaned.startswith("82") and not cleaned.startswith("+"):
        cleaned = "+" + cleaned
    digits = cleaned.lstrip("+")
    # Nationwide representative numbers (대표번호) such as 1588-1234 have no area code.
    if not cleaned.startswith("+") and len(digits) == 8 and digits[:2] in {"15", "16", "18"}:
        return digits
    try:
        parsed = phonenumbers.parse(cleaned, "KR")
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code != 82 or not phonenumbers.is_possible_number(parsed):
        return None
    national = str(parsed.national_number)
    if len(national) == 8 and national[:2] in {"15", "16", "18"}:
        return national
    # Korean subscriber numbers have 9 to 11 digits with the leading 0 (02-123-4567 … 010-1234-5678).
    if not 8 <= len(national) <= 10:
        return None
    return "0" + national


def format_phone(digits: str) -> str:
    """Display form: 010-1234-5678, 02-123-4567, 1588-1234."""
    if len(digits) == 8:
        return f"{digits[:4]}-{digits[4:]}"
    if digits.startswith("02"):
        rest = digits[2:]
        return f"02-{rest[:-4]}-{rest[-4:]}"
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


def looks_like_phone(raw: str) -> bool:
    return normalize_phone(raw) is not None and len(_NON_DIGITS.sub("", raw)) >= 8
