from __future__ import annotations

import numpy as np

from cxops.knowledge.retrieval.calibration import confidence, margins
from cxops.knowledge.retrieval.lexical import BM25Field
from cxops.knowledge.retrieval.synonyms import expand
from cxops.knowledge.retrieval.textutil import char_bigrams


def test_bm25_is_normalised_and_unknown_terms_count_against() -> None:
    field = BM25Field([["배송", "지연", "배송"], ["환불", "카드"], ["교환"]])
    full = field.score(["배송", "지연"])
    assert full.shape == (3,)
    assert 0.3 < full[0] <= 1.0 and full[1] == 0.0 and full[2] == 0.0
    diluted = field.score(["배송", "지연", "날씨"])  # a word no article has lowers the confidence
    assert diluted[0] < full[0]
    assert not field.score(["날씨"]).any()
    assert not BM25Field([]).score(["배송"]).size


def test_unknown_compounds_are_split_into_known_words() -> None:
    field = BM25Field([["킥보드", "반납"], ["헬멧"]])
    assert field.decompound(["킥보드반납어", "헬멧", "날씨"]) == ["킥보드", "반납", "헬멧", "날씨"]


def test_slang_is_expanded_not_replaced() -> None:
    assert expand("현영 신청 깜빡했어요") == "현영 신청 깜빡했어요 현금영수증"
    assert "환불" in expand("리펀드 언제 돼요") and expand("리펀드 언제 돼요").startswith("리펀드")
    assert expand("배송 문의") == "배송 문의"


def test_char_bigrams_ignore_spacing() -> None:
    assert char_bigrams("배송 이 늦어요") == char_bigrams("배송이늦어요")
    assert char_bigrams("가") == ["가"] and char_bigrams("!!") == []


def test_margin_and_confidence() -> None:
    scores = np.array([3.0, 1.0, 2.0])
    assert margins(scores).tolist() == [1.0, -2.0, -1.0]
    visible = np.array([True, False, True])
    conf = confidence(scores, visible)
    assert conf[1] == 0.0 and 0.0 < conf[2] < conf[0] < 1.0
    assert margins(np.array([5.0])).tolist() == [0.0]
