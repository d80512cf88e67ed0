"""Text → feature rows for the ticket classifier, rebuilt exactly from plain data (no pickle).

Three blocks, each L2-normalised on its own and then weighted:

* words: Kiwi morphemes for Korean (all of them, endings included: "해주세요" and "왜" tell a request
  from a complaint) and lower-cased words for other scripts, as unigrams and adjacent bigrams;
* characters: n-grams inside space-padded words, which survive spacing errors ("배송이너무늦어요"),
  typos and unseen inflections;
* sentence embeddings (optional): one dense row per text from the shared `Embedder`.

Word and character blocks are TF-IDF with sublinear term frequency; the vocabulary (term list in column
order) and idf vector are all that is needed to recompute them, so a stored model holds only those.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from cxops.core.embeddings import Embedder
from cxops.core.text import get_kiwi, normalize

FloatArray = npt.NDArray[np.float32]

_HANGUL = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ]")
_WORD = re.compile(r"[0-9a-z가-힣ㄱ-ㅎㅏ-ㅣ\u4e00-\u9fff]+(?:'[a-z]+)?")
# Kiwi tags that carry no meaning for intent: punctuation and symbols.
_SKIP_TAGS = frozenset({"SF", "SP", "SS", "SSO", "SSC", "SE", "SO", "SW", "SB", "Z_CODA", "UN"})
_DIGITS = re.compile(r"\d")


def clean(text: str) -> str:
    """NFKC, lower case, collapsed white space; digits folded so order numbers do not flood the vocabulary."""
    return _DIGITS.sub("0", normalize(text).lower())


def word_tokens_many(texts: Sequence[str]) -> list[list[str]]:
    """Word tokens per cleaned text: Kiwi morphemes where Hangul appears, plain words elsewhere."""
    out: list[list[str]] = [[] for _ in texts]
    korean: list[int] = []
    for i, t in enumerate(texts):
        if _HANGUL.search(t):
            korean.append(i)
        elif t:
            out[i] = _WORD.findall(t)
    if korean:
        kiwi = get_kiwi()
        analysed = kiwi.tokenize([texts[i] for i in korean])
        for i, tokens in zip(korean, analysed, strict=True):
            words: list[str] = []
            for token in tokens:
                if token.tag in _SKIP_TAGS:
                    continue
                form = token.form.strip()
                if form:
                    words.append(form)
            out[i] = words
    return out


def word_features(words: Sequence[str]) -> list[str]:
    feats = ["w " + w for w in words]
    feats.extend(f"b {a} {b}" for a, b in itertools.pairwise(words))
    return feats


def char_features(text: str, lo: int, hi: int) -> list[str]:
    feats: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(lo, hi + 1):
            if n > size:
                break
            feats.extend(padded[i : i + n] for i in range(size - n + 1))
    return feats


@dataclass
class TfidfBlock:
    """One TF-IDF block: term → column, idf per column, and a weight applied after L2 normalisation."""

    kind: str  # "word" or "char"
    terms: list[str]
    idf: FloatArray
    weight: float
    index: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = {t: i for i, t in enumerate(self.terms)}

    @classmethod
    def fit(cls, kind: str, docs: Sequence[Sequence[str]], *, min_df: int, weight: float,
            max_features: int | None = None) -> tuple[TfidfBlock, sp.csr_matrix]:
        seen: dict[str, int] = {}
        setdefault = seen.setdefault
        columns = np.fromiter((setdefault(t, len(seen)) for doc in docs for t in doc), dtype=np.int64)
        counts = _count_matrix(columns, docs, len(seen))
        df = np.bincount(counts.indices, minlength=len(seen))
        all_terms = list(seen)
        keep = np.flatnonzero(df >= min_df)
        if max_features is not None and len(keep) > max_features:
            # Most frequent first; ties broken by the term so the choice does not depend on input order.
            keep = np.array(sorted(keep.tolist(), key=lambda c: (-int(df[c]), all_terms[c]))[:max_features],
                            dtype=np.int64)
        keep = np.array(sorted(keep.tolist(), key=lambda c: all_terms[c]), dtype=np.int64)
        n = len(docs)
        idf = (np.log((1.0 + n) / (1.0 + df[keep])) + 1.0).astype(np.float32)
        block = cls(kind=kind, terms=[all_terms[c] for c in keep], idf=idf, weight=weight)
        return block, block._weigh(sp.csr_matrix(counts[:, keep]))

    @property
    def width(self) -> int:
        return len(self.terms)

    def transform(self, docs: Sequence[Sequence[str]]) -> sp.csr_matrix:
        get = self.index.get
        columns = np.fromiter((get(t, -1) for doc in docs for t in doc), dtype=np.int64)
        return self._weigh(_count_matrix(columns, docs, self.width))

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Counts → sublinear TF × IDF, rows L2-normalised and scaled by the block weight."""
        matrix = sp.csr_matrix(counts, dtype=np.float32)
        matrix.data = (1.0 + np.log(matrix.data)).astype(np.float32)
        if self.width:
            matrix.data *= self.idf[matrix.indices]
        return _l2_rows(matrix, self.weight)


