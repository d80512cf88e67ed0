"""Every write of workforce planning: settings, forecasts, shift templates, agent constraints,
schedules (solve, edit, swap, publish) and QA scorecards. Keyword-only arguments, one transaction,
an audit row each; user errors raise :class:`ServiceError` with a Korean message.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxops.core import audit
from cxops.core.models import Membership, Role, Workspace
from cxops.core.services import ServiceError
from cxops.tickets.models import Channel, Ticket
from cxops.workforce import schedule as engine
from cxops.workforce import selectors
from cxops.workforce.forecast import backtest
from cxops.workforce.models import (
    QA_MAX_SCORE,
    AgentProfile,
    ForecastSource,
    PlanningSettings,
    QaCriterion,
    QaScore,
    QaScorecard,
    SavedForecast,
    Schedule,
    ScheduleStatus,
    ShiftAssignment,
    ShiftTemplate,
    SolveStatus,
)
from cxops.workforce.series import IntervalValue, parse_hhmm

log = logging.getLogger(__name__)

MIN_REST_H = 11.0
CHANNELS = {c.value for c in Channel}


def _json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def _require(by: Membership, role: str) -> None:
    if not by.can_write or not by.has_role(role):
        raise PermissionError(_("팀장 이상만 인력 계획을 바꿀 수 있습니다."))


def _decimal(value: Any, label: str, lo: Decimal, hi: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ServiceError(_("%(label)s: 숫자를 입력해 주세요.") % {"label": label}) from exc
    if not lo <= number <= hi or not number.is_finite():
        raise ServiceError(_("%(label)s: %(lo)s~%(hi)s 사이로 입력해 주세요.") % {"label": label, "lo": lo, "hi": hi})
    return number


def _int(value: Any, label: str, lo: int, hi: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ServiceError(_("%(label)s: 정수를 입력해 주세요.") % {"label": label}) from exc
    if not lo <= number <= hi:
        raise ServiceError(_("%(label)s: %(lo)s~%(hi)s 사이로 입력해 주세요.") % {"label": label, "lo": lo, "hi": hi})
    return number


# --- settings -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingsInput:
    interval_min: Any = 30
    aht_s: Any = 180
    target_sl: Any = "0.8"
    answer_within_s: Any = 20
    shrinkage: Any = "0.3"
    max_occupancy: Any = "0.85"
    patience_s: Any = None
    deferred: bool = False
    sla_window_min: Any = 240


def settings_save(*, workspace: Workspace, by: Membership, channel: str, data: SettingsInput) -> PlanningSettings:
    _require(by, Role.LEAD)
    if channel not in CHANNELS:
        raise ServiceError(_("알 수 없는 채널입니다: %(channel)s") % {"channel": channel})
    interval = _int(data.interval_min, _("구간(분)"), 15, 60)
    if interval not in (15, 30, 60):
        raise ServiceError(_("구간은 15, 30, 60분 중 하나입니다."))
    patience = None if data.patience_s in (None, "") else _int(data.patience_s, _("평균 인내 시간(초)"), 1, 86400)
    values = {
        "interval_min": interval,
        "aht_s": _int(data.aht_s, _("평균 처리 시간(초)"), 1, 86400),
        "target_sl": _decimal(data.target_sl, _("목표 서비스 레벨"), Decimal(0), Decimal("0.999")),
        "answer_within_s": _int(data.answer_within_s, _("목표 응답 시간(초)"), 0, 86400),
        "shrinkage": _decimal(data.shrinkage, _("비가동률"), Decimal(0), Decimal("0.9")),
        "max_occupancy": _decimal(data.max_occupancy, _("최대 점유율"), Decimal("0.05"), Decimal(1)),
        "patience_s": patience,
        "deferred": bool(data.deferred),
        "sla_window_min": _int(data.sla_window_min, _("응답 기한(분)"), 1, 60 * 24 * 14),
        "updated_at": timezone.now(),
    }
    with transaction.atomic():
        found = PlanningSettings.objects.filter(workspace=workspace, channel=channel).values().first()
        before: dict[str, Any] = dict(found) if found else {}
        row, _created = PlanningSettings.objects.update_or_create(workspace=workspace, channel=channel,
                                                                  defaults=values)
        audit.record(workspace=workspace, actor=by.user, action="workforce.settings_save", obj=row,
                     changes=audit.diff(_json(before), _json({k: v for k, v in values.items() if k != "updated_at"})))
    return row


# --- forecasts ------------------------------------------------------------------------------------

MAX_FORECAST_DAYS = 42


def forecast_save_from_history(*, workspace: Workspace, by: Membership, channel: str, start: dt.date,
                               days: int, interval_min: int) -> SavedForecast:
    """Forecast ``days`` from ``start`` with the workspace's own history and keep it for planning."""
    _require(by, Role.LEAD)
    if channel not in CHANNELS or not 1 <= days <= MAX_FORECAST_DAYS or interval_min not in (15, 30, 60):
        raise ServiceError(_("채널, 기간(1~42일), 구간(15/30/60분)을 확인해 주세요."))
    history = selectors.history_for(workspace=workspace, channel=channel, before=start, interval_min=interval_min)
    if history is None:
        raise ServiceError(_("이 채널의 최근 8주 접수 이력이 없습니다. CSV로 이력을 가져와 주세요."))
    values = selectors.forecast_from_history(history, start=start, days=days, interval_min=interval_min,
                                             workspace=workspace)
    return _forecast_store(workspace=workspace, by=by, channel=channel, start=start, values=values.tolist(),
                           interval_min=interval_min, source=ForecastSource.HISTORY, history=history)


