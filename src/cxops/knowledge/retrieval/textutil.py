"""Small text helpers of the retrieval engine (the Korean morpheme analysis lives in cxops.core.text)."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z가-힣]+")


def compact_lower(text: str) -> str:
    """NFKC, lower case, only Hangul syllables, digits and Latin letters (no spaces, no punctuation)."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def char_bigrams(text: str) -> list[str]:
    """Syllable bigrams of the text with spaces and punctuation removed (survive typos and spacing)."""
    compact = compact_lower(text)
    if len(compact) < 2:
        return [compact] if compact else []
    return [compact[i : i + 2] for i in range(len(compact) - 1)]
