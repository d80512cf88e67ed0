"""`cxops tickets …` subcommands."""

from __future__ import annotations

import argparse
from typing import Any


def _workspace(slug: str) -> Any:
    from cxops.core.models import Workspace
    from cxops.core.services import ServiceError

    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise ServiceError(f"워크스페이스를 찾을 수 없습니다: {slug}")
    return workspace


def cmd_search(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.tickets import search
    from cxops.tickets.models import Ticket

    workspace = _workspace(args.workspace)
    hits = search.search_ticket_ids(workspace_id=workspace.pk, query=" ".join(args.query), limit=args.limit)
    tickets = Ticket.objects.in_bulk([h.ticket_id for h in hits])
    rows = [
        {"number": tickets[h.ticket_id].number, "external_id": tickets[h.ticket_id].external_id,
         "subject": tickets[h.ticket_id].subject, "score": h.score}
        for h in hits if h.ticket_id in tickets
    ]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(f"#{row['number']:<8} {row['score']:>8.3f}  {row['subject']}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.tickets.importer import import_tickets_file

    workspace = _workspace(args.workspace)
    summary = import_tickets_file(workspace=workspace, path=args.path)
    print_json(summary.as_dict())
    return 1 if summary.errors else 0


def cmd_export(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.tickets.importer import export_tickets_file

    workspace = _workspace(args.workspace)
    count = export_tickets_file(workspace=workspace, path=args.path)
    print_json({"exported": count, "path": str(args.path)})
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from cxops.tickets.search import reindex_workspace

    workspace = _workspace(args.workspace)
    count = reindex_workspace(workspace_id=workspace.pk)
    print(f"reindexed {count} tickets")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tickets = sub.add_parser("tickets", help="tickets").add_subparsers(dest="action", required=True)

    p = tickets.add_parser("search", help="Korean full-text search")
    p.add_argument("--workspace", required=True)
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("query", nargs="+")
    p.set_defaults(handler=cmd_search)

    p = tickets.add_parser("import", help="import historical tickets from CSV or XLSX")
    p.add_argument("path")
    p.add_argument("--workspace", required=True)
    p.set_defaults(handler=cmd_import)

    p = tickets.add_parser("export", help="export the tickets of a workspace to CSV (UTF-8 BOM) or XLSX")
    p.add_argument("--workspace", required=True)
    p.add_argument("path")
    p.set_defaults(handler=cmd_export)

    p = tickets.add_parser("reindex", help="rebuild the search index of a workspace")
    p.add_argument("--workspace", required=True)
    p.set_defaults(handler=cmd_reindex)
