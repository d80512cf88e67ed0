"""End-to-end timing of the knowledge-base CLI contract on a fresh SQLite install:

    .venv/bin/python bench/kb_cli_bench.py                    # bundled e5 model (the real thing)
    .venv/bin/python bench/kb_cli_bench.py --embedder hashing # no model: a quick smoke run
    options: --articles N (3000) --queries N (3000) --data DIR (/work/shared/data/kb) --keep

1. `cxops migrate` into a temporary CXOPS_DATA_DIR and `cxops workspace create`;
2. `cxops kb import articles.jsonl` — N articles built from paraKQC (up to six sentences of each
   paraphrase group become separate articles, the first as title) plus the cs_faq_ko articles;
   vectors are computed inside the command;
3. `cxops kb suggest --k 3` with N queries on stdin (the other paraKQC sentences, then cs_faq_ko
   queries), timed from process start to the last output line, checking one output line per input;
4. in-process latency of single suggestions (p50/p95) against the same index.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_data(data: Path, n_articles: int, n_queries: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    groups: dict[str, list[str]] = {}
    with (data / "parakqc_dev.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            groups.setdefault(row["group_id"], []).append(row["text"].strip())
    faq = [json.loads(line) for line in (data / "cs_faq_ko_articles.jsonl").read_text(encoding="utf-8").splitlines()
           if line.strip()]
    articles = [{"external_id": a["external_id"], "title": a["title"], "body": a["body"],
                 "category": a.get("category", ""), "tags": ", ".join(a.get("tags", []) or [])} for a in faq]
    queries: list[dict[str, str]] = []
    per_group = 1
    while len(articles) < n_articles and per_group <= 6:
        for gid, sentences in groups.items():
            if len(articles) >= n_articles:
                break
            if per_group <= len(sentences):
                s = sentences[per_group - 1]
                articles.append({"external_id": f"pk-{gid}-{per_group}", "title": s,
                                 "body": f"{s} 에 대한 안내입니다.", "category": "일반", "tags": ""})
        per_group += 1
    for gid, sentences in groups.items():
        for n, s in enumerate(sentences[6:], start=7):
            queries.append({"id": f"pk-{gid}-{n}", "text": s})
    for line in (data / "cs_faq_ko_queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            queries.append({"id": q["id"], "text": q["text"]})
    while len(queries) < n_queries:
        queries += queries[: n_queries - len(queries)]
    return articles[:n_articles], queries[:n_queries]


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cxops.cli", *args], env=env, input=stdin, text=True,
                          capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args[:3])} failed ({proc.returncode}):\n{proc.stderr[-2000:]}\n{proc.stdout[-2000:]}")
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/kb"))
    parser.add_argument("--embedder", choices=("e5", "hashing"), default="e5")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args()

    articles, queries = build_data(args.data, args.articles, args.queries)
    tmp = Path(tempfile.mkdtemp(prefix="cxops-kb-bench-"))
    env = {**os.environ, "CXOPS_DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "cxops.config.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if args.embedder == "hashing":
        env["CXOPS_EMBEDDER"] = "cxops.core.embeddings.HashingEmbedder"
    path = tmp / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in articles) + "\n", encoding="utf-8")
    run(["migrate"], env)
    run(["workspace", "create", "--slug", "bench", "--name", "벤치"], env)
    took, out = run(["kb", "import", str(path), "--workspace", "bench"], env)
    summary = json.loads(out)
    print(f"import: {summary['created']} articles in {took:.1f} s (vectors included)")
    stdin = "\n".join(json.dumps(q, ensure_ascii=False) for q in queries) + "\n"
    took, out = run(["kb", "suggest", "--workspace", "bench", "--k", "3"], env, stdin)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == [q["id"] for q in queries], "output order/count differs"
    with_result = sum(1 for line in lines if line["results"])
    print(f"suggest: {len(queries)} queries × {len(articles)} articles in {took:.1f} s "
          f"(process start to last line; {with_result} with a suggestion)")

    # Single-suggestion latency in one process (index already built, as in a web worker).
    os.environ.update({k: v for k, v in env.items() if k.startswith(("CXOPS_", "DJANGO_"))})
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from cxops.core.models import Workspace
    from cxops.knowledge.suggest import suggest, workspace_index

    workspace = Workspace.objects.get(slug="bench")
    start = time.perf_counter()
    workspace_index(workspace.pk)
    print(f"index build from cached vectors: {time.perf_counter() - start:.2f} s")
    timings = []
    for q in queries[:300]:
        t0 = time.perf_counter()
        suggest(workspace.pk, q["text"], k=3)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    print(f"single suggestion: p50 {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95)]:.1f} ms "
          f"(n={len(timings)}, includes the KB version query)")
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"data kept in {tmp}")


if __name__ == "__main__":
    main()
