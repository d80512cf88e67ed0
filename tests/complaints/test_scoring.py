"""The pure complaint scorer: features, training, calibration, serialisation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.complaints import scoring
from cxops.core.text import lexemes_many


@pytest.fixture(scope="module")
def seed_model() -> scoring.LexicalModel:
    seed = scoring.seed_examples()
    tokens = lexemes_many([t for t, _ in seed])
    return scoring.train([(scoring.features(t, k), label, 1.0) for (t, label), k in zip(seed, tokens, strict=True)])


def _p(model: scoring.LexicalModel, text: str) -> float:
    return model.probability(scoring.features(text, lexemes_many([text])[0]))


def test_seed_set_is_balanced_and_written_in_korean() -> None:
    seed = scoring.seed_examples()
    positives = sum(1 for _, label in seed if label)
    assert positives == len(seed) - positives >= 30
    assert all(any("가" <= ch <= "힣" for ch in text) for text, _ in seed)


def test_cues_survive_missing_spaces() -> None:
    assert "threat" in scoring.cue_hits("소비자원에신고할게요")
    assert "anger" in scoring.cue_hits("진짜 짜증나네요")
    assert scoring.cue_hits("배송 언제 와요") == []


def test_model_separates_complaints_from_inquiries(seed_model: scoring.LexicalModel) -> None:
    assert seed_model.metrics["cv_accuracy"] >= 0.8
    assert _p(seed_model, "벌써 몇번째 연락드리는지 모르겠네요. 정말 화가 납니다") > 0.7
    assert _p(seed_model, "상담원이 반말하고 불친절했어요. 사과하세요") > 0.7
    assert _p(seed_model, "배송지 변경 가능한가요?") < 0.3
    assert _p(seed_model, "친절한 안내 감사합니다") < 0.3


def test_model_round_trips_through_json(seed_model: scoring.LexicalModel) -> None:
    again = scoring.LexicalModel.from_json(seed_model.to_json())
    feats = scoring.features("환불 안 해주면 신고합니다", ["환불", "해주", "신고"])
    assert abs(again.probability(feats) - seed_model.probability(feats)) < 1e-3


def test_training_needs_both_classes() -> None:
    with pytest.raises(ValueError):
        scoring.train([(["w:a"], True, 1.0)] * 5)


@given(st.floats(0, 1), st.lists(st.floats(0, 1), max_size=4))
@settings(max_examples=60)
def test_combine_is_a_probability_and_never_below_its_parts(p: float, rules: list[float]) -> None:
    combined = scoring.combine(p, rules)
    assert 0.0 <= combined <= 1.0 + 1e-12
    assert combined >= max([p, *rules]) - 1e-9