def forecast_save_from_rows(*, workspace: Workspace, by: Membership, channel: str, rows: Sequence[IntervalValue],
                            days: int, interval_min: int) -> SavedForecast:
    """Forecast the ``days`` after an imported history (CSV rows: date, interval_start, offered)."""
    from cxops.workforce.forecast import forecast_history, history_from_rows

    _require(by, Role.LEAD)
    if channel not in CHANNELS or not 1 <= days <= MAX_FORECAST_DAYS or interval_min not in (15, 30, 60):
        raise ServiceError(_("채널, 기간(1~42일), 구간(15/30/60분)을 확인해 주세요."))
    try:
        history = history_from_rows(rows, interval_min)
        end = history.start + dt.timedelta(days=history.days)
        values = forecast_history(history, horizon_days=days,
                                  holidays=selectors.holidays_between(history.start, end + dt.timedelta(days=days)))
    except ValueError as exc:
        raise ServiceError(str(exc)) from exc
    return _forecast_store(workspace=workspace, by=by, channel=channel, start=end, values=values.tolist(),
                           interval_min=interval_min, source=ForecastSource.CSV, history=history)


def _forecast_store(*, workspace: Workspace, by: Membership, channel: str, start: dt.date, values: list[Any],
                    interval_min: int, source: str, history: Any) -> SavedForecast:
    score_wape = score_naive = None
    if history.days >= 14:
        try:
            result = backtest(history, holidays=selectors.holidays_between(history.start, start))
            score_wape, score_naive = result.wape, result.wape_seasonal_naive
        except ValueError:
            pass
    with transaction.atomic():
        saved = SavedForecast.objects.create(
            workspace=workspace, channel=channel, interval_min=interval_min, start_date=start, days=len(values),
            source=source, values=[[round(float(v), 4) for v in day] for day in values], history_days=history.days,
            wape=score_wape, wape_naive=score_naive, created_by=by)
        audit.record(workspace=workspace, actor=by.user, action="workforce.forecast_save", obj=saved,
                     changes={"channel": channel, "start": start.isoformat(), "days": len(values), "source": source})
    return saved


# --- shift templates and agent constraints ----------------------------------------------------------

def _breaks(text: str) -> list[list[int]]:
    """``"240+60; 420+15"`` → [[240, 60], [420, 15]]."""
    result = []
    for part in (p.strip() for p in text.replace(",", ";").split(";")):
        if not part:
            continue
        offset, _plus, duration = part.partition("+")
        if not offset.strip().isdigit() or not duration.strip().isdigit():
            raise ServiceError(_("휴게는 '시작 후 분+길이 분' 형식입니다 (예: 240+60)."))
        result.append([int(offset), int(duration)])
    return result


