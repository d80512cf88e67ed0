from __future__ import annotations

import pytest

from cxops.core.text import identifier_tokens, lexemes, query_lexemes


@pytest.mark.parametrize(("text", "term"), [
    ("환불해주세요", "환불"), ("환불이 안 돼요", "환불"), ("배송이너무늦어요", "배송"), ("배송이너무늦어요", "늦"),
    ("킥보드 잠금이 안 풀려요", "잠금"), ("폐기물 수거 일정 문의", "수거"), ("교환하고싶어요", "교환"),
])
def test_morphemes_survive_particles_and_missing_spaces(text: str, term: str) -> None:
    assert term in lexemes(text)


def test_identifiers_are_kept_whole() -> None:
    tokens = identifier_tokens("주문번호 20261102-0001234, 연락처 +82 10-1234-5678, kim@test.co.kr")
    assert "202611020001234" in tokens
    assert "01012345678" in tokens and "5678" in tokens
    assert "kimtestcokr" in tokens


def test_query_terms_are_distinct_and_ordered() -> None:
    assert query_lexemes("배송 배송 환불") == ("배송", "환불")


def test_stopword_only_query_still_searches() -> None:
    assert query_lexemes("좀") != ()
