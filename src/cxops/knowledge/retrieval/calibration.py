"""Features of a (query, article) pair, the ranking score, and its calibration to a confidence.

Features (each comparable between queries and between knowledge bases):

``dense``      e5 cosine between the ``query:`` vector and the article's ``passage:`` vector.
``dense_rel``  the same cosine minus its mean over the whole knowledge base for this query: e5 cosines
               of unrelated Korean texts already sit around 0.8, so "how much closer than the rest"
               separates better than the raw value (and does not depend on the article's length).
``m_bm25``     BM25 over Kiwi content morphemes (title counted twice, tags, body), divided by the best
               score possible for the query's terms, so 1.0 means "every query word, well matched".
``c_bm25``     the same normalised BM25 over syllable bigrams of the text without spaces: survives
               typos, missing spaces and compounds Kiwi does not know.
``sent``       the best e5 cosine between the query and one sentence of the article's body (the passage
               itself when it has no body): a question often matches one sentence of a long answer.
``sent_rel``   that best-sentence cosine minus its mean over the knowledge base for this query.

Ranking score ``s = WEIGHTS · features``. Confidence that an article answers the question::

    p = sigmoid(SLOPE · s + MARGIN · (s − best other s) + INTERCEPT)

The margin term says how clearly the article stands out from the next best one. All nine numbers
come from ``bench/kb_quality.py --fit``: the weights are a logistic regression on the top candidates of
every query (right article or not), the calibration a logistic regression on each query's first
suggestion; the training queries are paraKQC (half of the groups left out of the index, so half of
those questions have no answer) and the customer-service FAQ set, both with titles and answers-only.
Questions whose right article is removed from the index are added as "no answer" examples with weight
``UNANSWERED_WEIGHT`` = 1/16 — i.e. the model assumes about one question in seventeen has no article
(the FAQ development set has 20 in 386), and ``DEFAULT_THRESHOLD`` = 0.5 shows a suggestion when it is
more likely right than wrong under that prior. ``bench/kb_quality.py --cv`` reports the figures with every query scored by weights fitted
without its own domain (FAQ) or paraphrase group (paraKQC).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

FEATURES = ("dense", "dense_rel", "m_bm25", "c_bm25", "sent", "sent_rel")
N_FEATURES = len(FEATURES)

WEIGHTS = np.array([10.18, 11.14, 7.14, 8.28, 19.21, 7.18], dtype=np.float64)
SLOPE = 0.267
MARGIN = 1.099
INTERCEPT = -8.796
UNANSWERED_WEIGHT = 0.0625

# A suggestion is shown when the estimated chance that it answers the question is at least this.
DEFAULT_THRESHOLD = 0.5


def feature_matrix(*, dense: FloatArray, m_bm25: FloatArray, c_bm25: FloatArray,
                   sentence: FloatArray | None = None) -> FloatArray:
    """Per-article features of one query, an (articles × N_FEATURES) matrix in FEATURES order."""
    sent = dense if sentence is None else sentence
    rel = dense - float(np.mean(dense)) if dense.size else dense
    sent_rel = sent - float(np.mean(sent)) if sent.size else sent
    return np.column_stack([dense, rel, m_bm25, c_bm25, sent, sent_rel]).astype(np.float64)


def rank_scores(features: FloatArray, weights: FloatArray = WEIGHTS) -> FloatArray:
    """Ranking score of every article (higher is better)."""
    return np.asarray(features @ weights, dtype=np.float64)


def margins(scores: FloatArray, visible: BoolArray | None = None) -> FloatArray:
    """Each article's score minus the best score among the *other* visible articles (0 when alone)."""
    shown = scores if visible is None else np.where(visible, scores, -np.inf)
    if shown.size < 2 or np.count_nonzero(np.isfinite(shown)) < 2:
        return np.zeros_like(scores)
    order = np.argsort(-shown)
    first, second = shown[order[0]], shown[order[1]]
    best_other = np.full_like(scores, first)
    best_other[order[0]] = second
    return np.asarray(scores - best_other, dtype=np.float64)


def confidence(
    scores: FloatArray,
    visible: BoolArray | None = None,
    *,
    slope: float = SLOPE,
    margin: float = MARGIN,
    intercept: float = INTERCEPT,
) -> FloatArray:
    """Calibrated confidence in [0, 1] per article (articles that are not visible get 0)."""
    z = np.clip(slope * scores + margin * margins(scores, visible) + intercept, -40.0, 40.0)
    p = 1.0 / (1.0 + np.exp(-z))
    if visible is not None:
        p = np.where(visible, p, 0.0)
    return np.asarray(p, dtype=np.float64)
