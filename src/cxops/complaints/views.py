"""Agent pages of complaint handling: the ticket side panel, the complaints overview, the remedy report
and the settings (rules, escalation matrix, compensation policy, delegated authority).

Thin adapters: parse input, call one selector or service, render. Everything goes through
`workspace_view` (membership, roles, read-only client viewers, other workspaces → 404).
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import trigger_client_event
from openpyxl import Workbook
from openpyxl.styles import Font

from cxops.complaints import selectors, services
from cxops.complaints.models import (
    Agency,
    ComplaintType,
    OwnerRole,
    RegulatorStatus,
    RemedyKind,
    RemedyStatus,
    RuleKind,
    Severity,
)
from cxops.core.models import Membership, Role
from cxops.core.selectors import member_get, members_list
from cxops.core.services import ServiceError
from cxops.tickets import selectors as ticket_selectors
from cxops.tickets.models import Channel
from cxops.web.decorators import get_membership, workspace_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value: str | None, default: int | None = None) -> int | None:
    value = (value or "").replace(",", "").replace("₩", "").replace("원", "").strip()
    return int(value) if value.isdigit() else default


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _today(membership: Membership) -> date:
    return timezone.localtime(timezone.now(), ZoneInfo(membership.workspace.timezone or "Asia/Seoul")).date()


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- ticket side panel --------------------------------------------------------------------------------

def _panel(request: HttpRequest, number: int, error: str = "", notice: str = "") -> HttpResponse:
    membership = get_membership(request)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    flag = selectors.flag_for_ticket(membership=membership, ticket=ticket)
    remedies = list(selectors.remedies_for_ticket(membership=membership, ticket=ticket))
    return render(request, "complaints/_ticket_panel.html", {
        "ticket": ticket, "flag": flag, "error": error, "notice": notice,
        "history": list(selectors.flag_history(flag=flag)[:5]) if flag else [],
        "escalations": list(selectors.escalations_for_ticket(membership=membership, ticket=ticket)),
        "remedies": remedies, "limit": services.authority_limit(membership) if membership.can_write else 0,
        "is_lead": membership.has_role(Role.LEAD) and membership.can_write,
        "complaint_types": ComplaintType.choices, "severities": Severity.choices, "remedy_kinds": RemedyKind.choices,
        "regulators": list(ticket.regulator_complaints.all()),
    })


def _panel_or_redirect(request: HttpRequest, number: int, error: str, success: str) -> HttpResponse:
    if not _htmx(request):
        (messages.error if error else messages.success)(request, error or success)
        return redirect("ticket_detail", slug=get_membership(request).workspace.slug, number=number)
    response = _panel(request, number, error, "" if error else success)
    if not error:
        trigger_client_event(response, "complaint-changed")
    return response


@workspace_view()
def ticket_panel(request: HttpRequest, number: int) -> HttpResponse:
    return _panel(request, number)


@workspace_view(min_role=Role.AGENT, write=True)
def ticket_flag(request: HttpRequest, number: int) -> HttpResponse:
    membership = get_membership(request)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    error = ""
    try:
        if request.POST.get("action") == "unflag":
            services.complaint_unflag(ticket=ticket, by=membership, note=request.POST.get("note", ""))
            success = _("민원에서 해제했습니다.")
        else:
            services.complaint_flag(ticket=ticket, by=membership, note=request.POST.get("note", ""),
                                    complaint_type=request.POST.get("complaint_type", ""),
                                    severity=request.POST.get("severity", ""))
            success = _("민원으로 지정하고 팀장에게 알렸습니다.")
    except ServiceError as exc:
        error, success = str(exc), ""
    return _panel_or_redirect(request, number, error, success)


@workspace_view(min_role=Role.AGENT, write=True)
def remedy_new(request: HttpRequest, number: int) -> HttpResponse:
    membership = get_membership(request)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    amount = _int(request.POST.get("amount"))
    error, success = "", ""
    try:
        if amount is None:
            raise ServiceError(_("금액을 숫자(원)로 입력해 주세요."))
        remedy = services.remedy_propose(ticket=ticket, by=membership, kind=request.POST.get("kind", ""),
                                         amount=amount, reason=request.POST.get("reason", ""),
                                         complaint_type=request.POST.get("complaint_type", ""))
        success = (_("전결 한도 안이라 바로 승인되었습니다.") if remedy.status == RemedyStatus.APPROVED
                   else _("승인을 요청했습니다. 팀장에게 알렸습니다."))
    except ServiceError as exc:
        error = str(exc)
    return _panel_or_redirect(request, number, error, success)


@workspace_view(min_role=Role.AGENT, write=True)
def remedy_decide(request: HttpRequest, remedy_id: int) -> HttpResponse:
    membership = get_membership(request)
    remedy = selectors.remedy_get(membership=membership, remedy_id=remedy_id)
    action = request.POST.get("action", "")
    error, success = "", ""
    try:
        if action == "approve":
            services.remedy_approve(remedy=remedy, by=membership, reason=request.POST.get("reason", ""))
            success = _("보상을 승인했습니다.")
        elif action == "reject":
            services.remedy_reject(remedy=remedy, by=membership, reason=request.POST.get("reason", ""))
            success = _("보상을 반려했습니다.")
        elif action == "issue":
            services.remedy_issue(remedy=remedy, by=membership)
            success = _("지급 완료로 표시했습니다.")
        else:
            raise ServiceError(_("알 수 없는 요청입니다."))
    except ServiceError as exc:
        error = str(exc)
    if request.POST.get("next") == "list":
        (messages.error if error else messages.success)(request, error or success)
        return redirect("complaints_home", slug=membership.workspace.slug)
    return _panel_or_redirect(request, remedy.ticket.number or 0, error, success)


@workspace_view(min_role=Role.AGENT, write=True)
def escalation_update(request: HttpRequest, escalation_id: int) -> HttpResponse:
    membership = get_membership(request)
    escalation = selectors.escalation_get(membership=membership, escalation_id=escalation_id)
    error, success = "", ""
    try:
        if request.POST.get("action") == "resolve":
            services.escalation_resolve(escalation=escalation, by=membership,
                                        resolution=request.POST.get("resolution", ""))
            success = _("에스컬레이션을 완료했습니다.")
        else:
            services.escalation_acknowledge(escalation=escalation, by=membership)
            success = _("에스컬레이션을 확인했습니다.")
    except ServiceError as exc:
        error = str(exc)
    if request.POST.get("next") == "list":
        (messages.error if error else messages.success)(request, error or success)
        return redirect("complaints_home", slug=membership.workspace.slug)
    return _panel_or_redirect(request, escalation.ticket.number or 0, error, success)


# --- the complaints page ------------------------------------------------------------------------------

@workspace_view()
def home(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    today = _today(membership)
    regulators = list(selectors.regulator_list(membership=membership, open_only=request.GET.get("all") != "1")[:200])
    for item in regulators:
        item.d_label = selectors.d_day(item.response_due, today)  # type: ignore[attr-defined]
        item.overdue = item.response_due < today  # type: ignore[attr-defined]
    now = timezone.now()
    escalations = list(selectors.escalations_open(membership=membership)[:200])
    for e in escalations:
        e.late = e.due_at <= now  # type: ignore[attr-defined]
    return render(request, "complaints/home.html", {
        "counts": selectors.counts(membership=membership), "escalations": escalations,
        "pending": list(selectors.remedies_pending(membership=membership)[:200]), "regulators": regulators,
        "flags": list(selectors.flags_recent(membership=membership)[:30]), "agencies": Agency.choices,
        "regulator_statuses": RegulatorStatus.choices, "today": today,
        "is_lead": membership.has_role(Role.LEAD) and membership.can_write,
        "default_due": today + timedelta(days=7),
    })


@workspace_view(min_role=Role.AGENT, write=True)
def regulator_new(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    received, due = _iso(request.POST.get("received_on")), _iso(request.POST.get("response_due"))
    number = _int(request.POST.get("ticket_number"))
    try:
        if received is None or due is None:
            raise ServiceError(_("접수일과 회신 기한을 YYYY-MM-DD 형식으로 입력해 주세요."))
        ticket = selectors.ticket_for_number(membership=membership, number=number) if number else None
        services.regulator_add(workspace=membership.workspace, by=membership, agency=request.POST.get("agency", ""),
                               reference_number=request.POST.get("reference_number", ""), received_on=received,
                               response_due=due, summary=request.POST.get("summary", ""), ticket=ticket)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("기관 민원을 등록했습니다."))
    return redirect("complaints_home", slug=membership.workspace.slug)


@workspace_view(min_role=Role.AGENT, write=True)
def regulator_status(request: HttpRequest, item_id: int) -> HttpResponse:
    membership = get_membership(request)
    item = selectors.regulator_get(membership=membership, item_id=item_id)
    try:
        services.regulator_set_status(item=item, by=membership, status=request.POST.get("status", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("상태를 바꿨습니다."))
    return redirect("complaints_home", slug=membership.workspace.slug)


# --- report -------------------------------------------------------------------------------------------

def _period(request: HttpRequest, membership: Membership) -> tuple[date, date, datetime, datetime]:
    today = _today(membership)
    start = _iso(request.GET.get("from")) or today.replace(day=1)
    end = _iso(request.GET.get("to")) or today
    if end < start:
        start, end = end, start
    tz = ZoneInfo(membership.workspace.timezone or "Asia/Seoul")
    return (start, end, datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


@workspace_view()
def report(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    start, end, since, until = _period(request, membership)
    rows = selectors.remedies_report(membership=membership, since=since, until=until)
    return render(request, "complaints/report.html", {
        "rows": rows, "start": start, "end": end,
        "total_count": sum(r.count for r in rows), "total_amount": sum(r.amount for r in rows)})


@workspace_view()
def report_export(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    start, end, since, until = _period(request, membership)
    rows = selectors.remedies_report(membership=membership, since=since, until=until)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("보상 현황")
    sheet.append([_("상품"), _("사유"), _("보상 종류"), _("건수"), _("금액(원)")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rows:
        # Text cells that look like formulas are kept as text (a product named "=…" must not run).
        sheet.append([_safe_cell(r.product or _("(상품 없음)")), _safe_cell(r.reason or _("(사유 없음)")),
                      r.kind, r.count, r.amount])
    sheet.append([_("합계"), "", "", sum(r.count for r in rows), sum(r.amount for r in rows)])
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "#,##0"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="remedies-{start.isoformat()}-{end.isoformat()}.xlsx"'
    return response


def _safe_cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# --- settings -----------------------------------------------------------------------------------------

@workspace_view(min_role=Role.MANAGER)
def settings_page(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    config = selectors.config(membership=membership)
    model = selectors.current_model(membership=membership)
    return render(request, "complaints/settings.html", {
        "config": config, "rules": list(selectors.rules_list(membership=membership)),
        "matrix": list(selectors.escalation_rules_list(membership=membership)),
        "policies": list(selectors.policies_list(membership=membership)),
        "limits": selectors.member_limits(membership=membership),
        "role_limits": [(role, label, config.limit_for_role(role)) for role, label in Role.choices
                        if role != Role.CLIENT_VIEWER],
        "leads": [m for m in members_list(workspace=membership.workspace) if m.has_role(Role.LEAD)],
        "model": model, "feedback": selectors.feedback_counts(membership=membership),
        "rule_kinds": RuleKind.choices, "owner_roles": OwnerRole.choices, "severities": Severity.choices,
        "complaint_types": ComplaintType.choices, "remedy_kinds": RemedyKind.choices, "channels": Channel.choices,
        "builtin_threats": services.scoring.THREAT_PHRASES,
    })


def _settings_op(request: HttpRequest, membership: Membership, op: str) -> str:
    post = request.POST
    workspace = membership.workspace
    if op == "config":
        threshold = post.get("threshold", "")
        try:
            value = float(threshold)
        except ValueError as exc:
            raise ServiceError(_("판정 기준 점수는 0.05~0.99 사이의 숫자여야 합니다.")) from exc
        services.config_update(
            workspace=workspace, by=membership, threshold=value, model_enabled=post.get("model_enabled") == "on",
            builtin_threats=post.get("builtin_threats") == "on", repeat_days=_int(post.get("repeat_days"), 7),
            repeat_min_tickets=_int(post.get("repeat_min_tickets"), 3),
            regulator_reminder_days=_int(post.get("regulator_reminder_days"), 3),
            role_limits={role: _int(post.get(f"limit_{role}"), 0) or 0
                         for role in (Role.AGENT, Role.LEAD, Role.MANAGER, Role.ADMIN) if post.get(f"limit_{role}")})
        return _("설정을 저장했습니다.")
    if op == "rule_add":
        weight = post.get("weight", "")
        services.rule_add(workspace=workspace, by=membership, kind=post.get("kind", ""), value=post.get("value", ""),
                          weight=float(weight) if weight.replace(".", "", 1).isdigit() else None)
        return _("규칙을 추가했습니다.")
    if op == "rule_delete":
        services.rule_delete(rule=selectors.rule_get(membership=membership, rule_id=_int(post.get("id"), 0) or 0),
                             by=membership)
        return _("규칙을 삭제했습니다.")
    if op == "matrix_add":
        owner_id = _int(post.get("owner"))
        services.escalation_rule_add(
            workspace=workspace, by=membership, tier=_int(post.get("tier"), 1) or 1,
            owner_role=post.get("owner_role", OwnerRole.LEAD),
            owner=member_get(workspace=workspace, membership_id=owner_id) if owner_id else None,
            response_minutes=_int(post.get("response_minutes"), 60) or 60, severities=post.getlist("severities"),
            complaint_types=post.getlist("complaint_types"), regulator_only=post.get("regulator_only") == "on")
        return _("에스컬레이션 단계를 추가했습니다.")
    if op == "matrix_delete":
        services.escalation_rule_delete(
            rule=selectors.escalation_rule_get(membership=membership, rule_id=_int(post.get("id"), 0) or 0),
            by=membership)
        return _("에스컬레이션 단계를 삭제했습니다.")
    if op == "policy_add":
        amount = _int(post.get("max_amount"))
        if amount is None:
            raise ServiceError(_("최대 금액을 숫자(원)로 입력해 주세요."))
        services.policy_add(workspace=workspace, by=membership, kind=post.get("kind", ""), max_amount=amount,
                            channel=post.get("channel", ""), product_type=post.get("product_type", ""),
                            complaint_type=post.get("complaint_type", ""))
        return _("보상 정책을 추가했습니다.")
    if op == "policy_delete":
        services.policy_delete(
            policy=selectors.policy_get(membership=membership, policy_id=_int(post.get("id"), 0) or 0), by=membership)
        return _("보상 정책을 삭제했습니다.")
    if op == "limit_set":
        member = member_get(workspace=workspace, membership_id=_int(post.get("member"), 0) or 0)
        services.authority_set(workspace=workspace, by=membership, member=member, limit=_int(post.get("limit")))
        return _("전결 한도를 저장했습니다.")
    if op == "retrain":
        services.model_retrain(workspace=workspace)
        return _("모델을 다시 학습했습니다.")
    raise ServiceError(_("알 수 없는 요청입니다."))


@workspace_view(min_role=Role.MANAGER, write=True)
def settings_save(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    try:
        messages.success(request, _settings_op(request, membership, request.POST.get("op", "")))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("complaints_settings", slug=membership.workspace.slug)