def shift_template_save(*, workspace: Workspace, by: Membership, name: str, start: str, length_min: Any,
                        breaks: str = "", template_id: int | None = None) -> ShiftTemplate:
    _require(by, Role.LEAD)
    name = name.strip()
    if not name or len(name) > 40:
        raise ServiceError(_("근무 유형 이름을 1~40자로 입력해 주세요."))
    try:
        start_time = parse_hhmm(start)
    except ValueError as exc:
        raise ServiceError(_("시작 시각을 HH:MM 형식으로 입력해 주세요.")) from exc
    length = _int(length_min, _("길이(분)"), 15, 1440)
    pauses = _breaks(breaks)
    if start_time.minute % 15 or length % 15 or any(v % 15 for b in pauses for v in b):
        raise ServiceError(_("시작, 길이, 휴게는 15분 단위여야 합니다."))
    if any(o < 0 or d <= 0 or o + d > length for o, d in pauses):
        raise ServiceError(_("휴게는 근무 시간 안에 있어야 합니다."))
    with transaction.atomic():
        same = ShiftTemplate.objects.filter(workspace=workspace, name=name)
        if template_id is not None:
            same = same.exclude(pk=template_id)
        if same.exists():
            raise ServiceError(_("같은 이름의 근무 유형이 있습니다."))
        if template_id is not None:
            template = ShiftTemplate.objects.select_for_update().get(workspace=workspace, pk=template_id)
        else:
            template = ShiftTemplate(workspace=workspace)
        template.name, template.start, template.length_min, template.breaks = name, start_time, length, pauses
        template.save()
        audit.record(workspace=workspace, actor=by.user, action="workforce.shift_save", obj=template,
                     changes={"name": name, "start": start, "length_min": length, "breaks": pauses})
    return template


def shift_template_delete(*, workspace: Workspace, by: Membership, template_id: int) -> None:
    _require(by, Role.LEAD)
    with transaction.atomic():
        template = ShiftTemplate.objects.get(workspace=workspace, pk=template_id)
        if ShiftAssignment.objects.filter(workspace=workspace, shift=template).exists():
            raise ServiceError(_("근무표에 쓰인 근무 유형은 지울 수 없습니다."))
        audit.record(workspace=workspace, actor=by.user, action="workforce.shift_delete", obj=template)
        template.delete()


WEEKDAY_NAMES = engine.WEEKDAYS


def _days(values: Sequence[str]) -> list[str]:
    result = []
    for value in (v.strip() for v in values):
        if not value:
            continue
        if value[:3].title() in WEEKDAY_NAMES:
            result.append(value[:3].title())
            continue
        try:
            result.append(dt.date.fromisoformat(value).isoformat())
        except ValueError as exc:
            raise ServiceError(_("요일(Mon…Sun)이나 날짜(YYYY-MM-DD)를 입력해 주세요: %(value)s")
                               % {"value": value}) from exc
    return result


def agent_profile_save(*, workspace: Workspace, by: Membership, membership_id: int, contract_hours: Any,
                       days_off: str, max_consecutive_days: Any, skills: Sequence[str],
                       preferred_days_off: Sequence[str] = (), forbidden_days: Sequence[str] = (),
                       shifts: Sequence[str] = (), seniority: Any = 0, is_scheduled: bool = True,
                       min_hours: Any = None) -> AgentProfile:
    _require(by, Role.LEAD)
    member = Membership.objects.get(workspace=workspace, pk=membership_id)
    hours = _decimal(contract_hours, _("주 계약 시간"), Decimal(0), Decimal(80))
    low = None if min_hours in (None, "") else _decimal(min_hours, _("주 최소 시간"), Decimal(0), hours)
    days_off = (days_off or "any").strip()
    if days_off not in ("any", "consecutive"):
        days_off = ";".join(_days(days_off.split(";")))
        if not days_off:
            days_off = "any"
    unknown = [s for s in skills if s not in CHANNELS]
    if unknown or not skills:
        raise ServiceError(_("담당 채널을 하나 이상 골라 주세요."))
    names = {t.name for t in selectors.shift_templates(workspace=workspace)}
    if set(shifts) - names:
        raise ServiceError(_("없는 근무 유형입니다: %(names)s") % {"names": ", ".join(sorted(set(shifts) - names))})
    values = {
        "workspace": workspace, "contract_hours": hours, "min_hours": low, "days_off": days_off,
        "max_consecutive_days": _int(max_consecutive_days, _("최대 연속 근무일"), 1, 14),
        "skills": list(dict.fromkeys(skills)), "preferred_days_off": _days(preferred_days_off),
        "forbidden_days": _days(forbidden_days), "shifts": list(shifts),
        "seniority": _int(seniority or 0, _("연차"), -100, 100), "is_scheduled": bool(is_scheduled),
    }
    with transaction.atomic():
        profile, _created = AgentProfile.objects.update_or_create(membership=member, defaults=values)
        audit.record(workspace=workspace, actor=by.user, action="workforce.agent_profile_save", obj=profile,
                     changes=_json({k: v for k, v in values.items() if k != "workspace"}))
    return profile


