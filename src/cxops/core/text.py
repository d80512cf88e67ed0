"""Korean text analysis shared by search, suggestions and tagging.

Kiwi splits Korean into morphemes and copes with missing spaces ("배송이너무늦어요" → 배송 / 늦),
so an index of content morphemes lets '환불' find '환불해주세요' and two-syllable words match
exactly, which a trigram index cannot do. Identifiers a customer quotes (phone numbers, emails,
order numbers) are kept whole next to the morphemes.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

# Content-bearing parts of speech: nouns, numbers, roots, verb/adjective stems, foreign words, hanja.
CONTENT_TAGS = frozenset(
    {"NNG", "NNP", "NR", "NP", "XR", "SL", "SH", "SN", "VV", "VA", "VV-R", "VV-I", "VA-R", "VA-I", "MAG", "NNB"}
)
# Frequent function-like morphemes that add noise to an index.
STOP_MORPHEMES = frozenset(
    {"하", "되", "있", "없", "것", "수", "등", "때", "좀", "그", "이", "저", "거", "게", "안", "더", "잘", "너무",
     "아주", "정말", "진짜", "다", "또", "제", "저희", "혹시", "같", "보", "주", "드리", "않", "못", "어떻"}
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\d+])(?:\+?82[\s.-]?\(?0?\)?|0)(1[016789]|2|[3-6][1-5])[\s.)-]?(\d{3,4})[\s.-]?(\d{4})(?!\d)")
_DIGIT_RUN = re.compile(r"(?<![\w])\+?\d[\d-]{5,}\d(?![\w])")
_ALNUM_ID = re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]{4,}\b")
_TOKEN_SAFE = re.compile(r"[^0-9a-z가-힣ㄱ-ㅎㅏ-ㅣ\u4e00-\u9fff]+")

_kiwi_lock = threading.Lock()
_kiwi: Kiwi | None = None


def get_kiwi() -> Kiwi:
    """The process-wide analyser (loading takes about a second, so it is shared)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def normalize(text: str) -> str:
    """NFKC (full-width → half-width, compatibility jamo) and collapsed white space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _safe(token: str) -> str:
    return _TOKEN_SAFE.sub("", token.lower())


def identifier_tokens(text: str) -> list[str]:
    """Emails, phone and order numbers kept whole, in a form every index tokenises as one word."""
    tokens: list[str] = []
    for email in _EMAIL.findall(text):
        tokens.append(_safe(email))
    phones = set()
    for prefix, middle, last in _PHONE.findall(text):
        phone = f"0{prefix}{middle}{last}"
        phones.add(phone)
        tokens.append(phone)
        tokens.append(last)  # agents search by the last four digits (뒷자리)
    for run in _DIGIT_RUN.findall(text):
        digits = re.sub(r"\D", "", run)
        if digits not in phones and not any(digits.endswith(p[1:]) for p in phones):
            tokens.append(digits)
    for ident in _ALNUM_ID.findall(text):
        tokens.append(_safe(ident))
    return [t for t in tokens if t]


def _morpheme_tokens(tokens: Iterable[object]) -> list[str]:
    result: list[str] = []
    for token in tokens:
        tag = getattr(token, "tag", "")
        form = getattr(token, "form", "")
        if tag not in CONTENT_TAGS:
            continue
        lexeme = _safe(form)
        if not lexeme or lexeme in STOP_MORPHEMES:
            continue
        if tag == "SN" and len(lexeme) < 2:
            continue
        result.append(lexeme)
    return result


def lexemes(text: str) -> list[str]:
    """Index terms for one text, in order, duplicates kept (they count for ranking)."""
    text = normalize(text)
    if not text:
        return []
    return _morpheme_tokens(get_kiwi().tokenize(text)) + identifier_tokens(text)


# Texts analysed by `prepare` just before a write transaction, so that the analysis inside it (while
# SQLite's single writer lock or a row lock is held) is a dictionary look-up. Small and short-lived.
_PREPARED_MAX = 256
_prepared: OrderedDict[str, list[str]] = OrderedDict()
_prepared_lock = threading.Lock()


def lexemes_many(texts: Sequence[str]) -> list[list[str]]:
    """Batch form of :func:`lexemes` for bulk indexing (Kiwi analyses a batch faster)."""
    normalized = [normalize(t) for t in texts]
    out: list[list[str] | None] = [None] * len(normalized)
    if _prepared:
        with _prepared_lock:
            for i, text in enumerate(normalized):
                found = _prepared.get(text)
                if found is not None:
                    out[i] = list(found)
    missing = [i for i, found in enumerate(out) if found is None]
    if missing:
        pending = [normalized[i] for i in missing]
        for i, text, tokens in zip(missing, pending, get_kiwi().tokenize(pending), strict=True):
            out[i] = _morpheme_tokens(tokens) + identifier_tokens(text) if text else []
    return [found or [] for found in out]


def prepare(texts: Sequence[str]) -> None:
    """Analyse texts ahead of a transaction that will analyse them again (see `_prepared`)."""
    normalized = [normalize(t) for t in texts if t]
    if not normalized:
        return
    analysed = lexemes_many(normalized)
    with _prepared_lock:
        for text, terms in zip(normalized, analysed, strict=True):
            _prepared[text] = terms
            _prepared.move_to_end(text)
        while len(_prepared) > _PREPARED_MAX:
            _prepared.popitem(last=False)


@lru_cache(maxsize=4096)
def query_lexemes(query: str) -> tuple[str, ...]:
    """Distinct terms of a search query, in order of appearance."""
    seen: dict[str, None] = {}
    for term in lexemes(query):
        seen.setdefault(term, None)
    if not seen:
        # A query made only of stop words or particles still searches for what was typed.
        for word in normalize(query).split():
            safe = _safe(word)
            if safe:
                seen.setdefault(safe, None)
    return tuple(seen)
