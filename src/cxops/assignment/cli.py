"""`cxops assignment …`: see how teams hand out tickets, and move work by hand.

    cxops assignment show --workspace shop [--team 배송팀]
    cxops assignment rebalance --workspace shop [--member agent@example.kr]
    cxops assignment drain --workspace shop [--team 배송팀]
"""

from __future__ import annotations

import argparse
from typing import Any


def _workspace(slug: str) -> Any:
    from cxops.core.models import Workspace

    return Workspace.objects.filter(slug=slug).first()


def _teams(workspace: Any, name: str | None) -> list[Any]:
    from cxops.core.models import Team

    qs = Team.objects.filter(workspace=workspace).order_by("name")
    if name:
        qs = qs.filter(name=name)
    return list(qs)


def cmd_show(args: argparse.Namespace) -> int:
    from cxops.assignment import selectors
    from cxops.cli import fail, print_json

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    teams = _teams(workspace, args.team)
    if args.team and not teams:
        return fail(f"팀을 찾을 수 없습니다: {args.team}")
    found = selectors.settings_for(workspace=workspace)
    result: dict[str, Any] = {
        "workspace": workspace.slug,
        "default_team": found.default_team.name if found.default_team_id and found.default_team else None,
        "claim_order": found.claim_order,
        "load_statuses": list(selectors.clock_running_statuses(workspace.pk)),
        "rules": [{"id": r.pk, "name": r.name, "position": r.position, "active": r.is_active, "team": r.team.name,
                   "channels": r.channels, "types": r.types,
                   "categories": [str(c) for c in r.categories.all()]}
                  for r in selectors.routing_rules(workspace=workspace)],
        "teams": [],
    }
    for team in teams:
        view = selectors.team_overview(workspace=workspace, team=team)
        result["teams"].append({
            "id": team.pk, "name": team.name, "mode": view.config.mode,
            "availability_source": view.config.availability_source, "on_offline": view.config.on_offline,
            "require_skill": view.config.require_skill, "fallback_team_ids": view.fallback_ids,
            "queued": view.queued,
            "members": [{"email": row.membership.user.email, "availability": row.membership.availability,
                         "available": row.available, "load": row.load, "capacity": row.membership.capacity}
                        for row in view.members],
        })
    print_json(result)
    return 0


def cmd_rebalance(args: argparse.Namespace) -> int:
    from cxops.assignment import services
    from cxops.cli import fail, print_json
    from cxops.core.models import Membership

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    if args.member:
        membership = Membership.objects.filter(workspace=workspace, user__email=args.member.lower()).first()
        if membership is None:
            return fail(f"이 워크스페이스의 구성원이 아닙니다: {args.member}")
        moved = services.rebalance_member(membership_id=membership.pk)
    else:
        moved = services.rebalance_workspace(workspace=workspace)
    print_json({"workspace": workspace.slug, "moved": moved})
    return 0


def cmd_drain(args: argparse.Namespace) -> int:
    from cxops.assignment import services
    from cxops.cli import fail, print_json

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    teams = _teams(workspace, args.team)
    if args.team and not teams:
        return fail(f"팀을 찾을 수 없습니다: {args.team}")
    assigned = {team.name: services.drain_team_queue(team=team) for team in teams}
    print_json({"workspace": workspace.slug, "assigned": assigned})
    return 0


def register(sub: Any) -> None:
    group = sub.add_parser("assignment", help="ticket routing and assignment").add_subparsers(dest="action",
                                                                                              required=True)
    p = group.add_parser("show", help="routing rules, team modes, and each agent's availability and load (JSON)")
    p.add_argument("--workspace", required=True)
    p.add_argument("--team", help="one team by name")
    p.set_defaults(handler=cmd_show)
    p = group.add_parser("rebalance", help="move running tickets of agents who are not available now")
    p.add_argument("--workspace", required=True)
    p.add_argument("--member", help="only this agent (email)")
    p.set_defaults(handler=cmd_rebalance)
    p = group.add_parser("drain", help="hand queued tickets to agents with room (automatic teams)")
    p.add_argument("--workspace", required=True)
    p.add_argument("--team", help="one team by name")
    p.set_defaults(handler=cmd_drain)