# --- schedules ------------------------------------------------------------------------------------

def schedule_create(*, workspace: Workspace, by: Membership, name: str, start_date: dt.date, weeks: int,
                    interval_min: int = 30) -> Schedule:
    """Store the requirement (forecast → staffing, scheduled heads) and queue the solver job."""
    _require(by, Role.LEAD)
    if not 1 <= weeks <= 6:
        raise ServiceError(_("근무표는 1~6주로 만들 수 있습니다."))
    if interval_min not in (15, 30, 60):
        raise ServiceError(_("구간은 15, 30, 60분 중 하나입니다."))
    if not selectors.shift_templates(workspace=workspace):
        raise ServiceError(_("먼저 근무 유형(시작 시각, 길이, 휴게)을 등록해 주세요."))
    if not selectors.scheduled_members(workspace=workspace):
        raise ServiceError(_("근무표에 넣을 상담원이 없습니다."))
    skills = {s for _m, p in selectors.scheduled_members(workspace=workspace) for s in (p.skills or ["phone"])}
    channels = sorted(skills)  # every channel an agent may work gets its requirement (zero without volume)
    plan = selectors.staffing_plan(workspace=workspace, start=start_date, days=weeks * 7, interval_min=interval_min,
                                   channels=channels)
    requirements = {c: plan.required(c) for c in plan.channels}
    with transaction.atomic():
        schedule = Schedule.objects.create(
            workspace=workspace, name=name.strip()[:120] or _("%(date)s부터 %(weeks)s주") % {
                "date": start_date.isoformat(), "weeks": weeks},
            start_date=start_date, weeks=weeks, interval_min=interval_min, requirements=requirements, created_by=by)
        audit.record(workspace=workspace, actor=by.user, action="workforce.schedule_create", obj=schedule,
                     changes={"start_date": start_date.isoformat(), "weeks": weeks,
                              "required_agent_intervals": {c: sum(v) for c, v in requirements.items()}})
        schedule_id = schedule.pk

        def enqueue() -> None:
            from cxops.workforce.jobs import schedule_solve_job

            schedule_solve_job(schedule_id)

        transaction.on_commit(enqueue)
    return schedule


def _agent_of(member: Membership, profile: AgentProfile) -> engine.Agent:
    return engine.Agent(
        id=str(member.pk), contract_hours=float(profile.contract_hours),
        min_hours=None if profile.min_hours is None else float(profile.min_hours),
        skills=tuple(profile.skills or ["phone"]), shifts=tuple(profile.shifts or ()),
        days_off=profile.days_off or "any", max_consecutive_days=profile.max_consecutive_days,
        preferred_days_off=tuple(profile.preferred_days_off or ()), forbidden_days=tuple(profile.forbidden_days or ()),
        seniority=profile.seniority)


def _template_of(template: ShiftTemplate) -> engine.ShiftTemplate:
    return engine.ShiftTemplate(name=template.name, start_min=template.start.hour * 60 + template.start.minute,
                                length_min=template.length_min,
                                breaks=tuple((int(o), int(d)) for o, d in template.breaks), cost=template.cost)


def _problem(schedule: Schedule) -> tuple[engine.Problem, dict[str, ShiftTemplate], dict[str, Membership]]:
    members = selectors.scheduled_members(workspace=schedule.workspace)
    templates = selectors.shift_templates(workspace=schedule.workspace)
    problem = engine.Problem(
        start=schedule.start_date, days=schedule.days, interval_min=schedule.interval_min,
        requirements={c: [int(v) for v in values] for c, values in schedule.requirements.items()},
        shifts=[_template_of(t) for t in templates], agents=[_agent_of(m, p) for m, p in members],
        min_rest_h=MIN_REST_H)
    return problem, {t.name: t for t in templates}, {str(m.pk): m for m, _p in members}


