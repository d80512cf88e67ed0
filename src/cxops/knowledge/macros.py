"""Macros that fit a ticket: syllable-bigram overlap between the ticket and each macro's title/body.

Macros are few (tens, rarely hundreds) per workspace, so scoring them all per panel load is cheap.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from cxops.core.models import Membership

_NON_WORD = re.compile(r"[^0-9a-z가-힣]+")
MIN_SCORE = 0.12


def bigrams(text: str) -> set[str]:
    compact = _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower())
    return {compact[i:i + 2] for i in range(len(compact) - 1)}


def score(query: set[str], title: str, body: str) -> float:
    """Share of the macro's title bigrams found in the query, blended with body overlap."""
    if not query:
        return 0.0
    t, b = bigrams(title), bigrams(body[:400])
    title_part = len(query & t) / len(t) if t else 0.0
    body_part = len(query & b) / (len(b) ** 0.5 * len(query) ** 0.5) if b else 0.0
    return 0.7 * title_part + 0.3 * body_part


def matching_macros(*, membership: Membership, text: str, limit: int = 3) -> list[Any]:
    from cxops.tickets.selectors import macros_list

    query = bigrams(text)
    scored = [(score(query, m.title, m.body), m) for m in macros_list(membership=membership)[:500]]
    return [m for s, m in sorted(scored, key=lambda x: (-x[0], x[1].title)) if s >= MIN_SCORE][:limit]
