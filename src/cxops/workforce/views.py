"""Workforce planning pages: forecast vs actual, staffing table, schedules (grid, edits, swaps, publish),
my schedule, intraday, KPIs with QA, the masked client report, and the XLSX exports.

Thin adapters: parse input, call one selector or service, render. Planning pages are for leads and
up; agents see their own published shifts; client viewers get the masked report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cxops.core.models import Role
from cxops.core.services import ServiceError
from cxops.tickets.models import Channel
from cxops.web.decorators import get_membership, workspace_view
from cxops.workforce import selectors, services
from cxops.workforce.charts import line_chart
from cxops.workforce.models import DaysOff, Schedule, SolveStatus
from cxops.workforce.series import IntervalValue, parse_hhmm

CHANNEL_LABELS = dict(Channel.choices)
CHANNEL_CHOICES = [(c.value, c.label) for c in Channel if c not in (Channel.API, Channel.IMPORT)]
MAX_CSV_BYTES = 5 * 1024 * 1024


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _channel(request: HttpRequest, default: str = Channel.PHONE.value) -> str:
    value = request.GET.get("channel") or request.POST.get("channel") or default
    return value if value in CHANNEL_LABELS else default


def _interval(request: HttpRequest, default: int = 30) -> int:
    value = request.GET.get("interval") or request.POST.get("interval") or ""
    return int(value) if value in ("15", "30", "60") else default


def _xlsx(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _sheet(workbook: Workbook, title: str, header: list[str], first: bool = False) -> Any:
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return sheet


def _base(request: HttpRequest, tab: str) -> dict[str, Any]:
    return {"tab": tab, "channels": CHANNEL_CHOICES, "channel_labels": CHANNEL_LABELS}


# --- forecast -------------------------------------------------------------------------------------

@workspace_view(min_role=Role.LEAD)
def forecast(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    today = selectors.today_for(workspace)
    channel = _channel(request)
    interval = _interval(request, selectors.settings_for(workspace=workspace, channel=channel).interval_min)
    week = _date(request.GET.get("week"), today - dt.timedelta(days=7))
    acc = selectors.accuracy(workspace=workspace, channel=channel, start=week, interval_min=interval)
    per_day = 1440 // interval
    starts = selectors.interval_starts(interval)
    labels = [f"{(week + dt.timedelta(days=i // per_day)):%m-%d}" if i % per_day == 0 else ""
              for i in range(acc.days * per_day)]
    actual_flat: list[float | None] = [float(v) if i // per_day < acc.complete_days else None
                                       for i, v in enumerate(acc.actual.reshape(-1))]
    series: list[tuple[str, str, list[float | None], bool]] = [
        (_("실제"), "#1f2937", actual_flat, False),
        (_("예측"), "#2f6fed", [float(v) for v in acc.forecast.reshape(-1)], False),
    ]
    if acc.naive is not None:
        series.append((_("지난주 같은 요일(계절 단순)"), "#d97706", [float(v) for v in acc.naive.reshape(-1)], True))
    chart = line_chart(series, x_labels=labels, label_every=per_day)
    days = [{"date": week + dt.timedelta(days=d), "forecast": float(acc.forecast[d].sum()),
             "actual": float(acc.actual[d].sum()) if d < acc.complete_days else None,
             "naive": float(acc.naive[d].sum()) if acc.naive is not None else None} for d in range(acc.days)]
    upcoming = selectors.forecast_for(workspace=workspace, channel=channel, start=today, days=7, interval_min=interval)
    peak = [(starts[i], float(upcoming.values[:, i].mean())) for i in range(per_day)]
    return render(request, "workforce/forecast.html", {
        **_base(request, "forecast"), "channel": channel, "interval": interval, "week": week, "acc": acc,
        "chart": chart, "days": days, "upcoming": upcoming,
        "upcoming_days": [(today + dt.timedelta(days=d), float(upcoming.values[d].sum())) for d in range(7)],
        "peak": [p for p in peak if p[1] > 0][:96], "prev_week": week - dt.timedelta(days=7),
        "next_week": week + dt.timedelta(days=7), "today": today,
        "saved": list(selectors.saved_forecasts(workspace=workspace)[:10]),
    })


@workspace_view(min_role=Role.LEAD, write=True)
def forecast_save(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    channel = _channel(request)
    interval = _interval(request)
    days = int(request.POST.get("days") or 14) if (request.POST.get("days") or "14").isdigit() else 0
    try:
        upload = request.FILES.get("history")
        if upload is not None:
            rows = _csv_rows(upload.read(MAX_CSV_BYTES + 1))
            saved = services.forecast_save_from_rows(workspace=workspace, by=membership, channel=channel, rows=rows,
                                                     days=days, interval_min=interval)
        else:
            start = _date(request.POST.get("start"), selectors.today_for(workspace))
            saved = services.forecast_save_from_history(workspace=workspace, by=membership, channel=channel,
                                                        start=start, days=days, interval_min=interval)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(start)s부터 %(days)s일 예측을 저장했습니다. 인력 산정과 근무표가 이 예측을 씁니다.")
                         % {"start": saved.start_date.isoformat(), "days": saved.days})
    return redirect(reverse("wf_forecast", kwargs={"slug": workspace.slug}) + f"?channel={channel}")


def _csv_rows(raw: bytes) -> list[IntervalValue]:
    """CSV with columns date, interval_start, offered (the shared call-center format)."""
    if len(raw) > MAX_CSV_BYTES:
        raise ServiceError(_("CSV 파일은 5MB 이하로 올려 주세요."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError(_("CSV는 UTF-8로 저장해 주세요.")) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = {"date", "interval_start", "offered"} - set(reader.fieldnames or [])
    if missing:
        raise ServiceError(_("CSV에 필요한 열이 없습니다: %(columns)s") % {"columns": ", ".join(sorted(missing))})
    rows = []
    seen: set[tuple[dt.date, dt.time]] = set()
    for line, row in enumerate(reader, start=2):
        try:
            item = IntervalValue(dt.date.fromisoformat(row["date"].strip()), parse_hhmm(row["interval_start"]),
                                 float((row["offered"] or "0").strip() or 0))
        except (ValueError, AttributeError) as exc:
            raise ServiceError(_("CSV %(line)s번째 줄을 읽을 수 없습니다: %(error)s") % {"line": line, "error": exc}) from exc
        if item.value < 0 or (item.date, item.interval_start) in seen:
            raise ServiceError(_("CSV %(line)s번째 줄: 음수이거나 중복된 구간입니다.") % {"line": line})
        seen.add((item.date, item.interval_start))
        rows.append(item)
    if not rows:
        raise ServiceError(_("CSV에 데이터가 없습니다."))
    return rows


# --- staffing -------------------------------------------------------------------------------------

@workspace_view(min_role=Role.LEAD)
def staffing(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    day = _date(request.GET.get("date"), selectors.today_for(workspace) + dt.timedelta(days=1))
    interval = _interval(request)
    plan = selectors.staffing_plan(workspace=workspace, start=day, days=1, interval_min=interval)
    starts = selectors.interval_starts(interval)
    rows = []
    for i, start in enumerate(starts):
        cells = [plan.cells[c][i] for c in plan.channels]
        if any(c.calls > 0 or c.agents for c in cells):
            rows.append({"start": start, "cells": cells, "scheduled": sum(c.scheduled for c in cells)})
    totals = {c: {"calls": sum(x.calls for x in plan.cells[c]),
                  "hours": sum(x.scheduled for x in plan.cells[c]) * interval / 60} for c in plan.channels}
    return render(request, "workforce/staffing.html", {
        **_base(request, "staffing"), "plan": plan, "rows": rows, "day": day, "interval": interval,
        "totals": totals, "prev_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1),
    })


@workspace_view(min_role=Role.LEAD)
def staffing_export(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    start = _date(request.GET.get("date"), selectors.today_for(workspace) + dt.timedelta(days=1))
    interval = _interval(request)
    days = 7
    plan = selectors.staffing_plan(workspace=workspace, start=start, days=days, interval_min=interval)
    starts = selectors.interval_starts(interval)
    book = Workbook()
    sheet = _sheet(book, _("인력 산정"), [_("날짜"), _("구간 시작"), _("채널"), _("예측 인입"), _("필요 인원"),
                                        _("배치 인원(비가동 반영)"), _("서비스 레벨"), _("점유율")], first=True)
    for channel in plan.channels:
        for s, cell in enumerate(plan.cells[channel]):
            sheet.append([start + dt.timedelta(days=s // len(starts)), f"{starts[s % len(starts)]:%H:%M}",
                          str(CHANNEL_LABELS.get(channel, channel)), round(cell.calls, 2), cell.agents,
                          cell.scheduled, None if cell.service_level is None else round(cell.service_level, 4),
                          None if cell.occupancy is None else round(cell.occupancy, 4)])
    return _xlsx(book, f"staffing-{workspace.slug}-{start.isoformat()}.xlsx")


# --- setup: channel settings, shift templates, agent constraints ------------------------------------

@workspace_view(min_role=Role.LEAD)
def setup(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    stored = {s.channel: s for s in selectors.settings_list(workspace=workspace)}
    rows = [(value, label, stored.get(value) or selectors.settings_for(workspace=workspace, channel=value),
             value in stored) for value, label in CHANNEL_CHOICES]
    return render(request, "workforce/setup.html", {
        **_base(request, "setup"), "settings_rows": rows, "templates": selectors.shift_templates(workspace=workspace),
        "members": selectors.scheduled_members(workspace=workspace), "days_off_choices": DaysOff.choices,
    })


@workspace_view(min_role=Role.LEAD, write=True)
def settings_save(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    post = request.POST
    try:
        services.settings_save(workspace=membership.workspace, by=membership, channel=post.get("channel", ""),
                               data=services.SettingsInput(
                                   interval_min=post.get("interval_min", 30), aht_s=post.get("aht_s", ""),
                                   target_sl=post.get("target_sl", ""), answer_within_s=post.get("answer_within_s", ""),
                                   shrinkage=post.get("shrinkage", ""), max_occupancy=post.get("max_occupancy", ""),
                                   patience_s=post.get("patience_s") or None, deferred=post.get("deferred") == "on",
                                   sla_window_min=post.get("sla_window_min", "")))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("채널 설정을 저장했습니다."))
    return redirect("wf_setup", slug=membership.workspace.slug)


@workspace_view(min_role=Role.LEAD, write=True)
def shift_save(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    post = request.POST
    try:
        if post.get("delete"):
            services.shift_template_delete(workspace=membership.workspace, by=membership,
                                           template_id=int(post["delete"]))
        else:
            services.shift_template_save(workspace=membership.workspace, by=membership, name=post.get("name", ""),
                                         start=post.get("start", ""), length_min=post.get("length_min", ""),
                                         breaks=post.get("breaks", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    except (ValueError, ObjectDoesNotExist) as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("근무 유형을 저장했습니다."))
    return redirect("wf_setup", slug=membership.workspace.slug)


@workspace_view(min_role=Role.LEAD, write=True)
def profile_save(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_membership(request)
    post = request.POST

    def words(name: str) -> list[str]:
        return [w for w in post.get(name, "").replace(",", ";").split(";") if w.strip()]

    try:
        services.agent_profile_save(
            workspace=membership.workspace, by=membership, membership_id=membership_id,
            contract_hours=post.get("contract_hours", ""), days_off=post.get("days_off", "any"),
            max_consecutive_days=post.get("max_consecutive_days", 6), skills=post.getlist("skills"),
            preferred_days_off=words("preferred_days_off"), forbidden_days=words("forbidden_days"),
            shifts=words("shifts"), seniority=post.get("seniority") or 0, is_scheduled=post.get("is_scheduled") == "on")
    except ServiceError as exc:
        messages.error(request, str(exc))
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("상담원 근무 조건을 저장했습니다."))
    return redirect("wf_setup", slug=membership.workspace.slug)


# --- schedules ------------------------------------------------------------------------------------

def _schedule(request: HttpRequest, schedule_id: int) -> Schedule:
    try:
        return selectors.schedule_get(workspace=get_membership(request).workspace, schedule_id=schedule_id)
    except Schedule.DoesNotExist as exc:
        raise Http404 from exc


@workspace_view(min_role=Role.LEAD)
def schedules(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    today = selectors.today_for(membership.workspace)
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    return render(request, "workforce/schedules.html", {
        **_base(request, "schedules"), "rows": list(selectors.schedules_list(workspace=membership.workspace)[:100]),
        "next_monday": next_monday,
    })


@workspace_view(min_role=Role.LEAD, write=True)
def schedule_new(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    start = _date(request.POST.get("start_date"), selectors.today_for(workspace))
    weeks = request.POST.get("weeks", "")
    try:
        schedule = services.schedule_create(workspace=workspace, by=membership, name=request.POST.get("name", ""),
                                            start_date=start, weeks=int(weeks) if weeks.isdigit() else 0,
                                            interval_min=_interval(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("wf_schedules", slug=workspace.slug)
    messages.success(request, _("근무표 계산을 시작했습니다. 최대 30초쯤 걸립니다."))
    return redirect("wf_schedule", slug=workspace.slug, schedule_id=schedule.pk)


def _schedule_context(request: HttpRequest, schedule: Schedule) -> dict[str, Any]:
    dates, rows = selectors.schedule_grid(schedule=schedule)
    assignments = [cell for row in rows for cell in row.cells if cell is not None]
    cover = selectors.coverage(schedule=schedule, assignments=assignments)
    per_day: dict[dt.date, dict[str, int]] = {d: {"gap": 0, "over": 0} for d in dates}
    for slot in cover:
        per_day[slot.date]["gap"] += slot.gap
        per_day[slot.date]["over"] += slot.over
    gaps = [s for s in cover if s.gap][:300]
    return {**_base(request, "schedules"), "schedule": schedule, "dates": dates, "rows": rows,
            "day_totals": [per_day[d] for d in dates], "gaps": gaps,
            "gap_total": sum(s.gap for s in cover), "templates": selectors.shift_templates(
                workspace=schedule.workspace), "running": schedule.solve_status in (SolveStatus.QUEUED,
                                                                                    SolveStatus.RUNNING)}


@workspace_view(min_role=Role.LEAD)
def schedule_detail(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = _schedule(request, schedule_id)
    return render(request, "workforce/schedule_detail.html", _schedule_context(request, schedule))


@workspace_view(min_role=Role.LEAD)
def schedule_status(request: HttpRequest, schedule_id: int) -> HttpResponse:
    """htmx poll while the solver runs; a finished solve reloads the page."""
    schedule = _schedule(request, schedule_id)
    response = render(request, "workforce/_schedule_status.html", {"schedule": schedule,
                                                                   "running": schedule.solve_status in (
                                                                       SolveStatus.QUEUED, SolveStatus.RUNNING)})
    if schedule.solve_status not in (SolveStatus.QUEUED, SolveStatus.RUNNING) and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


@workspace_view(min_role=Role.LEAD, write=True)
def schedule_cell(request: HttpRequest, schedule_id: int) -> HttpResponse:
    membership = get_membership(request)
    schedule = _schedule(request, schedule_id)
    post = request.POST
    try:
        day = dt.date.fromisoformat(post.get("date", ""))
        shift = post.get("shift", "")
        services.assignment_set(schedule=schedule, by=membership, membership_id=int(post.get("member", "")),
                                date=day, shift_id=int(shift) if shift.isdigit() else None,
                                channel=post.get("channel") or None)
    except ServiceError as exc:
        messages.error(request, str(exc))
    except (ValueError, ObjectDoesNotExist):
        messages.error(request, _("상담원, 날짜, 근무 유형을 확인해 주세요."))
    else:
        messages.success(request, _("근무를 바꿨습니다."))
    return redirect("wf_schedule", slug=membership.workspace.slug, schedule_id=schedule.pk)


@workspace_view(min_role=Role.LEAD, write=True)
def schedule_swap(request: HttpRequest, schedule_id: int) -> HttpResponse:
    membership = get_membership(request)
    schedule = _schedule(request, schedule_id)
    post = request.POST
    try:
        services.assignments_swap(schedule=schedule, by=membership, first_id=int(post.get("first", "")),
                                  second_id=int(post.get("second", "")), date=dt.date.fromisoformat(post.get("date", "")))
    except ServiceError as exc:
        messages.error(request, str(exc))
    except (ValueError, ObjectDoesNotExist):
        messages.error(request, _("상담원 두 명과 날짜를 골라 주세요."))
    else:
        messages.success(request, _("두 상담원의 근무를 맞바꿨습니다."))
    return redirect("wf_schedule", slug=membership.workspace.slug, schedule_id=schedule.pk)


@workspace_view(min_role=Role.LEAD, write=True)
def schedule_publish(request: HttpRequest, schedule_id: int) -> HttpResponse:
    membership = get_membership(request)
    schedule = _schedule(request, schedule_id)
    try:
        services.schedule_publish(schedule=schedule, by=membership)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("근무표를 게시했습니다. 상담원은 ‘내 근무표’에서 볼 수 있습니다."))
    return redirect("wf_schedule", slug=membership.workspace.slug, schedule_id=schedule.pk)


@workspace_view(min_role=Role.LEAD)
def schedule_export(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = _schedule(request, schedule_id)
    dates, rows = selectors.schedule_grid(schedule=schedule)
    book = Workbook()
    grid = _sheet(book, _("근무표"), [_("상담원"), *[f"{d:%m-%d} ({d:%a})" for d in dates], _("근무 시간")], first=True)
    for row in rows:
        grid.append([row.label, *[c.shift.label if c else _("휴무") for c in row.cells], round(row.hours, 1)])
    gaps = _sheet(book, _("커버리지"), [_("날짜"), _("구간 시작"), _("채널"), _("필요"), _("배치"), _("부족"), _("초과")])
    assignments = [c for row in rows for c in row.cells if c is not None]
    for slot in selectors.coverage(schedule=schedule, assignments=assignments):
        gaps.append([slot.date, f"{slot.start:%H:%M}", str(CHANNEL_LABELS.get(slot.channel, slot.channel)),
                     slot.required, slot.scheduled, slot.gap, slot.over])
    return _xlsx(book, f"schedule-{schedule.workspace.slug}-{schedule.start_date.isoformat()}.xlsx")


@workspace_view(min_role=Role.AGENT)
def my_schedule(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    today = selectors.today_for(membership.workspace)
    start = _date(request.GET.get("start"), today - dt.timedelta(days=today.weekday()))
    shifts = {a.date: a for a in selectors.my_assignments(membership=membership, start=start)}
    days = [(start + dt.timedelta(days=i), shifts.get(start + dt.timedelta(days=i))) for i in range(28)]
    return render(request, "workforce/my_schedule.html", {
        "tab": "mine", "days": days, "today": today, "start": start,
        "prev": start - dt.timedelta(days=28), "next": start + dt.timedelta(days=28),
        "hours": sum(a.shift.paid_min for a in shifts.values()) / 60,
    })


# --- intraday -------------------------------------------------------------------------------------

@workspace_view(min_role=Role.LEAD)
def intraday(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    channel = _channel(request)
    interval = _interval(request)
    view = selectors.intraday(workspace=membership.workspace, channel=channel, interval_min=interval)
    starts = selectors.interval_starts(interval)
    chart = line_chart([(_("실제"), "#1f2937", view.actual, False), (_("예측"), "#2f6fed", view.forecast, False),
                        (_("재예측"), "#16a34a", view.reforecast, True)],
                       x_labels=[f"{s:%H}" if s.minute == 0 else "" for s in starts], label_every=1)
    settings = selectors.settings_for(workspace=membership.workspace, channel=channel)
    remaining = view.reforecast[view.elapsed:]
    cells = selectors.staffing_cells(settings, remaining, interval) if remaining else []
    rows = [{"start": starts[view.elapsed + i], "forecast": view.forecast[view.elapsed + i],
             "reforecast": view.reforecast[view.elapsed + i], "cell": cell}
            for i, cell in enumerate(cells) if cell.calls > 0]
    return render(request, "workforce/intraday.html", {
        **_base(request, "intraday"), "view": view, "chart": chart, "channel": channel, "interval": interval,
        "rows": rows, "actual_total": sum(v or 0 for v in view.actual),
        "forecast_total": sum(view.forecast), "reforecast_total": sum(view.reforecast),
    })


# --- KPIs, QA, client report --------------------------------------------------------------------------

def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = selectors.today_for(get_membership(request).workspace)
    end = _date(request.GET.get("end"), today)
    start = _date(request.GET.get("start"), end - dt.timedelta(days=6))
    if start > end or (end - start).days > 92:
        start = end - dt.timedelta(days=6)
    return start, end


@workspace_view(min_role=Role.LEAD)
def kpis(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    start, end = _period(request)
    report = selectors.kpis(workspace=membership.workspace, start=start, end=end)
    return render(request, "workforce/kpis.html", {**_base(request, "kpis"), "report": report, "masked": False})


@workspace_view(min_role=Role.CLIENT_VIEWER)
def client_report(request: HttpRequest) -> HttpResponse:
    """Read-only KPI report for the client company: agent names masked."""
    membership = get_membership(request)
    start, end = _period(request)
    report = selectors.kpis(workspace=membership.workspace, start=start, end=end, mask=True)
    return render(request, "workforce/kpis.html", {**_base(request, "report"), "report": report, "masked": True})


@workspace_view(min_role=Role.LEAD)
def kpis_export(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    start, end = _period(request)
    report = selectors.kpis(workspace=membership.workspace, start=start, end=end)
    book = Workbook()
    sheet = _sheet(book, _("상담원 KPI"), [
        _("상담원"), _("해결 티켓"), _("통화"), _("평균 통화 시간(초)"), _("답변 수"), _("첫 응답(분)"),
        _("첫 응답 영업시간(분)"), _("해결 시간(시간)"), _("해결 영업시간(시간)"), _("SLA 준수율"), _("미해결"),
        _("점유율"), _("QA 평균"), _("QA 건수")], first=True)

    def r(value: float | None, digits: int = 1) -> float | None:
        return None if value is None else round(value, digits)

    for row in [*report.agents, report.team]:
        sheet.append([row.label or _("팀 전체"), row.tickets_solved, row.calls, r(row.handle_time_s), row.replies,
                      r(row.first_response_min), r(row.first_response_business_min), r(row.resolution_h),
                      r(row.resolution_business_h), r(row.sla_attainment, 4), row.backlog, r(row.occupancy, 4),
                      r(row.qa_average), row.qa_count])
    return _xlsx(book, f"kpi-{membership.workspace.slug}-{start.isoformat()}-{end.isoformat()}.xlsx")


@workspace_view(min_role=Role.LEAD)
def qa(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    return render(request, "workforce/qa.html", {
        **_base(request, "qa"), "criteria": selectors.qa_criteria(workspace=workspace, active_only=False),
        "active": selectors.qa_criteria(workspace=workspace),
        "cards": list(selectors.qa_scorecards(workspace=workspace)[:50]),
    })


@workspace_view(min_role=Role.LEAD, write=True)
def qa_criterion(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    post = request.POST
    try:
        services.qa_criterion_save(workspace=membership.workspace, by=membership, name=post.get("name", ""),
                                   weight=post.get("weight", ""), description=post.get("description", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("평가 항목을 저장했습니다."))
    return redirect("wf_qa", slug=membership.workspace.slug)


@workspace_view(min_role=Role.LEAD, write=True)
def qa_score(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    post = request.POST
    number = post.get("ticket", "").lstrip("#")
    scores = {int(k.removeprefix("c")): v for k, v in post.items() if k.startswith("c") and k[1:].isdigit()}
    try:
        if not number.isdigit():
            raise ServiceError(_("티켓 번호를 입력해 주세요."))
        card = services.qa_scorecard_create(workspace=membership.workspace, by=membership, ticket_number=int(number),
                                            scores=scores, comment=post.get("comment", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("평가를 저장했습니다: %(total).0f점") % {"total": card.total})
    return redirect("wf_qa", slug=membership.workspace.slug)
