"""Product mentions and keyword rules over Korean text (no Django).

Both match on two forms of a text, so spacing errors do not matter:

* the compact form (NFKC, lower case, letters and digits only): "무선 이어폰 프로" and "무선이어폰프로"
  are the same string;
* Kiwi content morphemes (`cxops.core.text.lexemes`): "이어폰이 고장" matches the name "이어폰" and a
  keyword "고장나다" matches "고장났어요".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cxops.core.text import identifier_tokens, lexemes, normalize

_NOT_ALNUM = re.compile(r"[^0-9a-z가-힣]+")
_ORDER_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{5,}")


def compact(text: str) -> str:
    return _NOT_ALNUM.sub("", normalize(text).lower())


@dataclass(frozen=True)
class Analysed:
    """A text prepared once for every matcher."""

    text: str
    compact: str
    lexemes: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Analysed:
        return cls(text=text, compact=compact(text), lexemes=frozenset(lexemes(text)))


def order_number_candidates(text: str, extra: Iterable[str] = ()) -> list[str]:
    """Strings in a text that may be order numbers (digit runs, letter-digit codes), as written and compacted."""
    found: dict[str, None] = {}
    for value in [*extra, *_ORDER_LIKE.findall(text)]:
        value = value.strip()
        if value and any(ch.isdigit() for ch in value):
            found.setdefault(value, None)
            found.setdefault(value.replace("-", ""), None)
    for token in identifier_tokens(text):
        if token.isdigit() and len(token) >= 6:
            found.setdefault(token, None)
    return list(found)


@dataclass(frozen=True)
class CatalogEntry:
    product_id: int
    name: str
    code: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProductMatch:
    product_id: int
    score: float
    how: str  # "code", "name", "alias", "morphemes"


class CatalogMatcher:
    """Finds catalog products named in a text by code, name or alias."""

    MIN_COMPACT = 2

    def __init__(self, entries: Sequence[CatalogEntry]) -> None:
        self._names: list[tuple[str, int, str]] = []  # (compact form, product id, how)
        self._morphemes: list[tuple[frozenset[str], int]] = []
        for entry in entries:
            if entry.code and len(compact(entry.code)) >= 3:
                self._names.append((compact(entry.code), entry.product_id, "code"))
            for how, name in [("name", entry.name)] + [("alias", a) for a in entry.aliases]:
                form = compact(name)
                if len(form) >= self.MIN_COMPACT:
                    self._names.append((form, entry.product_id, how))
                    terms = frozenset(lexemes(name))
                    if len(terms) >= 2:
                        self._morphemes.append((terms, entry.product_id))

    def match(self, text: Analysed) -> list[ProductMatch]:
        """Products mentioned in the text, best first (one row per product)."""
        best: dict[int, ProductMatch] = {}

        def offer(product_id: int, score: float, how: str) -> None:
            if product_id not in best or best[product_id].score < score:
                best[product_id] = ProductMatch(product_id, score, how)

        for form, product_id, how in self._names:
            if form in text.compact:
                # Longer names are less likely to be accidental: "프로" vs "무선이어폰프로".
                length_bonus = min(len(form), 10) / 100
                base = 0.9 if how == "code" else 0.8
                offer(product_id, base + length_bonus, how)
        for terms, product_id in self._morphemes:
            if terms <= text.lexemes:
                offer(product_id, 0.75, "morphemes")
        return sorted(best.values(), key=lambda m: (-m.score, m.product_id))


@dataclass(frozen=True)
class RuleHit:
    label: str
    score: float
    matched: tuple[str, ...]


class KeywordRules:
    """Labels chosen by keywords: the cold start before a workspace has trained a model."""

    def __init__(self, rules: Mapping[str, Sequence[str]]) -> None:
        self._rules: list[tuple[str, list[tuple[str, str, frozenset[str]]]]] = []
        for label, keywords in rules.items():
            prepared = []
            for keyword in keywords:
                form = compact(keyword)
                if form:
                    # Morphemes stand for the keyword only when every word of it has one: the content of
                    # "주문하지 않은" is just "주문", which would match any order question.
                    terms = frozenset(lexemes(keyword))
                    if len(terms) < len(keyword.split()):
                        terms = frozenset()
                    prepared.append((keyword, form, terms))
            if prepared:
                self._rules.append((label, prepared))

    def __bool__(self) -> bool:
        return bool(self._rules)

    def match(self, text: Analysed) -> list[RuleHit]:
        """Labels with at least one keyword in the text, best first; scores are in (0, 1)."""
        hits: list[RuleHit] = []
        for label, keywords in self._rules:
            matched = tuple(kw for kw, form, terms in keywords
                            if form in text.compact or (terms and terms <= text.lexemes))
            if matched:
                # Longer and more keywords → more confident, never above 0.85 (rules are rough).
                strength = sum(min(len(compact(kw)), 6) for kw in matched)
                hits.append(RuleHit(label, min(0.85, 0.35 + 0.05 * strength), matched))
        hits.sort(key=lambda h: (-h.score, h.label))
        return hits


# Built-in keywords for the categories every workspace starts with (tickets.services.DEFAULT_CATEGORIES),
# keyed by the child's name. A workspace edits its own on the taxonomy page.
DEFAULT_REASON_KEYWORDS: dict[str, list[str]] = {
    "주문 확인": ["주문 확인", "주문 내역", "주문했는데"],
    "결제 오류": ["결제 오류", "결제가 안", "결제 실패", "카드 결제", "이중 결제", "결제 취소"],
    "영수증/증빙": ["영수증", "세금계산서", "현금영수증", "증빙"],
    "배송 조회": ["배송 조회", "송장", "운송장", "어디쯤", "배송 상태"],
    "배송 지연": ["배송 지연", "늦어", "안 와", "안와", "언제 와", "아직 못 받", "도착 안", "지연"],
    "배송지 변경": ["배송지 변경", "주소 변경", "주소를 바꾸", "받는 곳"],
    "오배송": ["오배송", "다른 상품", "잘못 왔", "잘못 배송", "주문하지 않은"],
    "주문 취소": ["주문 취소", "취소해 주세요", "취소 요청", "취소하고"],
    "교환": ["교환", "사이즈 변경", "색상 변경"],
    "반품": ["반품", "회수", "돌려보내"],
    "환불": ["환불", "돈 돌려", "입금 안"],
    "상품 문의": ["사용법", "사이즈", "재질", "성분", "호환"],
    "상품 불량": ["불량", "고장", "파손", "깨져", "작동 안", "하자", "찢어"],
    "재고/입고": ["재입고", "입고", "품절", "재고"],
    "로그인": ["로그인", "비밀번호", "아이디 찾기"],
    "회원정보 변경": ["회원정보", "전화번호 변경", "이메일 변경", "개인정보 수정"],
    "탈퇴": ["탈퇴", "회원 탈퇴", "계정 삭제"],
    "제휴/입점": ["제휴", "입점", "협업 제안"],
}

# Ticket types (codes of tickets.models.TicketType); "inquiry" is the fallback when nothing matches.
DEFAULT_TYPE_KEYWORDS: dict[str, list[str]] = {
    "complaint": ["불만", "화나", "짜증", "최악", "실망", "어이없", "황당", "불친절", "항의", "책임져", "몇 번째",
                  "아직도", "너무 늦", "불량", "파손"],
    "request": ["해 주세요", "해주세요", "부탁", "요청", "변경해", "취소해", "보내 주세요", "바꿔"],
    "incident": ["오류", "에러", "접속이 안", "먹통", "결제가 안", "장애", "앱이 꺼", "페이지가 안"],
    "suggestion": ["제안", "건의", "개선", "있으면 좋겠", "추가해 주시면"],
}
