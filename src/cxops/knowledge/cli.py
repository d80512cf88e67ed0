"""`cxops kb import|export|reindex|suggest`: the knowledge base from the command line.

`kb suggest` is an operator tool: it suggests from every published article of the workspace,
public guides and internal mini-guides alike, and prints only results above the display threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

SUGGEST_BATCH = 500


def _workspace(slug: str) -> Any:
    from cxops.core.models import Workspace

    return Workspace.objects.filter(slug=slug).first()


def cmd_import(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.knowledge.importer import import_articles_file

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    summary = import_articles_file(workspace=workspace, path=args.path, index=not args.no_index)
    print_json(summary.as_dict())
    return 1 if summary.errors else 0


def cmd_export(args: argparse.Namespace) -> int:
    from cxops.cli import fail
    from cxops.core.services import ServiceError
    from cxops.knowledge.importer import export_articles

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    fmt = args.format
    try:
        if fmt == "xlsx":
            if not args.output:
                count = export_articles(workspace=workspace, fmt=fmt, handle=sys.stdout.buffer)
            else:
                with open(args.output, "wb") as handle:
                    count = export_articles(workspace=workspace, fmt=fmt, handle=handle)
        elif args.output:
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            with open(args.output, "w", encoding=encoding, newline="") as handle:
                count = export_articles(workspace=workspace, fmt=fmt, handle=handle)
        else:
            count = export_articles(workspace=workspace, fmt=fmt, handle=sys.stdout)
    except OSError as exc:
        return fail(f"파일을 쓸 수 없습니다: {args.output} ({exc.strerror or exc})")
    except ServiceError as exc:
        return fail(str(exc))
    if args.output:
        sys.stderr.write(f"{count}개 문서를 {args.output}에 저장했습니다.\n")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.core.embeddings import get_embedder
    from cxops.knowledge.importer import reindex

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    count = reindex(workspace=workspace)
    print_json({"indexed": count, "embedder": get_embedder().name})
    return 0


def _flush(workspace_id: int, batch: list[tuple[Any, str]], k: int) -> None:
    from cxops.knowledge.suggest import suggest_many

    results = suggest_many(workspace_id, [text for _id, text in batch], k=k, include_internal=True)
    out = sys.stdout
    for (item_id, _text), suggestions in zip(batch, results, strict=True):
        out.write(json.dumps({"id": item_id, "results": [
            {"external_id": s.article.external_id, "title": s.article.title, "score": s.score}
            for s in suggestions]}, ensure_ascii=False) + "\n")
    out.flush()


def _more_input_waiting() -> bool:
    """True when more stdin can be read without blocking (or when stdin is not a real file)."""
    import select

    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return True
    try:
        return bool(select.select([fd], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def cmd_suggest(args: argparse.Namespace) -> int:
    from cxops.cli import fail
    from cxops.knowledge.suggest import workspace_index

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    if not 1 <= args.k <= 50:
        return fail("--k는 1에서 50 사이여야 합니다.")
    workspace_index(workspace.pk)  # build (and compute any missing vectors) before reading input
    batch: list[tuple[Any, str]] = []
    number = 0
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        number += 1
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            _flush(workspace.pk, batch, args.k)
            return fail(f"{number}번째 줄이 올바른 JSON이 아닙니다: {exc.msg}")
        if not isinstance(item, dict) or "text" not in item:
            _flush(workspace.pk, batch, args.k)
            return fail(f'{number}번째 줄: {{"id": ..., "text": ...}} 형식의 JSON 객체여야 합니다.')
        batch.append((item.get("id"), str(item.get("text") or "")))
        if len(batch) >= SUGGEST_BATCH or not _more_input_waiting():
            # Big batches for piped files; an interactive caller waiting for its answer gets it at once.
            _flush(workspace.pk, batch, args.k)
            batch = []
    if batch:
        _flush(workspace.pk, batch, args.k)
    return 0


def register(sub: Any) -> None:
    kb = sub.add_parser("kb", help="knowledge base: import, export, reindex, suggest").add_subparsers(
        dest="action", required=True)
    p = kb.add_parser("import", help="upsert articles from CSV, XLSX or JSONL (by external_id)")
    p.add_argument("path")
    p.add_argument("--workspace", required=True)
    p.add_argument("--no-index", action="store_true", help="skip computing vectors now (a job does it later)")
    p.set_defaults(handler=cmd_import)
    p = kb.add_parser("export", help="write every article as CSV, XLSX or JSONL")
    p.add_argument("--workspace", required=True)
    p.add_argument("--format", choices=("csv", "xlsx", "jsonl"), default="csv")
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(handler=cmd_export)
    p = kb.add_parser("reindex", help="compute missing article vectors and refresh suggestions")
    p.add_argument("--workspace", required=True)
    p.set_defaults(handler=cmd_reindex)
    p = kb.add_parser("suggest", help='read {"id","text"} JSON lines on stdin, write suggestions as JSON lines')
    p.add_argument("--workspace", required=True)
    p.add_argument("--k", type=int, default=3)
    p.set_defaults(handler=cmd_suggest)