def schedule_solve(*, schedule_id: int, time_limit_s: float | None = None) -> Schedule:
    """Run the CP-SAT solver for a queued schedule and store its assignments (the Huey job calls this)."""
    schedule = Schedule.objects.select_related("workspace").get(pk=schedule_id)
    if schedule.status == ScheduleStatus.PUBLISHED:
        return schedule
    Schedule.objects.filter(pk=schedule.pk).update(solve_status=SolveStatus.RUNNING, solve_message="")
    limit = time_limit_s or float(getattr(django_settings, "CXOPS_SCHEDULE_TIME_LIMIT_S", 25.0))
    started = time.perf_counter()
    try:
        problem, templates, members = _problem(schedule)
        result = engine.solve(problem, time_limit_s=limit, workers=2)
    except ValueError as exc:
        message = _("근무표를 만들 수 없습니다: %(error)s") % {"error": exc}
        Schedule.objects.filter(pk=schedule.pk).update(solve_status=SolveStatus.FAILED, solve_message=message,
                                                       solve_time_s=time.perf_counter() - started)
        audit.record(workspace=schedule.workspace, actor=None, action="workforce.schedule_failed", obj=schedule,
                     changes={"error": str(exc)}, actor_label="solver")
        schedule.refresh_from_db()
        return schedule
    gaps = [r for r in result.coverage if r.gap]
    reasons = sorted({r.reason for r in gaps if r.reason})
    message = _("해결 상태 %(status)s, 부족 %(under)s 상담원·구간, 초과 %(over)s") % {
        "status": result.status, "under": result.under_coverage, "over": result.over_coverage}
    if reasons:
        message += " · " + "; ".join(reasons[:3])
    with transaction.atomic():
        ShiftAssignment.objects.filter(schedule=schedule).delete()
        ShiftAssignment.objects.bulk_create([
            ShiftAssignment(workspace=schedule.workspace, schedule=schedule, membership=members[a.agent],
                            date=a.date, shift=templates[a.shift], channel=a.skill)
            for a in result.assignments])
        Schedule.objects.filter(pk=schedule.pk).update(solve_status=SolveStatus.DONE, solve_message=message,
                                                       solve_time_s=result.solve_time_s)
        audit.record(workspace=schedule.workspace, actor=None, action="workforce.schedule_solved", obj=schedule,
                     changes={"status": result.status, "assignments": len(result.assignments),
                              "under_coverage": result.under_coverage}, actor_label="solver")
    schedule.refresh_from_db()
    return schedule


def shift_window(date: dt.date, shift: ShiftTemplate) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(date, shift.start)
    return start, start + dt.timedelta(minutes=shift.length_min)


def rule_violations(shifts: Sequence[tuple[dt.date, ShiftTemplate]], *, max_consecutive_days: int,
                    min_rest_h: float = MIN_REST_H) -> list[str]:
    """Rest between shifts and consecutive working days of one agent (pure)."""
    ordered = sorted(shifts, key=lambda s: shift_window(*s)[0])
    problems = []
    for (d1, s1), (d2, s2) in itertools.pairwise(ordered):
        rest = (shift_window(d2, s2)[0] - shift_window(d1, s1)[1]).total_seconds() / 3600
        if rest < min_rest_h:
            problems.append(_("%(date)s 앞 휴식이 %(rest).1f시간뿐입니다 (최소 %(min).0f시간).")
                            % {"date": d2.isoformat(), "rest": rest, "min": min_rest_h})
    run, last = 0, None
    for day in sorted({d for d, _s in shifts}):
        run = run + 1 if last is not None and (day - last).days == 1 else 1
        last = day
        if run > max_consecutive_days:
            problems.append(_("%(date)s에 %(run)s일 연속 근무가 됩니다 (최대 %(max)s일).")
                            % {"date": day.isoformat(), "run": run, "max": max_consecutive_days})
            break
    return problems


def _max_consecutive(workspace: Workspace, membership_id: int) -> int:
    profile = AgentProfile.objects.filter(workspace=workspace, membership_id=membership_id).first()
    return profile.max_consecutive_days if profile else 6


