"""`cxops complaints …`: the open complaint work of a workspace, regulator complaints, the scorer."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any


def _workspace(slug: str) -> Any:
    from cxops.core.models import Workspace

    return Workspace.objects.filter(slug=slug).first()


def cmd_list(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from cxops.cli import fail, print_json
    from cxops.complaints.models import REGULATOR_OPEN, Escalation, EscalationStatus, RegulatorComplaint, Remedy
    from cxops.complaints.selectors import d_day

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    from zoneinfo import ZoneInfo

    today = timezone.localtime(timezone.now(), ZoneInfo(workspace.timezone or "Asia/Seoul")).date()
    escalations = list(Escalation.objects.filter(workspace=workspace).exclude(status=EscalationStatus.RESOLVED)
                       .select_related("ticket", "owner__user").order_by("due_at", "id")[:500])
    pending = list(Remedy.objects.filter(workspace=workspace, status="pending_approval")
                   .select_related("ticket", "proposer").order_by("created_at", "id")[:500])
    regulators = list(RegulatorComplaint.objects.filter(workspace=workspace, status__in=REGULATOR_OPEN)
                      .select_related("ticket").order_by("response_due", "id")[:500])
    data: dict[str, list[dict[str, Any]]] = {
        "escalations": [{"id": e.pk, "ticket": e.ticket.number, "tier": e.tier, "status": e.status,
                         "owner": e.owner.user.label if e.owner else "", "due_at": e.due_at.isoformat(),
                         "breached": e.breached, "reason": e.reason} for e in escalations],
        "pending_remedies": [{"id": r.pk, "ticket": r.ticket.number, "kind": r.kind, "amount": r.amount,
                              "proposer": r.proposer.label if r.proposer else "", "reason": r.reason}
                             for r in pending],
        "regulator_complaints": [{"id": g.pk, "agency": g.agency, "reference_number": g.reference_number,
                                  "response_due": g.response_due.isoformat(), "d_label": d_day(g.response_due, today),
                                  "ticket": g.ticket.number if g.ticket else None, "status": g.status}
                                 for g in regulators],
    }
    if args.json:
        print_json(data)
        return 0
    print(f"에스컬레이션 {len(escalations)}건")
    for e in data["escalations"]:
        late = " 기한 초과" if e["breached"] else ""
        print(f"  #{e['ticket']} {e['tier']}차 {e['status']} {e['owner']} 기한 {e['due_at'][:16]}{late}")
    print(f"보상 승인 대기 {len(pending)}건")
    for r in data["pending_remedies"]:
        print(f"  #{r['ticket']} {r['kind']} ₩{r['amount']:,} ({r['proposer']}) {r['reason']}")
    print(f"기관 민원 {len(regulators)}건")
    for g in data["regulator_complaints"]:
        print(f"  {g['agency']} {g['reference_number']} 회신 기한 {g['response_due']} {g['d_label']}")
    return 0


def cmd_regulator_add(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.complaints import services
    from cxops.tickets.models import Ticket

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    try:
        received, due = date.fromisoformat(args.received), date.fromisoformat(args.due)
    except ValueError:
        return fail("날짜는 YYYY-MM-DD 형식이어야 합니다.")
    ticket = None
    if args.ticket is not None:
        ticket = Ticket.objects.filter(workspace=workspace, number=args.ticket).select_related("workspace", "team").first()
        if ticket is None:
            return fail(f"티켓을 찾을 수 없습니다: #{args.ticket}")
    item = services.regulator_add(workspace=workspace, by=None, agency=args.agency, reference_number=args.reference,
                                  received_on=received, response_due=due, summary=args.summary or "", ticket=ticket)
    data = {"id": item.pk, "agency": item.agency, "reference_number": item.reference_number,
            "response_due": item.response_due.isoformat(), "ticket": ticket.number if ticket else None}
    if args.json:
        print_json(data)
    else:
        print(f"{item.get_agency_display()} {item.reference_number} 등록 (회신 기한 {data['response_due']})")
    return 0


def cmd_retrain(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.complaints import services

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    row = services.model_retrain(workspace=workspace)
    data = {"id": row.pk, "examples": row.examples, "feedback": row.feedback, "metrics": row.metrics}
    if args.json:
        print_json(data)
    else:
        print(f"학습 완료: 예문 {row.examples}개 (상담원 피드백 {row.feedback}개), "
              f"교차 검증 정확도 {row.metrics.get('cv_accuracy', 0):.2f}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.complaints import detection

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    ruleset = detection.ruleset_for(workspace.pk)
    verdict = detection.evaluate(workspace_id=workspace.pk, text=args.text, channel=args.channel or "",
                                 ruleset=ruleset)
    data = {"score": verdict.score, "model_score": verdict.model_score, "matched": verdict.matched,
            "is_complaint": verdict.is_complaint(ruleset.threshold), "threshold": ruleset.threshold,
            "complaint_type": verdict.complaint_type, "severity": verdict.severity}
    if args.json:
        print_json(data)
    else:
        print(f"{'민원' if data['is_complaint'] else '일반'} 점수 {verdict.score:.2f} (기준 {ruleset.threshold:.2f}, "
              f"모델 {verdict.model_score if verdict.model_score is not None else '-'}) "
              f"규칙 {', '.join(verdict.matched) or '-'}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.complaints import services

    workspace = _workspace(args.workspace)
    if workspace is None:
        return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
    data = {"breached": services.escalations_check_breaches(workspace=workspace),
            "reminders": services.regulator_reminders(workspace=workspace)}
    if args.json:
        print_json(data)
    else:
        print(f"기한 초과 에스컬레이션 {data['breached']}건, 기관 민원 알림 {data['reminders']}건")
    return 0


# The values of complaints.models.Agency: the parser is built before Django is set up, so it cannot
# import the models (a test checks the two stay the same).
AGENCY_CHOICES = ("1372", "kca", "epeople", "ftc", "other")


def register(sub: Any) -> None:
    complaints = sub.add_parser("complaints", help="complaint handling").add_subparsers(dest="action", required=True)
    p = complaints.add_parser("list", help="open escalations, remedies awaiting approval, regulator complaints")
    p.add_argument("--workspace", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)

    regulator = complaints.add_parser("regulator", help="regulator complaints").add_subparsers(
        dest="regulator_action", required=True)
    p = regulator.add_parser("add", help="record a complaint filed with 1372, 한국소비자원, 국민신문고 …")
    p.add_argument("--workspace", required=True)
    p.add_argument("--agency", required=True, choices=AGENCY_CHOICES)
    p.add_argument("--reference", required=True, help="the agency's reference number")
    p.add_argument("--received", required=True, help="YYYY-MM-DD")
    p.add_argument("--due", required=True, help="response deadline, YYYY-MM-DD")
    p.add_argument("--ticket", type=int, help="ticket number to link (flags and escalates it)")
    p.add_argument("--summary")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_regulator_add)

    p = complaints.add_parser("retrain", help="retrain the workspace's complaint scorer on agents' feedback")
    p.add_argument("--workspace", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_retrain)

    p = complaints.add_parser("score", help="score a text with the workspace's rules and model")
    p.add_argument("--workspace", required=True)
    p.add_argument("--channel")
    p.add_argument("--json", action="store_true")
    p.add_argument("text")
    p.set_defaults(handler=cmd_score)

    p = complaints.add_parser("check", help="mark breached escalations and send regulator reminders now")
    p.add_argument("--workspace", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_check)
