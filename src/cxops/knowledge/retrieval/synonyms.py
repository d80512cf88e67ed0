"""Customer-service slang, loanwords and common misspellings, mapped to the words guides use.

Customers write 현영, 캔슬, 리펀드, 결재 where an article says 현금영수증, 취소, 환불, 결제. The lexical
fields only see the article's words, so the query is *expanded* (never rewritten) with the usual form
before analysis. The list is deliberately short and generic to Korean shopping/service centres; a
term is here only when its reading is unambiguous inside a customer question.
"""

from __future__ import annotations

from .textutil import compact_lower

EXPANSIONS: dict[str, str] = {
    # abbreviations and chat slang
    "현영": "현금영수증",
    "비번": "비밀번호",
    "톡상담": "채팅 상담",
    "카톡상담": "채팅 상담",
    "고객센타": "고객센터",
    "콜센터": "고객센터",
    "핸드폰": "휴대폰",
    "핸폰": "휴대폰",
    "폰번호": "휴대폰 번호",
    "마일리지": "적립금",
    # loanwords
    "캔슬": "취소",
    "리펀드": "환불",
    "리펀": "환불",
    "리턴": "반품",
    "트래킹": "배송 조회",
    "컴플레인": "불만",
    "클레임": "불만",
    "딜리버리": "배송",
    "익스체인지": "교환",
    # frequent misspellings
    "결재": "결제",
    "몇일": "며칠",
    "환블": "환불",
    "배숑": "배송",
    "영수중": "영수증",
}


def expand(text: str) -> str:
    """``text`` followed by the usual form of every slang word found in it (spacing ignored)."""
    compact = compact_lower(text)
    extra = [usual for slang, usual in EXPANSIONS.items() if slang in compact]
    return f"{text} {' '.join(extra)}" if extra else text
