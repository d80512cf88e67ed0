"""The ticket text classifier: TF-IDF (+ optional sentence embeddings) and a linear model.

Scores of the linear model are turned into probabilities by a softmax with one temperature fitted on
out-of-fold scores (cross-validation), so `confidence` means "how often the top label is right" and the
unsure threshold can be set in those terms. A stored model is an `.npz` archive of plain arrays plus a
JSON header: vocabulary, idf, weights, labels and parameters — nothing executable.
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from cxops.core.embeddings import Embedder
from cxops.insights.classify.features import FeatureParams, Featurizer, FloatArray, TfidfBlock

FORMAT = "cxops-textclf"
FORMAT_VERSION = 1
MAX_ALTERNATIVES = 3
# Used when no cross-validation was run to fit the temperature (scores × this before the softmax).
DEFAULT_SCALE = 4.0


@dataclass(frozen=True)
class Prediction:
    label: str | None
    confidence: float
    alternatives: list[tuple[str, float]]


@dataclass(frozen=True)
class TrainReport:
    examples: int
    labels: int
    cv_accuracy: float | None
    seconds: float
    cv_folds: int = 0  # folds behind cv_accuracy (0: not cross-validated)
    embedded: int = 0  # texts embedded during this run (the others came from the vector cache)
    embed_seconds: float = 0.0  # of `seconds`, spent getting vectors (cache reads and embedding)


@dataclass
class ModelParams:
    """Linear model knobs (stored with the model)."""

    c: float = 0.5  # used as is without cross-validation; after training, the value that was chosen
    folds: int = 3  # enough to calibrate the softmax temperature; each fold is a full refit
    balanced: bool = False  # weight labels inversely to their frequency (helps rare labels, macro-F1)
    # With cross-validation, `c` is the one of these with the best out-of-fold accuracy (ties: the larger).
    # 0.5 suits intent data (banking77); large noisy label sets drifting over time (Korean petitions) need
    # the stronger regularisation of 0.1. Empty: always `c`.
    c_choices: tuple[float, ...] = (0.1, 0.5)

    def to_json(self) -> dict[str, float | int | bool | list[float]]:
        return {"c": self.c, "folds": self.folds, "balanced": self.balanced, "c_choices": list(self.c_choices)}


def _fit_linear(x: sp.csr_matrix, y: npt.NDArray[np.int64], n_labels: int, params: ModelParams,
                weights: npt.NDArray[np.float64] | None = None) -> tuple[FloatArray, FloatArray]:
    """One-vs-rest linear SVM; returns (coef n_labels×F, intercept n_labels) over all labels.

    Labels missing from `y` (possible inside a CV fold) get a very low constant score."""
    from sklearn.svm import LinearSVC

    present = np.unique(y)
    coef = np.zeros((n_labels, x.shape[1]), dtype=np.float32)
    intercept = np.full(n_labels, -1e3, dtype=np.float32)
    if len(present) == 1:
        intercept[present[0]] = 1.0
        return coef, intercept
    model = LinearSVC(C=params.c, loss="squared_hinge", dual=True, max_iter=5000, tol=1e-4, random_state=0,
                      class_weight="balanced" if params.balanced else None)
    model.fit(x, y, sample_weight=weights)
    w = np.asarray(model.coef_, dtype=np.float32)
    b = np.asarray(model.intercept_, dtype=np.float32)
    if len(present) == 2:
        # sklearn keeps one row for two classes: score(second) = w·x + b, score(first) = −(w·x + b).
        coef[present[0]], intercept[present[0]] = -w[0], -b[0]
        coef[present[1]], intercept[present[1]] = w[0], b[0]
    else:
        coef[present] = w
        intercept[present] = b
    return coef, intercept


def _softmax(scores: npt.NDArray[np.float64], scale: float) -> npt.NDArray[np.float64]:
    z = scores * scale
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: npt.NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return out


def _fit_scale(scores: npt.NDArray[np.float64], y: npt.NDArray[np.int64]) -> float:
    """The softmax scale minimising the negative log-likelihood of the true labels."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(y))

    def nll(log_scale: float) -> float:
        p = _softmax(scores, float(np.exp(log_scale)))
        return float(-np.log(np.clip(p[rows, y], 1e-12, None)).mean())

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(200.0)), method="bounded")
    return float(np.exp(result.x))


def _folds(y: npt.NDArray[np.int64], wanted: int, seed: int = 0) -> list[npt.NDArray[np.int64]]:
    """Stratified fold assignment that tolerates labels with a single example."""
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(y), dtype=np.int64)
    offset = 0
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        rng.shuffle(members)
        fold_of[members] = (np.arange(len(members)) + offset) % wanted
        offset += len(members)
    return [np.flatnonzero(fold_of == k) for k in range(wanted)]


