"""`cxops sla …` subcommands (thin adapters over selectors and services)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any


def _workspace(slug: str) -> Any:
    from cxops.core.models import Workspace
    from cxops.core.services import ServiceError

    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise ServiceError(f"워크스페이스를 찾을 수 없습니다: {slug}")
    return workspace


def _team(workspace: Any, name: str | None) -> Any:
    from cxops.core.models import Team
    from cxops.core.services import ServiceError

    if not name:
        return None
    team = Team.objects.filter(workspace=workspace, name=name).first()
    if team is None:
        raise ServiceError(f"팀을 찾을 수 없습니다: {name}")
    return team


def cmd_preview(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from cxops.cli import fail, print_json
    from cxops.sla.selectors import calendar_for, deadlines_for

    workspace = _workspace(args.workspace)
    team = _team(workspace, args.team)
    if args.at:
        try:
            at = dt.datetime.fromisoformat(args.at)
        except ValueError:
            return fail(f"--at 시각 형식이 올바르지 않습니다 (예: 2026-09-23T17:30:00+09:00): {args.at}")
        if at.tzinfo is None:
            at = at.replace(tzinfo=ZoneInfo(calendar_for(workspace, team).timezone))
    else:
        at = dt.datetime.now(dt.UTC)
    result = deadlines_for(workspace, channel=args.channel, priority=args.priority, type=args.type,
                           customer_tier=args.tier, tags=args.tag or [], team=team, created_at=at)
    data = result.as_dict()
    if args.json:
        print_json(data)
        return 0
    print(f"calendar: {data['calendar']}")
    print(f"policy:   {data['policy'] or '-'}")
    for key in ("first_response_due_at", "next_reply_due_at", "resolution_due_at"):
        print(f"{key:<22} {data[key] or '-'}")
    return 0


def cmd_defaults(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.sla.services import workspace_sla_defaults_install

    result = workspace_sla_defaults_install(workspace=_workspace(args.workspace))
    print_json({"calendar": result.calendar.name, "policies": [p.name for p in result.policies],
                "created": result.created})
    return 0


def cmd_recompute(args: argparse.Namespace) -> int:
    import time

    from cxops.cli import print_json
    from cxops.sla.services import workspace_sla_recompute

    workspace = _workspace(args.workspace)
    started = time.perf_counter()
    changed = workspace_sla_recompute(workspace_id=workspace.pk)
    print_json({"workspace": workspace.slug, "changed": changed,
                "seconds": round(time.perf_counter() - started, 2)})
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.sla.services import sla_check_due

    print_json({"recorded": sla_check_due()})
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sla = sub.add_parser("sla", help="business calendars and SLA deadlines").add_subparsers(dest="action",
                                                                                           required=True)
    p = sla.add_parser("preview", help="the deadlines a ticket created at a given time would get")
    p.add_argument("--workspace", required=True)
    p.add_argument("--channel", default="board")
    p.add_argument("--priority", default="normal")
    p.add_argument("--type", default="inquiry")
    p.add_argument("--tier", default="", help="customer tier")
    p.add_argument("--tag", action="append", help="ticket tag (repeatable)")
    p.add_argument("--team", help="team name (its calendar applies)")
    p.add_argument("--at", help="creation time, ISO 8601 (default: now; naive = calendar's zone)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_preview)

    p = sla.add_parser("defaults", help="install the Korean default calendar and policies (idempotent)")
    p.add_argument("--workspace", required=True)
    p.set_defaults(handler=cmd_defaults)

    p = sla.add_parser("recompute", help="recompute the deadlines of every open ticket of a workspace")
    p.add_argument("--workspace", required=True)
    p.set_defaults(handler=cmd_recompute)

    p = sla.add_parser("check", help="record warnings and breaches whose moment has passed (the minute job)")
    p.set_defaults(handler=cmd_check)
