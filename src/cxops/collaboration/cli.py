"""`cxops checklist …`: instantiate a launch checklist from a template file."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any


def checklist_json(checklist: Any) -> dict[str, Any]:
    from cxops.collaboration.dates import d_label

    return {
        "id": checklist.pk,
        "workspace": checklist.workspace.slug,
        "name": checklist.name,
        "launch_date": checklist.launch_date.isoformat(),
        "items": [
            {"id": item.pk, "title": item.title, "owner_team": item.owner_team,
             "offset_business_days": item.offset_business_days, "due_date": item.due_date.isoformat(),
             "d_label": d_label(item.due_date, checklist.launch_date), "status": item.status}
            for item in checklist.items.order_by("position", "id")
        ],
    }


def cmd_instantiate(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.collaboration.services import checklist_instantiate
    from cxops.collaboration.specs import SpecError, parse_template
    from cxops.core.models import Workspace

    workspace = Workspace.objects.filter(slug=args.workspace).first()
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    try:
        launch = date.fromisoformat(args.launch_date)
    except ValueError:
        return fail(f"오픈일은 YYYY-MM-DD 형식이어야 합니다: {args.launch_date}")
    try:
        with open(args.template_file, encoding="utf-8") as handle:
            spec = parse_template(json.load(handle))
    except OSError as exc:
        return fail(f"템플릿 파일을 읽을 수 없습니다: {exc}")
    except json.JSONDecodeError as exc:
        return fail(f"템플릿 파일이 올바른 JSON이 아닙니다: {exc}")
    except SpecError as exc:
        return fail(str(exc))
    checklist = checklist_instantiate(workspace=workspace, spec=spec, launch_date=launch, actor=None,
                                      name=args.name or "")
    data = checklist_json(checklist)
    if args.json:
        print_json(data)
    else:
        print(f"{data['name']} (오픈 {data['launch_date']}) #{data['id']}")
        for item in data["items"]:
            print(f"  {item['due_date']} {item['d_label']:>6}  {item['title']}  [{item['owner_team']}]")
    return 0


def register(sub: Any) -> None:
    checklist = sub.add_parser("checklist", help="launch checklists").add_subparsers(dest="action", required=True)
    p = checklist.add_parser("instantiate", help="create a checklist from a template file and a launch date")
    p.add_argument("--workspace", required=True)
    p.add_argument("--template-file", required=True)
    p.add_argument("--launch-date", required=True)
    p.add_argument("--name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_instantiate)