class TextClassifier:
    """Suggests one label per text with a calibrated confidence; see module docstring."""

    def __init__(self, *, labels: list[str], featurizer: Featurizer, coef: FloatArray, intercept: FloatArray,
                 scale: float, unsure_threshold: float = 0.0, model_params: ModelParams | None = None,
                 embedder_name: str | None = None) -> None:
        self.labels = labels
        self.featurizer = featurizer
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        # features × labels, contiguous: a sparse row times this touches only the rows of its features.
        self._coef_t = np.ascontiguousarray(self.coef.T)
        self.scale = float(scale)
        self.unsure_threshold = float(unsure_threshold)
        self.model_params = model_params or ModelParams()
        self.embedder_name = embedder_name

    # -- training ---------------------------------------------------------------------------------------------
    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], *, embedder: Embedder | None = None,
              cross_validate: bool = True, unsure_threshold: float = 0.0,
              feature_params: FeatureParams | None = None, model_params: ModelParams | None = None,
              vectors: FloatArray | None = None,
              sample_weights: Sequence[float] | None = None,
              workers: int = 1) -> tuple[TextClassifier, TrainReport]:
        """Fit on labelled texts.

        `vectors` may pass precomputed `embedder.embed_queries(texts)` rows; `sample_weights` (one per text,
        > 0) let recent corrections count more than old history; `workers` > 1 runs the cross-validation
        folds in that many threads."""
        started = time.perf_counter()
        if len(texts) != len(labels):
            raise ValueError(f"texts and labels differ in length ({len(texts)} vs {len(labels)})")
        if not texts:
            raise ValueError("no training examples")
        if any(not isinstance(label, str) or not label for label in labels):
            raise ValueError("every label must be a non-empty string")
        weights: npt.NDArray[np.float64] | None = None
        if sample_weights is not None:
            weights = np.asarray(sample_weights, dtype=np.float64)
            if weights.shape != (len(texts),) or not np.all(np.isfinite(weights)) or np.any(weights <= 0):
                raise ValueError("sample_weights must hold one positive number per text")
        fparams = feature_params or FeatureParams()
        mparams = model_params or ModelParams()
        label_list = sorted(set(labels))
        position = {label: i for i, label in enumerate(label_list)}
        y = np.array([position[label] for label in labels], dtype=np.int64)
        featurizer, x = Featurizer.fit(list(texts), fparams, embedder, vectors)

        cv_accuracy: float | None = None
        cv_folds = 0
        scale = DEFAULT_SCALE
        if cross_validate and len(label_list) > 1 and len(texts) >= 4:
            largest = int(np.bincount(y).max())
            folds = [f for f in _folds(y, max(2, min(mparams.folds, largest))) if len(f)]
            cv_folds = len(folds)
            choices = sorted(set(mparams.c_choices)) or [mparams.c]
            all_scores = {c: np.zeros((len(y), len(label_list)), dtype=np.float64) for c in choices}

            def run_fold(c: float, test_idx: npt.NDArray[np.int64]) -> None:
                train_idx = np.setdiff1d(np.arange(len(y)), test_idx)
                coef, intercept = _fit_linear(x[train_idx], y[train_idx], len(label_list),
                                              dataclasses.replace(mparams, c=c),
                                              weights[train_idx] if weights is not None else None)
                all_scores[c][test_idx] = x[test_idx] @ coef.T.astype(np.float64) + intercept

            jobs = [(c, f) for c in choices for f in folds]
            if workers > 1 and len(jobs) > 1:
                # liblinear releases the GIL, so folds train side by side in threads. Their scores only
                # estimate accuracy, choose C and fit the temperature; the model itself is fitted below,
                # alone, so it stays reproducible (liblinear's random generator is process-wide).
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
                    for future in [pool.submit(run_fold, c, f) for c, f in jobs]:
                        future.result()
            else:
                for c, f in jobs:
                    run_fold(c, f)
            accuracy = {c: float((all_scores[c].argmax(axis=1) == y).mean()) for c in choices}
            best = max(choices, key=lambda c: (accuracy[c], c))
            mparams = dataclasses.replace(mparams, c=best)
            scores = all_scores[best]
            cv_accuracy = accuracy[best]
            # Rows whose label had no example in their training fold say nothing about the temperature.
            seen = scores[np.arange(len(y)), y] > -1e2
            if seen.sum() >= 2:
                scale = _fit_scale(scores[seen], y[seen])

        coef, intercept = _fit_linear(x, y, len(label_list), mparams, weights)
        model = cls(labels=label_list, featurizer=featurizer, coef=coef, intercept=intercept, scale=scale,
                    unsure_threshold=unsure_threshold, model_params=mparams,
                    embedder_name=embedder.name if embedder is not None else None)
        report = TrainReport(examples=len(texts), labels=len(label_list), cv_accuracy=cv_accuracy,
                             seconds=round(time.perf_counter() - started, 3), cv_folds=cv_folds)
        return model, report

    # -- prediction -------------------------------------------------------------------------------------------
    def decision_scores(self, texts: Sequence[str], vectors: FloatArray | None = None) -> npt.NDArray[np.float64]:
        """Raw linear scores, one row per text and one column per label (in `labels` order)."""
        x = self.featurizer.transform(list(texts), vectors)
        dense = np.asarray(x @ self._coef_t, dtype=np.float64)
        return dense + self.intercept.astype(np.float64)

    def predict_proba(self, texts: Sequence[str], vectors: FloatArray | None = None) -> npt.NDArray[np.float64]:
        if not texts:
            return np.zeros((0, len(self.labels)))
        return _softmax(self.decision_scores(texts, vectors), self.scale)

    def predict(self, texts: Sequence[str], vectors: FloatArray | None = None) -> list[Prediction]:
        probs = self.predict_proba(texts, vectors)
        out: list[Prediction] = []
        for row in probs:
            order = np.argsort(-row, kind="stable")
            top = int(order[0])
            confidence = float(row[top])
            alternatives = [(self.labels[int(i)], float(row[int(i)])) for i in order[1 : 1 + MAX_ALTERNATIVES]]
            label = self.labels[top] if confidence >= self.unsure_threshold else None
            out.append(Prediction(label=label, confidence=confidence, alternatives=alternatives))
        return out

    # -- storage ----------------------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "labels": self.labels,
            "scale": self.scale,
            "unsure_threshold": self.unsure_threshold,
            "feature_params": self.featurizer.params.to_json(),
            "model_params": self.model_params.to_json(),
            "embedder": self.embedder_name,
            "embed_dim": self.featurizer.embed_dim,
            "blocks": [{"kind": b.kind, "weight": b.weight, "terms": b.terms} for b in self.featurizer.blocks],
        }
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "header": np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8),
            "coef": self.coef,
            "intercept": self.intercept,
        }
        for i, block in enumerate(self.featurizer.blocks):
            arrays[f"idf{i}"] = block.idf
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, *, embedder: Embedder | None = None) -> TextClassifier:
        """Load a stored model. A model trained with embeddings needs the same embedder: the one given, or
        else the process-wide one (`cxops.core.embeddings.get_embedder()`); a different model is an error."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
            header = json.loads(bytes(arrays["header"]).decode())
        except Exception as exc:  # a corrupt or foreign blob: zip, JSON, missing member or not an archive
            raise ValueError("not a stored text classifier") from exc
        if header.get("format") != FORMAT or header.get("version") != FORMAT_VERSION:
            raise ValueError("unsupported text classifier format")
        embed_dim = int(header["embed_dim"])
        needed = header.get("embedder")
        if needed:
            if embedder is None:
                from cxops.core.embeddings import get_embedder

                embedder = get_embedder()
            if embedder.name != needed or embedder.dim != embed_dim:
                raise ValueError(f"this model was trained with embedder {needed!r}, not {embedder.name!r}")
        else:
            embedder = None
        blocks = [
            TfidfBlock(kind=b["kind"], terms=list(b["terms"]), idf=np.asarray(arrays[f"idf{i}"], dtype=np.float32),
                       weight=float(b["weight"]))
            for i, b in enumerate(header["blocks"])
        ]
        featurizer = Featurizer(FeatureParams.from_json(header["feature_params"]), blocks, embedder, embed_dim)
        mp = header.get("model_params") or {}
        return cls(labels=list(header["labels"]), featurizer=featurizer, coef=arrays["coef"],
                   intercept=arrays["intercept"], scale=float(header["scale"]),
                   unsure_threshold=float(header["unsure_threshold"]),
                   model_params=ModelParams(c=float(mp.get("c", 0.5)), folds=int(mp.get("folds", 5)),
                                            balanced=bool(mp.get("balanced", False)),
                                            c_choices=tuple(float(c) for c in mp.get("c_choices", ()))),
                   embedder_name=needed or None)