def _count_matrix(columns: npt.NDArray[np.int64], docs: Sequence[Sequence[str]], width: int) -> sp.csr_matrix:
    """Term counts per document from the flat column of every token (−1: not in the vocabulary)."""
    lengths = np.fromiter((len(doc) for doc in docs), dtype=np.int64, count=len(docs))
    rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    known = columns >= 0
    matrix = sp.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.float32), (rows[known], columns[known])),
        shape=(len(docs), width), dtype=np.float32,
    )
    matrix.sum_duplicates()
    return matrix


def _l2_rows(matrix: sp.csr_matrix, weight: float) -> sp.csr_matrix:
    sq = np.asarray(matrix.multiply(matrix).sum(axis=1), dtype=np.float64).ravel()
    norms = np.sqrt(sq)
    scale = np.divide(weight, norms, out=np.zeros_like(norms), where=norms > 0).astype(np.float32)
    return sp.csr_matrix(sp.diags(scale) @ matrix, dtype=np.float32)


@dataclass
class FeatureParams:
    """Knobs for feature extraction; stored with the model."""

    word_weight: float = 1.0
    char_weight: float = 1.0
    char_lo: int = 2
    char_hi: int = 5
    min_df: int = 2
    max_features: int | None = 300_000
    embed_weight: float = 3.0  # tuned on banking77 (inner split): e5 rows weigh more than one TF-IDF block

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureParams:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class Featurizer:
    """Fitted feature extraction; `transform` gives one CSR row per text."""

    def __init__(self, params: FeatureParams, blocks: list[TfidfBlock], embedder: Embedder | None,
                 embed_dim: int) -> None:
        self.params = params
        self.blocks = blocks
        self.embedder = embedder
        self.embed_dim = embed_dim

    @property
    def width(self) -> int:
        return sum(b.width for b in self.blocks) + self.embed_dim

    @staticmethod
    def _docs(texts: Sequence[str], params: FeatureParams) -> dict[str, list[list[str]]]:
        cleaned = [clean(t) for t in texts]
        docs: dict[str, list[list[str]]] = {}
        if params.word_weight > 0:
            docs["word"] = [word_features(w) for w in word_tokens_many(cleaned)]
        if params.char_weight > 0:
            docs["char"] = [char_features(t, params.char_lo, params.char_hi) for t in cleaned]
        return docs

    def _embed(self, texts: Sequence[str], vectors: FloatArray | None) -> sp.csr_matrix | None:
        if not self.embed_dim:
            return None
        if vectors is None:
            assert self.embedder is not None
            vectors = self.embedder.embed_queries([normalize(t) or " " for t in texts])
        rows = np.asarray(vectors, dtype=np.float32) * np.float32(self.params.embed_weight)
        return sp.csr_matrix(rows)

    @classmethod
    def fit(cls, texts: Sequence[str], params: FeatureParams, embedder: Embedder | None,
            vectors: FloatArray | None = None) -> tuple[Featurizer, sp.csr_matrix]:
        docs = cls._docs(texts, params)
        blocks: list[TfidfBlock] = []
        parts: list[sp.csr_matrix] = []
        for kind, weight in (("word", params.word_weight), ("char", params.char_weight)):
            if kind not in docs:
                continue
            min_df = params.min_df if len(texts) >= 4 * params.min_df else 1
            block, matrix = TfidfBlock.fit(kind, docs[kind], min_df=min_df, weight=weight,
                                           max_features=params.max_features)
            blocks.append(block)
            parts.append(matrix)
        featurizer = cls(params, blocks, embedder, embedder.dim if embedder is not None else 0)
        dense = featurizer._embed(texts, vectors)
        if dense is not None:
            parts.append(dense)
        return featurizer, _hstack(parts, len(texts))

    def transform(self, texts: Sequence[str], vectors: FloatArray | None = None) -> sp.csr_matrix:
        docs = self._docs(texts, self.params)
        parts = [b.transform(docs[b.kind]) for b in self.blocks]
        dense = self._embed(texts, vectors)
        if dense is not None:
            parts.append(dense)
        return _hstack(parts, len(texts))


def _hstack(parts: list[sp.csr_matrix], rows: int) -> sp.csr_matrix:
    if not parts:
        return sp.csr_matrix((rows, 0), dtype=np.float32)
    return sp.csr_matrix(sp.hstack(parts, format="csr"), dtype=np.float32)
