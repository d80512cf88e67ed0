"""`cxops triage …` (train, predict), `cxops voc …` (trends, alerts) and `cxops insights …` (catalog imports)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _workspace(slug: str) -> Any:
    from cxops.tickets.cli import _workspace as find

    return find(slug)


# --- triage ------------------------------------------------------------------------------------------

def cmd_train(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.insights.services import model_train

    workspace = _workspace(args.workspace)
    model, report = model_train(workspace=workspace, field=args.field, embeddings=args.embeddings,
                                unsure_threshold=args.unsure_threshold)
    print_json({"workspace": workspace.slug, "field": args.field, "model": model.version,
                "examples": report.examples, "labels": report.labels,
                "cv_accuracy": None if report.cv_accuracy is None else round(report.cv_accuracy, 4),
                "cv_folds": report.cv_folds, "seconds": report.seconds, "embedder": model.embedder or None,
                "embedded": report.embedded, "embed_seconds": report.embed_seconds})
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    """JSON lines {"id", "text"} in → one JSON line per input, in order. A bad line is an error line
    for that input ({"id", "error"}), never a silent skip; the exit code is then 1."""
    from cxops.core.embeddings import bulk_workers
    from cxops.insights.tagging import Tagger

    workspace = _workspace(args.workspace)
    tagger = Tagger(workspace.pk, (args.field,), embed_workers=bulk_workers())
    if not tagger.has_model(args.field):
        sys.stderr.write(f"cxops: '{args.field}'에 학습된 모델이 없어 키워드 규칙·카탈로그로 추천합니다. "
                         f"(cxops triage train --workspace {workspace.slug} --field {args.field})\n")
    failed = False
    batch: list[tuple[Any, str | None, str]] = []  # (id, error, text)

    def flush() -> None:
        texts = [text for _, error, text in batch if error is None]
        results = iter(tagger.suggest(texts) if texts else [])
        for id_, error, _text in batch:
            if error is not None:
                line: dict[str, Any] = {"id": id_, "error": error}
            else:
                line = next(results)[args.field].as_json(id_)
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        batch.clear()

    for raw in sys.stdin:
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            batch.append((None, f"JSON 형식이 아닙니다: {exc.msg}", ""))
            failed = True
        else:
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                batch.append((item.get("id") if isinstance(item, dict) else None,
                              '"text" 문자열이 필요합니다.', ""))
                failed = True
            else:
                batch.append((item.get("id"), None, item["text"]))
        if len(batch) >= 256:
            flush()
    flush()
    return 1 if failed else 0


# --- voc -------------------------------------------------------------------------------------------

def cmd_trends(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.insights.trends import trend_table

    workspace = _workspace(args.workspace)
    rows = trend_table(workspace=workspace, by=args.by, period=args.period, periods=args.periods).rows()
    if args.json:
        print_json([r.as_json() for r in rows])
        return 0
    for r in rows:
        if r.count or r.alert:
            flag = " ▲" if r.alert else ""
            expected = "—" if r.expected is None else f"{r.expected:.1f}"
            print(f"{r.period_start}  {r.label[:30]:<30} {r.count:>6}  기대 {expected:>8}  점수 {r.score:>6.2f}{flag}")
    return 0


def cmd_alerts_scan(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.insights.alerts import scan_workspace

    workspace = _workspace(args.workspace)
    created = scan_workspace(workspace=workspace, send_email=not args.no_email)
    print_json([{"dimension": a.dimension, "label": a.label, "period": a.period, "period_start": a.period_start,
                 "count": a.count, "expected": round(a.expected, 2), "score": round(a.score, 2),
                 "explanation": a.explanation} for a in created])
    return 0


# --- insights (catalog) ------------------------------------------------------------------------------

def cmd_products_import(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.insights.services import products_import

    summary = products_import(workspace=_workspace(args.workspace), path=args.path)
    print_json(summary.as_dict())
    return 1 if summary.errors else 0


def cmd_orders_import(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.insights.services import order_lines_import

    summary = order_lines_import(workspace=_workspace(args.workspace), path=args.path)
    print_json(summary.as_dict())
    return 1 if summary.errors else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    triage = sub.add_parser("triage", help="automatic tagging: train and predict").add_subparsers(
        dest="action", required=True)
    p = triage.add_parser("train", help="train a field's classifier on the workspace's labelled tickets")
    p.add_argument("--workspace", required=True)
    p.add_argument("--field", required=True, choices=["category", "product", "type"])
    p.add_argument("--embeddings", action=argparse.BooleanOptionalAction, default=None,
                   help="sentence embeddings next to word and character features (default: on, unless "
                        "CXOPS_TRIAGE_EMBEDDINGS=0); vectors are stored, so only new texts are embedded")
    p.add_argument("--unsure-threshold", type=float, default=0.0,
                   help="below this confidence the label is null (left for people)")
    p.set_defaults(handler=cmd_train)
    p = triage.add_parser("predict", help='JSON lines {"id","text"} on stdin → one JSON line per input')
    p.add_argument("--workspace", required=True)
    p.add_argument("--field", required=True, choices=["category", "product", "type"])
    p.set_defaults(handler=cmd_predict)

    voc = sub.add_parser("voc", help="voice of the customer: trends and alerts").add_subparsers(
        dest="action", required=True)
    p = voc.add_parser("trends", help="counts, shares, expected levels and scores per key and period")
    p.add_argument("--workspace", required=True)
    p.add_argument("--by", default="category", choices=["category", "product", "product_category", "channel"])
    p.add_argument("--period", default="week", choices=["day", "week", "month"])
    p.add_argument("--periods", type=int, default=None, help="how many periods back (default: a year)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_trends)
    p = voc.add_parser("alerts", help="find spikes now and notify (what the periodic job does)")
    p.add_argument("--workspace", required=True)
    p.add_argument("--no-email", action="store_true")
    p.set_defaults(handler=cmd_alerts_scan)

    insights = sub.add_parser("insights", help="product catalog and order data").add_subparsers(
        dest="action", required=True)
    products = insights.add_parser("products", help="product catalog").add_subparsers(dest="what", required=True)
    p = products.add_parser("import", help="import products from CSV/XLSX (name, code, aliases, type)")
    p.add_argument("path")
    p.add_argument("--workspace", required=True)
    p.set_defaults(handler=cmd_products_import)
    orders = insights.add_parser("orders", help="order lines").add_subparsers(dest="what", required=True)
    p = orders.add_parser("import", help="import order lines (order number, SKU or product name) from CSV/XLSX")
    p.add_argument("path")
    p.add_argument("--workspace", required=True)
    p.set_defaults(handler=cmd_orders_import)
