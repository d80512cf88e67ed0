"""The vector cache behind training and suggestions: a text is embedded once per model and workspace."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest

from cxops.core import embeddings
from cxops.core.embeddings import HashingEmbedder, Vectors, embed_queries_bulk
from cxops.insights.models import TextVector
from cxops.insights.services import model_train
from cxops.insights.tagging import Tagger, ticket_text
from cxops.insights.vectors import model_input, text_key, vectors_for
from cxops.tickets.importer import import_tickets_file
from tests.insights.test_triage_cli import _rows, _write_csv

pytestmark = pytest.mark.django_db


class CountingEmbedder:
    """The hashing embedder, counting every text it is asked to embed."""

    name = "counting-test"
    dim = HashingEmbedder.dim

    def __init__(self) -> None:
        self.inner = HashingEmbedder()
        self.seen: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.seen.extend(texts)
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.seen.extend(texts)
        return self.inner.embed_passages(texts)


@pytest.fixture
def counting() -> Iterator[CountingEmbedder]:
    embedder = CountingEmbedder()
    embeddings.set_embedder(embedder)
    yield embedder
    embeddings.set_embedder(None)


def _import(workspace: Any, tmp_path: Any, rows: list[dict[str, str]], name: str = "history.csv") -> None:
    path = tmp_path / name
    _write_csv(path, rows)
    summary = import_tickets_file(workspace=workspace, path=path)
    assert not summary.errors


def test_retrain_embeds_only_new_texts(workspace, tmp_path, counting):
    rows = _rows()
    _import(workspace, tmp_path, rows[:30])
    model, report = model_train(workspace=workspace, field="category", embeddings=True, workers=2)
    assert model.embedder == "counting-test"
    assert report.examples == 30 and report.embedded == 30 and len(counting.seen) == 30
    assert TextVector.objects.filter(workspace=workspace, embedder="counting-test").count() == 30
    assert model.report["embedded"] == 30 and model.report["cv_folds"] >= 2

    counting.seen.clear()
    _model, report = model_train(workspace=workspace, field="category", embeddings=True)
    assert counting.seen == [] and report.embedded == 0

    # Two new tickets: only their texts go to the model; the other 30 come from the table.
    _import(workspace, tmp_path, rows[:32], name="more.csv")
    _model, report = model_train(workspace=workspace, field="category", embeddings=True)
    assert report.examples == 32 and report.embedded == 2
    expected = sorted(model_input(ticket_text(r["제목"], r["내용"])) for r in rows[30:32])
    assert sorted(counting.seen) == expected
    assert TextVector.objects.filter(workspace=workspace).count() == 32


def test_suggestions_reuse_and_store_vectors(workspace, tmp_path, counting):
    rows = _rows()
    _import(workspace, tmp_path, rows)
    model_train(workspace=workspace, field="category", embeddings=True)
    known = ticket_text(rows[0]["제목"], rows[0]["내용"])
    counting.seen.clear()

    tagger = Tagger(workspace.pk, ("category",))
    assert tagger.has_model("category")
    tagger.suggest([known])
    assert counting.seen == []  # embedded at training time

    new = "배송이 언제 오는지 알려주세요 일주일째 기다리고 있어요"
    first = tagger.suggest([new])[0]["category"]
    assert counting.seen == [model_input(new)]
    again = Tagger(workspace.pk, ("category",)).suggest([new])[0]["category"]
    assert counting.seen == [model_input(new)]  # stored by the first suggestion
    assert again.label == first.label and again.confidence == pytest.approx(first.confidence)


def test_lexical_training_leaves_the_cache_alone(workspace, tmp_path, counting):
    _import(workspace, tmp_path, _rows())
    model, report = model_train(workspace=workspace, field="category", embeddings=False)
    assert model.embedder == "" and report.embedded == 0 and counting.seen == []
    assert not TextVector.objects.exists()


def test_vectors_are_per_workspace_and_model(workspace, other_workspace, counting):
    texts = ["환불 언제 되나요", "환불  언제 되나요", "로그인이 안 돼요"]
    assert text_key(texts[0]) == text_key(texts[1])  # normalised spacing: the same text for the model
    vectors, embedded = vectors_for(workspace.pk, texts, counting)
    assert embedded == 2 and counting.seen == ["환불 언제 되나요", "로그인이 안 돼요"]
    assert np.allclose(
        vectors, counting.inner.embed_queries(["환불 언제 되나요", "환불 언제 되나요", "로그인이 안 돼요"])
    )
    again, embedded = vectors_for(workspace.pk, texts, counting)
    assert embedded == 0 and np.array_equal(again, vectors)
    _other, embedded = vectors_for(other_workspace.pk, texts[:1], counting)
    assert embedded == 1

    class Renamed(CountingEmbedder):
        name = "another-model"

    _vectors, embedded = vectors_for(workspace.pk, texts[:1], Renamed())
    assert embedded == 1


def test_bulk_embedding_keeps_order_without_a_bulk_path() -> None:
    embedder = HashingEmbedder()
    texts = [f"문의 {i} " + "가나다" * (i % 7) for i in range(600)]
    assert np.array_equal(embed_queries_bulk(embedder, texts, workers=2), embedder.embed_queries(texts))
    assert embed_queries_bulk(embedder, [], workers=2).shape == (0, embedder.dim)


def test_ticket_text_does_not_repeat_the_subject() -> None:
    assert ticket_text("환불 문의", "환불 문의") == "환불 문의"
    assert ticket_text("환불  문의", "환불 문의 드립니다") == "환불 문의 드립니다"
    assert ticket_text("환불 문의", "카드 취소가 안 됐어요") == "환불 문의\n카드 취소가 안 됐어요"
    assert ticket_text("", "본문만") == "본문만"
