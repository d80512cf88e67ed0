"""Sentence embeddings of ticket texts, computed once per text and model and kept in `TextVector`.

Training reads every labelled ticket's vector from here and embeds only the texts it has not seen (with
all cores: `workers`); suggestions for new tickets embed one text with one engine thread and store it, so
the next retrain finds it. The key is the model name plus a hash of the text as the model sees it
(`normalize`), so a change of spacing or Unicode form does not cost a new embedding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

from cxops.core.embeddings import Embedder, Vectors, embed_queries_bulk
from cxops.core.text import normalize
from cxops.insights.models import TextVector

# Rows per SELECT … IN (…) and per INSERT: well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500


def model_input(text: str) -> str:
    """What the embedder is given for a ticket text (the classifier embeds the same)."""
    return normalize(text) or " "


def text_key(text: str) -> str:
    return hashlib.blake2b(model_input(text).encode(), digest_size=16).hexdigest()


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def cached_vectors(workspace_id: int, embedder: Embedder, keys: Sequence[str]) -> dict[str, Vectors]:
    """The stored vectors among `keys` (text keys), by key."""
    found: dict[str, Vectors] = {}
    wanted = list(dict.fromkeys(keys))
    for chunk in _chunks(wanted):
        rows = TextVector.objects.filter(
            workspace_id=workspace_id, embedder=embedder.name, dim=embedder.dim, text_hash__in=list(chunk)
        ).values_list("text_hash", "vector")
        for key, blob in rows:
            found[key] = np.frombuffer(bytes(blob), dtype="<f4")
    return found


def vectors_for(
    workspace_id: int, texts: Sequence[str], embedder: Embedder, *, workers: int = 1, store: bool = True
) -> tuple[Vectors, int]:
    """(one `embedder.embed_queries` row per text, how many texts had to be embedded now).

    Stored vectors are read back; the others are embedded (duplicates once) and, with `store`, saved."""
    keys = [text_key(t) for t in texts]
    known = cached_vectors(workspace_id, embedder, keys)
    missing: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in known and key not in missing:
            missing[key] = model_input(text)
    if missing:
        fresh = embed_queries_bulk(embedder, list(missing.values()), workers=workers)
        new = dict(zip(missing, fresh, strict=True))
        if store:
            rows = [
                TextVector(
                    workspace_id=workspace_id,
                    embedder=embedder.name,
                    text_hash=key,
                    dim=embedder.dim,
                    vector=np.asarray(vector, dtype="<f4").tobytes(),
                )
                for key, vector in new.items()
            ]
            # Another process may store the same text meanwhile: the unique key makes that a no-op.
            TextVector.objects.bulk_create(rows, batch_size=_CHUNK, ignore_conflicts=True)
        known.update(new)
    out = np.empty((len(texts), embedder.dim), dtype=np.float32)
    for i, key in enumerate(keys):
        out[i] = known[key]
    return out, len(missing)