def _check_member(schedule: Schedule, member: Membership, planned: Mapping[dt.date, ShiftTemplate | None]) -> None:
    """Validate a member's shifts (this schedule ± one week of published neighbours) after a change."""
    lo, hi = schedule.start_date - dt.timedelta(days=7), schedule.end_date + dt.timedelta(days=7)
    rows: dict[dt.date, ShiftTemplate] = {
        a.date: a.shift for a in ShiftAssignment.objects.filter(
            workspace=schedule.workspace, membership=member, date__gte=lo, date__lte=hi)
        .filter(schedule__status=ScheduleStatus.PUBLISHED).exclude(schedule=schedule).select_related("shift")}
    rows.update({a.date: a.shift for a in ShiftAssignment.objects.filter(schedule=schedule, membership=member)
                 .select_related("shift")})
    for date, shift in planned.items():
        if shift is None:
            rows.pop(date, None)
        else:
            rows[date] = shift
    problems = rule_violations(list(rows.items()), max_consecutive_days=_max_consecutive(schedule.workspace,
                                                                                            member.pk))
    if problems:
        raise ServiceError(_("%(name)s: %(problems)s") % {"name": member.user.label, "problems": " ".join(problems)})


def _editable(schedule: Schedule, date: dt.date) -> None:
    if schedule.solve_status in (SolveStatus.QUEUED, SolveStatus.RUNNING):
        raise ServiceError(_("근무표를 계산하는 중입니다. 끝난 뒤에 고쳐 주세요."))
    if not schedule.start_date <= date <= schedule.end_date:
        raise ServiceError(_("근무표 기간 밖의 날짜입니다."))


def assignment_set(*, schedule: Schedule, by: Membership, membership_id: int, date: dt.date,
                   shift_id: int | None, channel: str | None = None) -> ShiftAssignment | None:
    """Give a member a shift on a day (``shift_id=None`` = day off), after the rest and run checks."""
    _require(by, Role.LEAD)
    _editable(schedule, date)
    with transaction.atomic():
        member = Membership.objects.select_related("user").get(workspace=schedule.workspace, pk=membership_id)
        shift = None if shift_id is None else ShiftTemplate.objects.get(workspace=schedule.workspace, pk=shift_id)
        current = ShiftAssignment.objects.filter(schedule=schedule, membership=member, date=date).first()
        _check_member(schedule, member, {date: shift})
        before = {"shift": current.shift.name if current else None}
        result: ShiftAssignment | None
        if shift is None:
            if current is not None:
                current.delete()
            result = None
        else:
            profile = AgentProfile.objects.filter(membership=member).first()
            skills = (profile.skills if profile else None) or ["phone"]
            channel = channel or (current.channel if current else skills[0])
            if channel not in CHANNELS:
                raise ServiceError(_("알 수 없는 채널입니다: %(channel)s") % {"channel": channel})
            result, _created = ShiftAssignment.objects.update_or_create(
                schedule=schedule, membership=member, date=date,
                defaults={"workspace": schedule.workspace, "shift": shift, "channel": channel})
        audit.record(workspace=schedule.workspace, actor=by.user, action="workforce.assignment_set", obj=schedule,
                     changes={"member": member.user.label, "date": date.isoformat(),
                              "shift": [before["shift"], shift.name if shift else None]})
    return result


def assignments_swap(*, schedule: Schedule, by: Membership, first_id: int, second_id: int, date: dt.date) -> None:
    """Swap two members' shifts (or day off) on one day, after checking both members' rules."""
    _require(by, Role.LEAD)
    _editable(schedule, date)
    if first_id == second_id:
        raise ServiceError(_("서로 다른 두 상담원을 골라 주세요."))
    with transaction.atomic():
        first = Membership.objects.select_related("user").get(workspace=schedule.workspace, pk=first_id)
        second = Membership.objects.select_related("user").get(workspace=schedule.workspace, pk=second_id)
        a = ShiftAssignment.objects.filter(schedule=schedule, membership=first, date=date).select_related(
            "shift").first()
        b = ShiftAssignment.objects.filter(schedule=schedule, membership=second, date=date).select_related(
            "shift").first()
        if a is None and b is None:
            raise ServiceError(_("두 상담원 모두 이 날 휴무입니다."))
        _check_member(schedule, first, {date: b.shift if b else None})
        _check_member(schedule, second, {date: a.shift if a else None})
        for row in (a, b):
            if row is not None:
                row.delete()
        if b is not None:
            ShiftAssignment.objects.create(workspace=schedule.workspace, schedule=schedule, membership=first,
                                           date=date, shift=b.shift, channel=b.channel)
        if a is not None:
            ShiftAssignment.objects.create(workspace=schedule.workspace, schedule=schedule, membership=second,
                                           date=date, shift=a.shift, channel=a.channel)
        audit.record(workspace=schedule.workspace, actor=by.user, action="workforce.assignments_swap", obj=schedule,
                     changes={"date": date.isoformat(), "members": [first.user.label, second.user.label],
                              "shifts": [a.shift.name if a else None, b.shift.name if b else None]})


