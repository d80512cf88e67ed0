"""A small sparse BM25 field (numpy/scipy), scored for every document at once.

One :class:`BM25Field` holds a term-document matrix whose cells are already the BM25 term weights
(``idf · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))``), so scoring a query is one column slice
and a row sum. Scores are reported *normalised* by the best a document could reach for that query
(every query term present with a saturated term frequency), which puts them in [0, 1] and makes
them comparable between queries — the fused score needs absolute confidence, not only an order.
Query terms the knowledge base has never seen count in that maximum at the highest IDF, so a question
about something the articles never mention scores low everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

FloatArray = npt.NDArray[np.float64]

K1 = 1.2
B = 0.75


class BM25Field:
    """BM25 over one tokenisation of the documents (morphemes, or character n-grams)."""

    def __init__(self, docs: Sequence[Sequence[str]], *, k1: float = K1, b: float = B) -> None:
        self.n_docs = len(docs)
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        lengths = np.zeros(self.n_docs, dtype=np.float64)
        for i, terms in enumerate(docs):
            counts: dict[int, int] = {}
            for term in terms:
                j = vocab.setdefault(term, len(vocab))
                counts[j] = counts.get(j, 0) + 1
            lengths[i] = len(terms)
            for j, c in counts.items():
                rows.append(i)
                cols.append(j)
                tfs.append(float(c))
        self.vocab = vocab
        n_terms = len(vocab)
        row_idx = np.asarray(rows, dtype=np.int64)
        col_idx = np.asarray(cols, dtype=np.int64)
        tf = np.asarray(tfs, dtype=np.float64)
        df = np.bincount(col_idx, minlength=n_terms).astype(np.float64)
        n = float(max(self.n_docs, 1))
        self.idf: FloatArray = np.log1p((n - df + 0.5) / (df + 0.5))
        # A term the index has never seen is as rare as a term can be.
        self.unseen_idf = math.log1p((n + 0.5) / 0.5)
        avg = float(lengths.mean()) if self.n_docs and lengths.mean() > 0 else 1.0
        norm = k1 * (1.0 - b + b * lengths[row_idx] / avg)
        weights = self.idf[col_idx] * tf * (k1 + 1.0) / (tf + norm)
        shape = (self.n_docs, n_terms)
        self._weights = sparse.csc_matrix((weights, (row_idx, col_idx)), shape=shape)
        self._k1 = k1

    def decompound(self, terms: Sequence[str], *, min_len: int = 3) -> list[str]:
        """Split query terms the index has never seen into known parts ('킥보드반납어' → 킥보드, 반납).

        Kiwi reads an unfamiliar run of syllables without spaces as one noun; matching its longest
        known substrings (two syllables or more, left to right) recovers the words inside.
        """
        out: list[str] = []
        for term in terms:
            if term in self.vocab or len(term) < min_len:
                out.append(term)
                continue
            parts: list[str] = []
            i = 0
            while i < len(term) - 1:
                for j in range(len(term), i + 1, -1):
                    if term[i:j] in self.vocab:
                        parts.append(term[i:j])
                        i = j
                        break
                else:
                    i += 1
            out.extend(parts or [term])
        return out

    def _split(self, terms: Iterable[str]) -> tuple[list[int], float]:
        """Known column indices of the distinct query terms, and the total IDF mass of the query."""
        known: list[int] = []
        mass = 0.0
        for term in dict.fromkeys(terms):
            j = self.vocab.get(term)
            if j is None:
                mass += self.unseen_idf
            else:
                known.append(j)
                mass += float(self.idf[j])
        return known, mass

    def score(self, terms: Iterable[str]) -> FloatArray:
        """Normalised BM25 of every document for these query terms, in [0, 1]."""
        known, mass = self._split(terms)
        if not known or mass <= 0.0:
            return np.zeros(self.n_docs, dtype=np.float64)
        bm25 = np.asarray(self._weights[:, known].sum(axis=1), dtype=np.float64).ravel()
        return np.asarray(bm25 / (mass * (self._k1 + 1.0)), dtype=np.float64)
