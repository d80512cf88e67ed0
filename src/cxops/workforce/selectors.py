"""Reads for workforce planning, always scoped by workspace: arrivals history, forecasts, staffing,
schedules and coverage, intraday, agent KPIs and QA.

The arrival history is aggregated in the database (one GROUP BY per source on the interval of the
arrival time, in the workspace's time zone): phone arrivals are inbound logged calls, every other
channel counts tickets by their creation time (phone tickets are left out: their call is counted).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMinute, Floor, TruncHour
from django.utils import timezone

from cxops.core.masking import mask_name
from cxops.core.models import Membership, Role, Workspace
from cxops.sla.calendar import business_time_between, korean_holiday_dates
from cxops.sla.policy import TicketFacts
from cxops.sla.selectors import calendar_for, calendar_value, policies_for, rule_of
from cxops.tickets.models import OPEN_STATUSES, Call, CallDirection, Channel, Message, MessageKind, Ticket
from cxops.workforce import erlang
from cxops.workforce.forecast import History, forecast_history, seasonal_naive, wape
from cxops.workforce.models import (
    LIVE_CHANNELS,
    AgentProfile,
    PlanningSettings,
    QaCriterion,
    QaScorecard,
    SavedForecast,
    Schedule,
    ScheduleStatus,
    ShiftAssignment,
    ShiftTemplate,
)

HISTORY_DAYS = 56  # forecasts learn from the last eight weeks
CHANNEL_LABELS = dict(Channel.choices)


def tz_of(workspace: Workspace) -> ZoneInfo:
    return ZoneInfo(workspace.timezone or "Asia/Seoul")


def today_for(workspace: Workspace) -> dt.date:
    return timezone.now().astimezone(tz_of(workspace)).date()


def interval_starts(interval_min: int) -> list[dt.time]:
    return [dt.time(m // 60, m % 60) for m in range(0, 1440, interval_min)]


# --- settings -------------------------------------------------------------------------------------

def settings_for(*, workspace: Workspace, channel: str) -> PlanningSettings:
    """The stored settings of a channel, else unsaved defaults (deferred for non-live channels)."""
    found = PlanningSettings.objects.filter(workspace=workspace, channel=channel).first()
    if found is not None:
        return found
    return PlanningSettings(workspace=workspace, channel=channel, deferred=channel not in LIVE_CHANNELS,
                            aht_s=180 if channel in LIVE_CHANNELS else 300)


def settings_list(*, workspace: Workspace) -> list[PlanningSettings]:
    return list(PlanningSettings.objects.filter(workspace=workspace).order_by("channel"))


def planned_channels(*, workspace: Workspace) -> list[str]:
    """Channels with stored settings, else phone and board."""
    stored = [s.channel for s in settings_list(workspace=workspace)]
    return stored or [Channel.PHONE.value, Channel.BOARD.value]


def shift_templates(*, workspace: Workspace) -> list[ShiftTemplate]:
    return list(ShiftTemplate.objects.filter(workspace=workspace).order_by("start", "name"))


def scheduled_members(*, workspace: Workspace) -> list[tuple[Membership, AgentProfile]]:
    """Members a schedule covers: active agents by default; anyone whose profile says so."""
    members = (Membership.objects.filter(workspace=workspace, is_active=True)
               .exclude(role=Role.CLIENT_VIEWER).select_related("user").order_by("user__display_name", "pk"))
    profiles = {p.membership_id: p for p in AgentProfile.objects.filter(workspace=workspace)}
    result = []
    for m in members:
        profile = profiles.get(m.pk)
        if profile is None:
            if m.role != Role.AGENT:
                continue
            profile = AgentProfile(workspace=workspace, membership=m)
        if profile.is_scheduled:
            result.append((m, profile))
    return result


# --- arrivals -------------------------------------------------------------------------------------

Counts = dict[str, dict[tuple[dt.date, int], float]]  # channel → (date, interval index) → arrivals


def _bucketed(qs: QuerySet[Any], field_name: str, tz: ZoneInfo, interval_min: int,
              channel_expr: Any | None) -> Iterable[dict[str, Any]]:
    qs = qs.annotate(wf_hour=TruncHour(field_name, tzinfo=tz),
                     wf_bucket=Floor(ExtractMinute(field_name, tzinfo=tz) / interval_min))
    if channel_expr is not None:
        qs = qs.annotate(wf_channel=channel_expr)
        return qs.values("wf_hour", "wf_bucket", "wf_channel").annotate(n=Count("pk")).order_by()
    return qs.values("wf_hour", "wf_bucket").annotate(n=Count("pk")).order_by()


def arrival_counts(*, workspace: Workspace, start: dt.date, end: dt.date, interval_min: int,
                   channels: Sequence[str] | None = None) -> Counts:
    """Arrivals per channel and interval for local dates ``start`` … ``end`` (inclusive)."""
    tz = tz_of(workspace)
    lo = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    if interval_min not in (15, 30, 60):
        raise ValueError("interval_min must be 15, 30 or 60")
    result: Counts = defaultdict(dict)

    def add(channel: str, hour: dt.datetime, bucket: Any, n: int) -> None:
        local = hour.astimezone(tz)
        key = (local.date(), (local.hour * 60 + int(bucket or 0) * interval_min) // interval_min)
        result[channel][key] = result[channel].get(key, 0.0) + n

    wanted = set(channels) if channels is not None else None
    if wanted is None or Channel.PHONE in wanted:
        calls = Call.objects.filter(workspace=workspace, direction=CallDirection.INBOUND,
                                    started_at__gte=lo, started_at__lt=hi)
        for row in _bucketed(calls, "started_at", tz, interval_min, None):
            add(Channel.PHONE.value, row["wf_hour"], row["wf_bucket"], row["n"])
    others = None if wanted is None else sorted(wanted - {Channel.PHONE.value})
    if others is None or others:
        tickets = Ticket.objects.filter(workspace=workspace, created_at__gte=lo, created_at__lt=hi).exclude(
            channel=Channel.PHONE)
        if others is not None:
            tickets = tickets.filter(channel__in=others)
        for row in _bucketed(tickets, "created_at", tz, interval_min, F("channel")):
            add(row["wf_channel"], row["wf_hour"], row["wf_bucket"], row["n"])
    return dict(result)


def arrivals_matrix(counts: dict[tuple[dt.date, int], float], start: dt.date, days: int,
                    interval_min: int) -> np.ndarray:
    values = np.zeros((days, 1440 // interval_min))
    for (date, index), n in counts.items():
        d = (date - start).days
        if 0 <= d < days:
            values[d, index] += n
    return values


# --- forecasts ------------------------------------------------------------------------------------

def holidays_between(start: dt.date, end: dt.date) -> set[dt.date]:
    days: set[dt.date] = set()
    for year in range(start.year, end.year + 1):
        days |= set(korean_holiday_dates(year))
    return days


@dataclass
class ForecastView:
    channel: str
    interval_min: int
    start: dt.date
    days: int
    values: np.ndarray  # days × intervals
    source: str  # "history", "csv" or "none"
    history_days: int = 0
    saved: SavedForecast | None = None

    @property
    def total(self) -> float:
        return float(self.values.sum())


def history_for(*, workspace: Workspace, channel: str, before: dt.date, interval_min: int,
                days: int = HISTORY_DAYS) -> History | None:
    """Arrivals of the ``days`` before ``before``, from the first day with any arrival (None if none)."""
    first = before - dt.timedelta(days=days)
    counts = arrival_counts(workspace=workspace, start=first, end=before - dt.timedelta(days=1),
                            interval_min=interval_min, channels=[channel]).get(channel, {})
    if not counts:
        return None
    matrix = arrivals_matrix(counts, first, days, interval_min)
    nonzero = np.flatnonzero(matrix.sum(axis=1))
    begin = int(nonzero[0])
    return History(first + dt.timedelta(days=begin), interval_min, matrix[begin:])


def forecast_from_history(history: History | None, *, start: dt.date, days: int, interval_min: int,
                          workspace: Workspace | None = None) -> np.ndarray:
    """With a workspace, its change calendar (promotions, pushes …) lifts the days it expects more inquiries."""
    if history is None:
        return np.zeros((days, 1440 // interval_min))
    gap = (start - (history.start + dt.timedelta(days=history.days))).days
    uplifts = None
    if workspace is not None:
        from cxops.collaboration.selectors import forecast_uplifts

        uplifts = forecast_uplifts(workspace=workspace, start=start, end=start + dt.timedelta(days=days - 1))
    matrix = forecast_history(history, horizon_days=gap + days,
                              holidays=holidays_between(history.start, start + dt.timedelta(days=days)),
                              uplifts=uplifts)
    return matrix[gap:]


def _resample(values: np.ndarray, from_min: int, to_min: int) -> np.ndarray:
    """Re-bucket a day × interval matrix (finer → coarser sums; coarser → finer spreads evenly)."""
    if from_min == to_min:
        return values
    if to_min > from_min and to_min % from_min == 0:
        k = to_min // from_min
        return values.reshape(values.shape[0], -1, k).sum(axis=2)
    if from_min % to_min == 0:
        k = from_min // to_min
        return np.repeat(values / k, k, axis=1)
    raise ValueError("interval lengths must divide each other")


def saved_forecast_covering(*, workspace: Workspace, channel: str, start: dt.date, days: int) -> SavedForecast | None:
    end = start + dt.timedelta(days=days - 1)
    for saved in SavedForecast.objects.filter(workspace=workspace, channel=channel, start_date__lte=start).order_by(
            "-created_at")[:20]:
        if saved.end_date >= end:
            return saved
    return None


def forecast_for(*, workspace: Workspace, channel: str, start: dt.date, days: int,
                 interval_min: int) -> ForecastView:
    """The latest saved forecast covering the days if there is one, else a fresh one from history."""
    saved = saved_forecast_covering(workspace=workspace, channel=channel, start=start, days=days)
    if saved is not None:
        offset = (start - saved.start_date).days
        values = np.array(saved.values, dtype=float)[offset:offset + days]
        return ForecastView(channel, interval_min, start, days, _resample(values, saved.interval_min, interval_min),
                            saved.source, saved.history_days, saved)
    history = history_for(workspace=workspace, channel=channel, before=today_for(workspace), interval_min=interval_min)
    if history is None:
        return ForecastView(channel, interval_min, start, days, np.zeros((days, 1440 // interval_min)), "none")
    return ForecastView(channel, interval_min, start, days,
                        forecast_from_history(history, start=start, days=days, interval_min=interval_min),
                        "history", history.days)


@dataclass
class Accuracy:
    """Forecast for a past week (from the history before it) against what arrived."""

    start: dt.date
    days: int
    forecast: np.ndarray
    actual: np.ndarray
    naive: np.ndarray | None
    complete_days: int
    wape: float | None = None
    wape_naive: float | None = None

    @property
    def improvement(self) -> float | None:
        if self.wape is None or not self.wape_naive:
            return None
        return 1 - self.wape / self.wape_naive


def accuracy(*, workspace: Workspace, channel: str, start: dt.date, interval_min: int, days: int = 7) -> Accuracy:
    today = today_for(workspace)
    history = history_for(workspace=workspace, channel=channel, before=start, interval_min=interval_min)
    fc = forecast_from_history(history, start=start, days=days, interval_min=interval_min)
    counts = arrival_counts(workspace=workspace, start=start, end=start + dt.timedelta(days=days - 1),
                            interval_min=interval_min, channels=[channel]).get(channel, {})
    actual = arrivals_matrix(counts, start, days, interval_min)
    naive = None
    if history is not None and history.days >= 7:
        gap = (start - (history.start + dt.timedelta(days=history.days))).days
        naive = seasonal_naive(history, horizon_days=gap + days)[gap:] if gap == 0 else None
    complete = max(0, min(days, (today - start).days))
    result = Accuracy(start, days, fc, actual, naive, complete)
    if complete and actual[:complete].sum() > 0:
        result.wape = wape(fc[:complete], actual[:complete])
        if naive is not None:
            result.wape_naive = wape(naive[:complete], actual[:complete])
    return result


def saved_forecasts(*, workspace: Workspace) -> QuerySet[SavedForecast]:
    return SavedForecast.objects.filter(workspace=workspace).select_related("created_by__user").order_by(
        "-created_at")


# --- staffing -------------------------------------------------------------------------------------

@dataclass
class StaffingCell:
    calls: float
    agents: int
    scheduled: int
    service_level: float | None = None
    occupancy: float | None = None


@dataclass
class StaffingPlan:
    start: dt.date
    days: int
    interval_min: int
    channels: list[str]
    cells: dict[str, list[StaffingCell]] = field(default_factory=dict)  # channel → slots of the horizon
    settings: dict[str, PlanningSettings] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def required(self, channel: str) -> list[int]:
        return [c.scheduled for c in self.cells[channel]]


def target_of(settings: PlanningSettings) -> erlang.StaffingTarget:
    return erlang.StaffingTarget(service_level=float(settings.target_sl), answer_within_s=settings.answer_within_s,
                                 max_occupancy=Decimal(settings.max_occupancy), shrinkage=Decimal(settings.shrinkage))


def staffing_cells(settings: PlanningSettings, volumes: Sequence[float], interval_min: int) -> list[StaffingCell]:
    interval_s = interval_min * 60
    if settings.deferred:
        agents = erlang.deferred_requirements([round(v, 6) for v in volumes], aht_s=settings.aht_s,
                                              interval_s=interval_s, sla_s=settings.sla_window_min * 60,
                                              max_occupancy=Decimal(settings.max_occupancy))
        return [StaffingCell(float(v), n, erlang.scheduled_agents(n, Decimal(settings.shrinkage)))
                for v, n in zip(volumes, agents, strict=True)]
    reqs = erlang.requirements_for([round(float(v), 6) for v in volumes], interval_s=interval_s,
                                   aht_s=settings.aht_s, target=target_of(settings), patience_s=settings.patience_s)
    return [StaffingCell(float(v), r.agents, r.scheduled, r.service_level, r.occupancy)
            for v, r in zip(volumes, reqs, strict=True)]


def staffing_plan(*, workspace: Workspace, start: dt.date, days: int, interval_min: int,
                  channels: Sequence[str] | None = None) -> StaffingPlan:
    plan = StaffingPlan(start, days, interval_min, list(channels or planned_channels(workspace=workspace)))
    for channel in plan.channels:
        settings = settings_for(workspace=workspace, channel=channel)
        fc = forecast_for(workspace=workspace, channel=channel, start=start, days=days, interval_min=interval_min)
        plan.settings[channel] = settings
        plan.sources[channel] = fc.source
        plan.cells[channel] = staffing_cells(settings, [float(v) for v in fc.values.reshape(-1)], interval_min)
    return plan


# --- schedules ------------------------------------------------------------------------------------

def schedules_list(*, workspace: Workspace) -> QuerySet[Schedule]:
    return (Schedule.objects.filter(workspace=workspace).select_related("created_by__user")
            .annotate(assignment_count=Count("assignments")).order_by("-start_date", "-pk"))


def schedule_get(*, workspace: Workspace, schedule_id: int) -> Schedule:
    return Schedule.objects.get(workspace=workspace, pk=schedule_id)


def schedule_assignments(*, schedule: Schedule) -> list[ShiftAssignment]:
    return list(ShiftAssignment.objects.filter(schedule=schedule, workspace_id=schedule.workspace_id)
                .select_related("shift", "membership__user").order_by("membership_id", "date"))


@dataclass
class GridRow:
    membership: Membership
    label: str
    cells: list[ShiftAssignment | None]
    paid_min: int = 0

    @property
    def hours(self) -> float:
        return self.paid_min / 60


def schedule_grid(*, schedule: Schedule, mask: bool = False) -> tuple[list[dt.date], list[GridRow]]:
    dates = [schedule.start_date + dt.timedelta(days=i) for i in range(schedule.days)]
    index = {d: i for i, d in enumerate(dates)}
    rows: dict[int, GridRow] = {}
    for member, _profile in scheduled_members(workspace=schedule.workspace):
        label = mask_name(member.user.label) if mask else member.user.label
        rows[member.pk] = GridRow(member, label, [None] * len(dates))
    for a in schedule_assignments(schedule=schedule):
        row = rows.get(a.membership_id)
        if row is None:
            label = mask_name(a.membership.user.label) if mask else a.membership.user.label
            row = rows[a.membership_id] = GridRow(a.membership, label, [None] * len(dates))
        row.cells[index[a.date]] = a
        row.paid_min += a.shift.paid_min
    return dates, sorted(rows.values(), key=lambda r: r.label)


def slots_of(assignment_date: dt.date, shift: ShiftTemplate, start: dt.date, interval_min: int,
             horizon_slots: int) -> list[int]:
    per_day = 1440 // interval_min
    first = (assignment_date - start).days * per_day + (shift.start.hour * 60 + shift.start.minute) // interval_min
    off: set[int] = set()
    for offset, duration in shift.breaks:
        off.update(range(int(offset) // interval_min, (int(offset) + int(duration)) // interval_min))
    return [first + i for i in range(shift.length_min // interval_min)
            if i not in off and 0 <= first + i < horizon_slots]


@dataclass
class CoverageSlot:
    date: dt.date
    start: dt.time
    channel: str
    required: int
    scheduled: int

    @property
    def gap(self) -> int:
        return max(0, self.required - self.scheduled)

    @property
    def over(self) -> int:
        return max(0, self.scheduled - self.required)


def coverage(*, schedule: Schedule, assignments: Sequence[ShiftAssignment] | None = None) -> list[CoverageSlot]:
    """Required vs scheduled heads per interval and channel of the schedule's horizon."""
    per_day = 1440 // schedule.interval_min
    slots = schedule.days * per_day
    have: dict[str, list[int]] = {c: [0] * slots for c in schedule.requirements}
    for a in assignments if assignments is not None else schedule_assignments(schedule=schedule):
        row = have.setdefault(a.channel, [0] * slots)
        for s in slots_of(a.date, a.shift, schedule.start_date, schedule.interval_min, slots):
            row[s] += 1
    starts = interval_starts(schedule.interval_min)
    result = []
    for channel, counts in have.items():
        required = list(schedule.requirements.get(channel) or [0] * slots)
        for s in range(slots):
            if required[s] or counts[s]:
                result.append(CoverageSlot(schedule.start_date + dt.timedelta(days=s // per_day),
                                           starts[s % per_day], channel, int(required[s]), counts[s]))
    return result


def my_assignments(*, membership: Membership, start: dt.date, days: int = 28) -> list[ShiftAssignment]:
    """The member's own shifts in published schedules."""
    return list(ShiftAssignment.objects.filter(
        workspace=membership.workspace, membership=membership, schedule__status=ScheduleStatus.PUBLISHED,
        date__gte=start, date__lt=start + dt.timedelta(days=days)).select_related("shift", "schedule")
        .order_by("date"))


# --- intraday -------------------------------------------------------------------------------------

@dataclass
class Intraday:
    channel: str
    date: dt.date
    interval_min: int
    forecast: list[float]
    actual: list[float | None]
    reforecast: list[float]
    ratio: float | None
    elapsed: int  # intervals fully passed


def intraday(*, workspace: Workspace, channel: str, interval_min: int) -> Intraday:
    """Today's arrivals against the forecast; remaining intervals scaled by actual / forecast so far."""
    now = timezone.now().astimezone(tz_of(workspace))
    today = now.date()
    fc = forecast_for(workspace=workspace, channel=channel, start=today, days=1, interval_min=interval_min)
    forecast_row = [float(v) for v in fc.values[0]]
    counts = arrival_counts(workspace=workspace, start=today, end=today, interval_min=interval_min,
                            channels=[channel]).get(channel, {})
    elapsed = (now.hour * 60 + now.minute) // interval_min
    actual: list[float | None] = [counts.get((today, i), 0.0) if i <= elapsed else None
                                  for i in range(len(forecast_row))]
    done_fc = sum(forecast_row[:elapsed])
    done_actual = sum(v or 0.0 for v in actual[:elapsed])
    ratio = done_actual / done_fc if done_fc > 0 else None
    reforecast = [v if i < elapsed else v * (ratio if ratio is not None else 1.0)
                  for i, v in enumerate(forecast_row)]
    return Intraday(channel, today, interval_min, forecast_row, actual, reforecast, ratio, elapsed)


# --- KPIs -----------------------------------------------------------------------------------------

@dataclass
class AgentKpi:
    membership_id: int
    label: str
    tickets_solved: int = 0
    calls: int = 0
    call_seconds: int = 0
    replies: int = 0
    first_response_wall_s: list[float] = field(default_factory=list)
    first_response_business_s: list[float] = field(default_factory=list)
    resolution_wall_s: list[float] = field(default_factory=list)
    resolution_business_s: list[float] = field(default_factory=list)
    sla_met: int = 0
    sla_total: int = 0
    backlog: int = 0
    work_seconds: float = 0.0
    scheduled_seconds: int = 0
    qa_average: float | None = None
    qa_count: int = 0

    @staticmethod
    def _mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    @property
    def handle_time_s(self) -> float | None:
        return self.call_seconds / self.calls if self.calls else None

    @property
    def first_response_min(self) -> float | None:
        m = self._mean(self.first_response_wall_s)
        return None if m is None else m / 60

    @property
    def first_response_business_min(self) -> float | None:
        m = self._mean(self.first_response_business_s)
        return None if m is None else m / 60

    @property
    def resolution_h(self) -> float | None:
        m = self._mean(self.resolution_wall_s)
        return None if m is None else m / 3600

    @property
    def resolution_business_h(self) -> float | None:
        m = self._mean(self.resolution_business_s)
        return None if m is None else m / 3600

    @property
    def sla_attainment(self) -> float | None:
        return self.sla_met / self.sla_total if self.sla_total else None

    @property
    def occupancy(self) -> float | None:
        return min(1.0, self.work_seconds / self.scheduled_seconds) if self.scheduled_seconds else None

    def merge(self, other: AgentKpi) -> None:
        for name in ("tickets_solved", "calls", "call_seconds", "replies", "sla_met", "sla_total", "backlog",
                     "work_seconds", "scheduled_seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("first_response_wall_s", "first_response_business_s", "resolution_wall_s",
                     "resolution_business_s"):
            getattr(self, name).extend(getattr(other, name))
        if other.qa_count:
            total = (self.qa_average or 0) * self.qa_count + (other.qa_average or 0) * other.qa_count
            self.qa_count += other.qa_count
            self.qa_average = total / self.qa_count


@dataclass
class KpiReport:
    start: dt.date
    end: dt.date
    agents: list[AgentKpi]
    team: AgentKpi
    sla_source: str  # "policy" when SLA policies set the targets, "settings" for the planning window


MAX_KPI_TICKETS = 50_000


def kpis(*, workspace: Workspace, start: dt.date, end: dt.date, mask: bool = False) -> KpiReport:
    """Per-agent and team KPIs for local dates ``start`` … ``end`` (a fixed number of queries)."""
    tz = tz_of(workspace)
    lo = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    members = list(Membership.objects.filter(workspace=workspace).exclude(role=Role.CLIENT_VIEWER)
                   .select_related("user").order_by("user__display_name", "pk"))
    by_user = {m.user_id: m for m in members}
    rows: dict[int, AgentKpi] = {
        m.pk: AgentKpi(m.pk, mask_name(m.user.label) if mask else m.user.label) for m in members}

    def row_for_user(user_id: int | None) -> AgentKpi | None:
        member = by_user.get(user_id) if user_id is not None else None
        return rows[member.pk] if member is not None else None

    settings = {s.channel: s for s in settings_list(workspace=workspace)}

    def channel_settings(channel: str) -> PlanningSettings:
        if channel not in settings:
            settings[channel] = PlanningSettings(workspace=workspace, channel=channel)
        return settings[channel]

    calendar = calendar_value(calendar_for(workspace))
    day_cache: dict[dt.date, Any] = {}

    def business_s(a: dt.datetime, b: dt.datetime) -> float:
        """Business seconds from a to b, with each day's working intervals computed once."""
        if b <= a:
            return 0.0
        total = 0.0
        day, last = calendar.local_date(a) - dt.timedelta(days=1), calendar.local_date(b) + dt.timedelta(days=1)
        if (last - day).days > 62:  # long-open tickets: the calendar module walks them itself
            return business_time_between(calendar, a, b).total_seconds()
        while day <= last:
            spans = day_cache.get(day)
            if spans is None:
                spans = day_cache[day] = calendar.utc_intervals_on(day)
            for s, e in spans:
                lo_, hi_ = max(s, a), min(e, b)
                if hi_ > lo_:
                    total += (hi_ - lo_).total_seconds()
            day += dt.timedelta(days=1)
        return total

    rules = [(rule_of(p), p.first_response_minutes) for p in policies_for(workspace) if p.first_response_minutes]
    # tickets first answered in the period (first response) and solved in it (resolution)
    tickets = (Ticket.objects.filter(workspace=workspace, assignee__isnull=False)
               .filter(Q(first_response_at__gte=lo, first_response_at__lt=hi) | Q(solved_at__gte=lo, solved_at__lt=hi))
               .values_list("assignee_id", "channel", "priority", "type", "created_at", "first_response_at",
                            "solved_at")[:MAX_KPI_TICKETS])
    for user_id, channel, priority, kind, created, first, solved in tickets:
        row = row_for_user(user_id)
        if row is None:
            continue
        if first is not None and lo <= first < hi:
            row.first_response_wall_s.append((first - created).total_seconds())
            business = business_s(created, first)
            row.first_response_business_s.append(business)
            facts = TicketFacts(channel=channel, priority=priority, type=kind, customer_tier="", tags=frozenset())
            target_min = next((minutes for rule, minutes in rules if rule.matches(facts)), None)
            row.sla_total += 1
            if target_min is not None:
                row.sla_met += business <= target_min * 60
            else:
                row.sla_met += (first - created).total_seconds() <= channel_settings(channel).sla_window_min * 60
        if solved is not None and lo <= solved < hi:
            row.tickets_solved += 1
            row.resolution_wall_s.append((solved - created).total_seconds())
            row.resolution_business_s.append(business_s(created, solved))
    for user_id, n, seconds in (Call.objects.filter(workspace=workspace, started_at__gte=lo, started_at__lt=hi)
                                .values("agent_id").annotate(n=Count("pk"), s=Sum("duration_seconds"))
                                .values_list("agent_id", "n", "s").order_by()):
        row = row_for_user(user_id)
        if row is not None:
            row.calls += n
            row.call_seconds += seconds or 0
            row.work_seconds += seconds or 0
    for user_id, channel, n in (Message.objects.filter(workspace=workspace, kind=MessageKind.REPLY,
                                                       created_at__gte=lo, created_at__lt=hi)
                                .values("author_id", "ticket__channel").annotate(n=Count("pk"))
                                .values_list("author_id", "ticket__channel", "n").order_by()):
        row = row_for_user(user_id)
        if row is not None:
            row.replies += n
            if channel != Channel.PHONE:
                row.work_seconds += n * channel_settings(channel).aht_s
    for user_id, n in (Ticket.objects.filter(workspace=workspace, status__in=list(OPEN_STATUSES),
                                             assignee__isnull=False)
                       .values("assignee_id").annotate(n=Count("pk")).values_list("assignee_id", "n").order_by()):
        row = row_for_user(user_id)
        if row is not None:
            row.backlog += n
    shifts = {s.pk: s.paid_min for s in shift_templates(workspace=workspace)}
    for member_id, shift_id in ShiftAssignment.objects.filter(
            workspace=workspace, schedule__status=ScheduleStatus.PUBLISHED, date__gte=start,
            date__lte=end).values_list("membership_id", "shift_id"):
        if member_id in rows:
            rows[member_id].scheduled_seconds += shifts.get(shift_id, 0) * 60
    for member_id, average, n in (QaScorecard.objects.filter(workspace=workspace, created_at__gte=lo,
                                                             created_at__lt=hi)
                                  .values("agent_id").annotate(a=Avg("total"), n=Count("pk"))
                                  .values_list("agent_id", "a", "n").order_by()):
        if member_id in rows:
            rows[member_id].qa_average = float(average)
            rows[member_id].qa_count = n
    team = AgentKpi(0, "")
    for row in rows.values():
        team.merge(row)
    active = [r for r in rows.values() if r.tickets_solved or r.calls or r.replies or r.backlog or r.qa_count
              or r.scheduled_seconds or r.first_response_wall_s]
    return KpiReport(start, end, active, team, "policy" if rules else "settings")


# --- QA -------------------------------------------------------------------------------------------

def qa_criteria(*, workspace: Workspace, active_only: bool = True) -> list[QaCriterion]:
    qs = QaCriterion.objects.filter(workspace=workspace)
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("position", "pk"))


def qa_scorecards(*, workspace: Workspace) -> QuerySet[QaScorecard]:
    return (QaScorecard.objects.filter(workspace=workspace)
            .select_related("ticket", "agent__user", "evaluator__user").order_by("-created_at", "-pk"))