def schedule_publish(*, schedule: Schedule, by: Membership) -> Schedule:
    _require(by, Role.LEAD)
    if schedule.solve_status != SolveStatus.DONE:
        raise ServiceError(_("계산이 끝난 근무표만 게시할 수 있습니다."))
    with transaction.atomic():
        schedule.status, schedule.published_at = ScheduleStatus.PUBLISHED, timezone.now()
        schedule.save(update_fields=["status", "published_at"])
        audit.record(workspace=schedule.workspace, actor=by.user, action="workforce.schedule_publish", obj=schedule)
    return schedule


# --- QA -------------------------------------------------------------------------------------------

def qa_criterion_save(*, workspace: Workspace, by: Membership, name: str, weight: Any, description: str = "",
                      criterion_id: int | None = None, is_active: bool = True) -> QaCriterion:
    _require(by, Role.LEAD)
    name = name.strip()
    if not name or len(name) > 120:
        raise ServiceError(_("평가 항목 이름을 1~120자로 입력해 주세요."))
    w = _int(weight, _("가중치"), 1, 100)
    with transaction.atomic():
        same = QaCriterion.objects.filter(workspace=workspace, name=name)
        if criterion_id is not None:
            same = same.exclude(pk=criterion_id)
        if same.exists():
            raise ServiceError(_("같은 이름의 평가 항목이 있습니다."))
        if criterion_id is None:
            criterion = QaCriterion(workspace=workspace, position=QaCriterion.objects.filter(
                workspace=workspace).count())
        else:
            criterion = QaCriterion.objects.get(workspace=workspace, pk=criterion_id)
        criterion.name, criterion.weight, criterion.description, criterion.is_active = name, w, description, is_active
        criterion.save()
        audit.record(workspace=workspace, actor=by.user, action="workforce.qa_criterion_save", obj=criterion,
                     changes={"name": name, "weight": w, "is_active": is_active})
    return criterion


def qa_scorecard_create(*, workspace: Workspace, by: Membership, ticket_number: int, scores: Mapping[int, Any],
                        comment: str = "") -> QaScorecard:
    """An evaluator (lead+) scores the assignee's handling of a ticket on every active criterion (0–5)."""
    _require(by, Role.LEAD)
    ticket = Ticket.objects.filter(workspace=workspace, number=ticket_number).first()
    if ticket is None:
        raise ServiceError(_("티켓 #%(number)s을 찾을 수 없습니다.") % {"number": ticket_number})
    agent = (Membership.objects.filter(workspace=workspace, user_id=ticket.assignee_id).first()
             if ticket.assignee_id is not None else None)
    if agent is None:
        raise ServiceError(_("담당자가 없는 티켓은 평가할 수 없습니다."))
    if agent.pk == by.pk:
        raise ServiceError(_("자기 티켓은 평가할 수 없습니다."))
    criteria = selectors.qa_criteria(workspace=workspace)
    if not criteria:
        raise ServiceError(_("먼저 평가 항목을 등록해 주세요."))
    values = {c.pk: _int(scores.get(c.pk), c.name, 0, QA_MAX_SCORE) if scores.get(c.pk) not in (None, "") else None
              for c in criteria}
    missing = [c.name for c in criteria if values[c.pk] is None]
    if missing:
        raise ServiceError(_("모든 항목에 점수를 주세요: %(names)s") % {"names": ", ".join(missing)})
    weight_sum = sum(c.weight for c in criteria)
    total = sum(c.weight * (values[c.pk] or 0) for c in criteria) / (weight_sum * QA_MAX_SCORE) * 100
    with transaction.atomic():
        card = QaScorecard.objects.create(workspace=workspace, ticket=ticket, agent=agent, evaluator=by,
                                          total=round(total, 2), comment=comment.strip()[:5000])
        QaScore.objects.bulk_create([QaScore(scorecard=card, criterion=c, score=values[c.pk] or 0, weight=c.weight)
                                     for c in criteria])
        audit.record(workspace=workspace, actor=by.user, action="workforce.qa_score", obj=card,
                     changes={"ticket": ticket.number, "agent": agent.user.label, "total": card.total})
    return card
