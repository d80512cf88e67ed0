"""Writes for SLA: calendars, policies and the Korean defaults of a workspace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Field
from django.utils.timezone import now

from cxops.core.audit import diff, record
from cxops.core.models import Team, User, Workspace
from cxops.core.services import ServiceError
from cxops.sla import clocks
from cxops.sla.calendar import KOREAN_DEFAULT_WEEKLY, calendar_from_data
from cxops.sla.models import BusinessCalendarConfig, SlaEvent, SlaEventKind, SlaPolicy
from cxops.sla.policy import SlaRule, SlaTargets, measure
from cxops.sla.selectors import DEFAULT_CALENDAR_NAME
from cxops.tickets.extensions import ChangeKind, TicketChange
from cxops.tickets.models import Channel, Priority, Status, Ticket, TicketType

_CALENDAR_FIELDS = ("name", "team_id", "timezone", "weekly_hours", "use_korean_holidays", "extra_holidays",
                    "overrides", "cutoff_time", "cutoff_channels", "is_default")


def _calendar_snapshot(calendar: BusinessCalendarConfig) -> dict[str, Any]:
    data = {f: getattr(calendar, f) for f in _CALENDAR_FIELDS}
    data["cutoff_time"] = calendar.cutoff_time.strftime("%H:%M")  # JSON-safe for the audit row
    return data


def _check_choices(label: str, values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    items = [str(v) for v in values]
    unknown = sorted(set(items) - set(allowed))
    if unknown:
        raise ServiceError(f"알 수 없는 {label}: {', '.join(unknown)} (허용: {', '.join(allowed)})")
    return items


@transaction.atomic
def calendar_save(
    *,
    workspace: Workspace,
    actor: User | None,
    name: str,
    weekly_hours: Mapping[str, Iterable[str]],
    timezone: str = "Asia/Seoul",
    use_korean_holidays: bool = True,
    extra_holidays: Iterable[Any] = (),
    overrides: Iterable[Mapping[str, Any]] = (),
    cutoff_time: dt.time = dt.time(17, 0),
    cutoff_channels: Iterable[str] = ("board", "email"),
    team: Team | None = None,
    is_default: bool = False,
    calendar: BusinessCalendarConfig | None = None,
) -> BusinessCalendarConfig:
    """Create (``calendar=None``) or update a business calendar after validating it."""
    name = name.strip()
    if not name:
        raise ServiceError("달력 이름을 입력해 주세요.")
    if team is not None and team.workspace_id != workspace.pk:
        raise ServiceError("다른 워크스페이스의 팀입니다.")
    if calendar is not None and calendar.workspace_id != workspace.pk:
        raise ServiceError("다른 워크스페이스의 달력입니다.")
    weekly = {str(k): [str(i) for i in v] for k, v in weekly_hours.items()}
    extra = [dict(h) if isinstance(h, Mapping) else {"date": str(h)} for h in extra_holidays]
    extra = [{**h, "date": str(h.get("date", ""))} for h in extra]
    override_rows = [{**dict(o), "date": str(o.get("date", "")), "intervals": list(o.get("intervals") or [])}
                     for o in overrides]
    channels = _check_choices("채널", cutoff_channels, Channel.values)
    try:
        calendar_from_data(timezone=timezone, weekly_hours=weekly, use_korean_holidays=use_korean_holidays,
                           extra_holidays=extra, overrides=override_rows, name=name)
    except ValueError as exc:
        raise ServiceError(f"영업시간 설정을 확인해 주세요: {exc}") from exc
    if BusinessCalendarConfig.objects.filter(workspace=workspace, name=name).exclude(
            pk=calendar.pk if calendar else -1).exists():
        raise ServiceError(f"같은 이름의 달력이 이미 있습니다: {name}")
    if team is None and not is_default and not BusinessCalendarConfig.objects.filter(
            workspace=workspace, is_default=True).exclude(pk=calendar.pk if calendar else -1).exists():
        is_default = True  # the first workspace calendar becomes the default
    if is_default:
        BusinessCalendarConfig.objects.filter(workspace=workspace, is_default=True).exclude(
            pk=calendar.pk if calendar else -1).update(is_default=False, updated_at=now())
    before = _calendar_snapshot(calendar) if calendar else {}
    target = calendar or BusinessCalendarConfig(workspace=workspace)
    target.name, target.team, target.timezone = name, team, timezone
    target.weekly_hours, target.use_korean_holidays = weekly, use_korean_holidays
    target.extra_holidays, target.overrides = extra, override_rows
    target.cutoff_time, target.cutoff_channels, target.is_default = cutoff_time, channels, is_default
    target.updated_at = now()
    target.save()
    record(workspace=workspace, actor=actor, action="sla.calendar_update" if calendar else "sla.calendar_create",
           obj=target, changes=diff(before, _calendar_snapshot(target)))
    _setup_changed(workspace)
    return target


@transaction.atomic
def policy_save(
    *,
    workspace: Workspace,
    actor: User | None,
    name: str,
    position: int = 100,
    is_active: bool = True,
    calendar: BusinessCalendarConfig | None = None,
    channels: Iterable[str] = (),
    priorities: Iterable[str] = (),
    types: Iterable[str] = (),
    customer_tiers: Iterable[str] = (),
    tags: Iterable[str] = (),
    first_response_minutes: int | None = None,
    next_reply_minutes: int | None = None,
    resolution_minutes: int | None = None,
    pause_statuses: Iterable[str] = ("pending",),
    warn_share: float = 0.75,
    use_cutoff: bool = True,
    policy: SlaPolicy | None = None,
) -> SlaPolicy:
    """Create (``policy=None``) or update an SLA policy after validating it."""
    name = name.strip()
    if not name:
        raise ServiceError("정책 이름을 입력해 주세요.")
    if policy is not None and policy.workspace_id != workspace.pk:
        raise ServiceError("다른 워크스페이스의 정책입니다.")
    if calendar is not None and calendar.workspace_id != workspace.pk:
        raise ServiceError("다른 워크스페이스의 달력입니다.")
    values: dict[str, Any] = {
        "name": name, "position": position, "is_active": is_active, "calendar": calendar,
        "channels": _check_choices("채널", channels, Channel.values),
        "priorities": _check_choices("우선순위", priorities, Priority.values),
        "types": _check_choices("유형", types, TicketType.values),
        "customer_tiers": sorted({t.strip() for t in customer_tiers if t.strip()}),
        "tags": sorted({t.strip() for t in tags if t.strip()}),
        "first_response_minutes": first_response_minutes, "next_reply_minutes": next_reply_minutes,
        "resolution_minutes": resolution_minutes,
        "pause_statuses": _check_choices("상태", pause_statuses, Status.values),
        "warn_share": warn_share, "use_cutoff": use_cutoff,
    }
    try:
        SlaRule(name=name, targets=SlaTargets.from_minutes(first_response_minutes, next_reply_minutes,
                                                           resolution_minutes), warn_share=warn_share)
    except ValueError as exc:
        raise ServiceError(f"SLA 목표를 확인해 주세요: 목표 시간은 1분 이상, 경고 비율은 0~1 사이여야 합니다 ({exc})") from exc
    if SlaPolicy.objects.filter(workspace=workspace, name=name).exclude(pk=policy.pk if policy else -1).exists():
        raise ServiceError(f"같은 이름의 SLA 정책이 이미 있습니다: {name}")
    before = policy.snapshot() if policy else {}
    target = policy or SlaPolicy(workspace=workspace)
    for key, value in values.items():
        setattr(target, key, value)
    target.updated_at = now()
    target.save()
    record(workspace=workspace, actor=actor, action="sla.policy_update" if policy else "sla.policy_create",
           obj=target, changes=diff(before, target.snapshot()))
    _setup_changed(workspace)
    return target


@dataclass(frozen=True)
class SlaDefaults:
    calendar: BusinessCalendarConfig
    policies: list[SlaPolicy]
    created: bool


@transaction.atomic
def workspace_sla_defaults_install(*, workspace: Workspace, actor: User | None = None) -> SlaDefaults:
    """Install the Korean default calendar and policies (idempotent: existing ones are kept).

    Calendar: weekdays 09:00–18:00 with a 12:00–13:00 lunch break, Korean public holidays, a 17:00
    cutoff for board and email. Policies: 긴급 (urgent; 2 h first response, 1 h next reply, 1 business
    day resolution, no cutoff) and 기본 SLA (1 business day first response and next reply — the cutoff
    rule decides for board and email — and 3 business days resolution; paused while pending customer).
    """
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()  # serialise concurrent installs
    created = False
    calendar = BusinessCalendarConfig.objects.filter(workspace=workspace, team=None).order_by(
        "-is_default", "id").first()
    if calendar is None:
        calendar = calendar_save(workspace=workspace, actor=actor, name=DEFAULT_CALENDAR_NAME,
                                 weekly_hours=KOREAN_DEFAULT_WEEKLY, is_default=True)
        created = True
    policies = list(SlaPolicy.objects.filter(workspace=workspace).order_by("position", "id"))
    if not policies:
        policies = [
            policy_save(workspace=workspace, actor=actor, name="긴급", position=10, priorities=["urgent"],
                        first_response_minutes=120, next_reply_minutes=60, resolution_minutes=480,
                        use_cutoff=False),
            policy_save(workspace=workspace, actor=actor, name="기본 SLA", position=100,
                        first_response_minutes=480, next_reply_minutes=480, resolution_minutes=1440),
        ]
        created = True
    return SlaDefaults(calendar=calendar, policies=policies, created=created)


# --- clocks on tickets ------------------------------------------------------------------------------

# Ticket changes that can move a deadline.
RELEVANT_CHANGES = frozenset({"status", "custom_status_id", "priority", "type", "tags", "team_id"})
TARGET_LABELS = {"first_response": "첫 응답", "next_reply": "다음 답변", "resolution": "해결"}


def _tags_by_ticket(ticket_ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    through = Ticket.tags.through
    for ticket_id, name in through.objects.filter(ticket_id__in=list(ticket_ids)).values_list("ticket_id", "tag__name"):
        result.setdefault(ticket_id, []).append(name)
    return result


def _tiers_by_customer(customer_ids: Iterable[int | None]) -> dict[int, str]:
    from cxops.tickets.models import Customer

    wanted = {c for c in customer_ids if c is not None}
    if not wanted:
        return {}
    return dict(Customer.objects.filter(pk__in=wanted).values_list("pk", "tier"))


def _met_event(ticket: Ticket, sla: clocks.WorkspaceSla, *, target: str, due: dt.datetime, start: dt.datetime,
               at: dt.datetime, paused: dt.timedelta = dt.timedelta(0)) -> SlaEvent:
    policy = sla.policy_by_id(ticket.sla_policy_id)
    cal = sla.calendar_for(policy, ticket.team_id).cal
    metric = measure(cal, start, at)
    business = max(metric.business - paused, dt.timedelta(0))
    return SlaEvent(workspace_id=ticket.workspace_id, ticket_id=ticket.pk, policy_id=ticket.sla_policy_id,
                    target=target, kind=SlaEventKind.MET, due_at=due, at=at, started_at=start,
                    wall_seconds=int(metric.wall.total_seconds()), business_seconds=int(business.total_seconds()),
                    within_target=at <= due)


def _tier_of(ticket: Ticket) -> str:
    if ticket.customer_id is None:
        return ""
    return ticket.customer.tier if ticket.customer else ""


def ticket_sla_prepare(ticket: Ticket, tag_names: Sequence[str]) -> None:
    """Prepare hook: a new ticket's deadlines go in with its INSERT. The lifecycle hook that runs
    after the INSERT then finds nothing to change and writes nothing."""
    sla = clocks.workspace_sla(ticket.workspace_id)
    clocks.compute(ticket, sla, tags=tag_names if sla.needs_tags else (),
                   tier=_tier_of(ticket) if sla.needs_tier else "")


def ticket_sla_changed(change: TicketChange) -> None:
    """Lifecycle hook (order 10): keep the ticket's SLA columns in step with what just happened.

    Two or three queries at most: the ticket's SLA columns are written with one UPDATE, met
    targets with one INSERT; tags and the customer's tier are read only when a policy needs them.
    """
    ticket = change.ticket
    kind = change.kind
    if kind == ChangeKind.UPDATED and not (set(change.changes) & RELEVANT_CHANGES):
        return
    sla = clocks.workspace_sla(ticket.workspace_id)
    at = change.message.created_at if change.message is not None else now()
    before = clocks.snapshot(ticket)
    events: list[SlaEvent] = []
    if kind == ChangeKind.AGENT_REPLY:
        if ticket.first_response_at == at and ticket.first_response_due_at is not None:
            events.append(_met_event(ticket, sla, target="first_response", due=ticket.first_response_due_at,
                                     start=ticket.created_at, at=at,
                                     paused=dt.timedelta(seconds=ticket.sla_paused_seconds)))
        if ticket.sla_reply_from is not None and ticket.next_reply_due_at is not None:
            events.append(_met_event(ticket, sla, target="next_reply", due=ticket.next_reply_due_at,
                                     start=ticket.sla_reply_from, at=at))
        ticket.sla_reply_from = None
    status = change.changes.get("status")
    solved = False
    if status is not None:
        old, new = status
        clocks.apply_status_change(ticket, sla, old=old, new=new, at=at)
        if new in clocks.DONE and old not in clocks.DONE:
            solved = True
            ticket.sla_reply_from = None
    if (kind == ChangeKind.CUSTOMER_MESSAGE and ticket.first_response_at is not None
            and ticket.sla_reply_from is None and ticket.status in clocks.OPEN):
        ticket.sla_reply_from = at
    tags: Iterable[str] = ()
    if sla.needs_tags:
        tags = change.changes["tags"][1] if "tags" in change.changes else ticket.tags.values_list("name", flat=True)
    tier = _tier_of(ticket) if sla.needs_tier else ""
    changed = clocks.compute(ticket, sla, tags=tags, tier=tier, before=before)
    if solved and ticket.resolution_due_at is not None:
        events.append(_met_event(ticket, sla, target="resolution", due=ticket.resolution_due_at,
                                 start=ticket.created_at, at=ticket.solved_at or at,
                                 paused=dt.timedelta(seconds=ticket.sla_paused_seconds)))
    if changed:
        Ticket.objects.filter(pk=ticket.pk).update(**changed)
    if events:
        SlaEvent.objects.bulk_create(events, ignore_conflicts=True)


def _mark_past(ticket: Ticket, sla: clocks.WorkspaceSla, at: dt.datetime) -> None:
    """Count warnings and breaches already past as recorded (imports: no backlog of alerts)."""
    while ticket.sla_next_check_at is not None and ticket.sla_next_check_at <= at:
        policy = sla.policy_by_id(ticket.sla_policy_id)
        cal = sla.calendar_for(policy, ticket.team_id).cal
        for target in clocks.running_targets(ticket, policy.rule.pause_statuses if policy else
                                             clocks.DEFAULT_RULE_PAUSES):
            ticket.sla_flags |= clocks.bit(target, "warning")
            if getattr(ticket, clocks.DUE_FIELD[target]) <= at:
                ticket.sla_flags |= clocks.bit(target, "breach")
        share = policy.rule.warn_share if policy else 0.75
        running = clocks.running_targets(ticket, policy.rule.pause_statuses if policy else clocks.DEFAULT_RULE_PAUSES)
        following = clocks.next_check(ticket, cal, share, running)
        if following == ticket.sla_next_check_at:
            break
        ticket.sla_next_check_at = following


def tickets_sla_compute(*, workspace_id: int, ticket_ids: Sequence[int] | None = None, open_only: bool = False,
                        quiet_past: bool = False, batch_size: int = 2000) -> int:
    """Compute (or recompute) the SLA columns of many tickets of one workspace in batches.

    ``ticket_ids=None`` means every ticket of the workspace (``open_only`` narrows to open ones).
    ``quiet_past`` (imports, demo data) counts warnings and breaches already past as recorded, so
    the minute job does not alert on history. Per batch: one read of the tickets, one of their tags
    and customer tiers when a policy needs them, and one bulk write. Returns how many changed.
    """
    sla = clocks.workspace_sla(workspace_id)
    base = Ticket.objects.filter(workspace_id=workspace_id)
    if open_only:
        base = base.filter(status__in=list(clocks.OPEN))
    at = now()
    changed_total = 0
    warn_cache: dict[tuple[Any, ...], dt.datetime] = {}
    for tickets in _batches(base, ticket_ids, batch_size):
        ids = [t.pk for t in tickets]
        tags = _tags_by_ticket(ids) if sla.needs_tags else {}
        tiers = _tiers_by_customer(t.customer_id for t in tickets) if sla.needs_tier else {}
        changed: list[Ticket] = []
        for ticket in tickets:
            delta = clocks.compute(ticket, sla, tags=tags.get(ticket.pk, ()),
                                   tier=tiers.get(ticket.customer_id or 0, ""), warn_cache=warn_cache)
            if quiet_past:
                before = ticket.sla_flags, ticket.sla_next_check_at
                _mark_past(ticket, sla, at)
                if (ticket.sla_flags, ticket.sla_next_check_at) != before:
                    delta = {**delta, "sla_flags": ticket.sla_flags}
            if delta:
                changed.append(ticket)
        if len(warn_cache) > 50_000:
            warn_cache.clear()
        _write(changed)
        changed_total += len(changed)
    return changed_total


def _batches(qs: Any, ticket_ids: Sequence[int] | None, size: int) -> Iterable[list[Ticket]]:
    """The tickets (SLA inputs only) in batches: the given ids, or all of ``qs`` walked by id."""
    qs = qs.only(*clocks.READ_FIELDS).order_by("pk")
    if ticket_ids is not None:
        for start in range(0, len(ticket_ids), size):
            yield list(qs.filter(pk__in=list(ticket_ids[start:start + size])))
        return
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last)[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _write(tickets: Sequence[Ticket]) -> None:
    """Write the SLA columns of many tickets: one ``UPDATE … FROM unnest(…)`` on PostgreSQL, one
    ``executemany`` of ``UPDATE … WHERE id = %s`` on SQLite (Django's ``bulk_update`` builds a CASE per
    column and row, much slower at this size)."""
    if not tickets:
        return
    from django.db import connection

    table = connection.ops.quote_name(Ticket._meta.db_table)
    fields: list[Field[Any, Any]] = []
    for name in clocks.FIELDS:
        found = Ticket._meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
        assert isinstance(found, Field)
        fields.append(found)
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # One statement per batch: UPDATE … FROM unnest(column arrays) (executemany is a round trip per row).
        columns = [[f.get_db_prep_save(getattr(t, n), connection) for t in tickets]
                   for f, n in zip(fields, clocks.FIELDS, strict=True)]
        arrays = ", ".join(["%s::bigint[]", *(f"%s::{f.db_type(connection)}[]" for f in fields)])
        names = ", ".join(["id", *(quote(f.column) for f in fields)])
        assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
        sql = (f"UPDATE {table} AS t SET {assignments} FROM unnest({arrays}) AS v({names}) "
               f"WHERE t.{quote('id')} = v.id")
        with connection.cursor() as cursor:
            cursor.execute(sql, [[t.pk for t in tickets], *columns])
        return
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"
    rows = [[f.get_db_prep_save(getattr(t, n), connection) for f, n in zip(fields, clocks.FIELDS, strict=True)]
            + [t.pk] for t in tickets]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def workspace_sla_recompute(*, workspace_id: int) -> int:
    """Recompute every open ticket of a workspace (after a calendar or policy change)."""
    clocks.invalidate(workspace_id)
    return tickets_sla_compute(workspace_id=workspace_id, open_only=True)


def _setup_changed(workspace: Workspace) -> None:
    """After the commit: drop the compiled setup everywhere and recompute open tickets in a job."""
    workspace_id = workspace.pk
    clocks.invalidate(workspace_id)  # this transaction sees the new setup at once; others after the commit

    def after() -> None:
        from cxops.sla import jobs

        clocks.invalidate(workspace_id)
        jobs.sla_recompute_workspace(workspace_id)

    transaction.on_commit(after)


# --- warnings and breaches (the minute job) ---------------------------------------------------------

def sla_check_due(*, at: dt.datetime | None = None, limit: int = 1000) -> int:
    """Record the warnings and breaches whose moment has passed; returns how many were recorded.

    Reads the tickets whose ``sla_next_check_at`` has passed (a partial index holds only tickets
    with a running clock), oldest first. Each ticket is handled in its own transaction with its row
    locked; the flags and the unique SlaEvent make a repeated or concurrent run record nothing twice.
    """
    at = at or now()
    ids = list(Ticket.objects.filter(sla_next_check_at__lte=at).order_by("sla_next_check_at")
               .values_list("pk", flat=True)[:limit])
    recorded = 0
    for ticket_id in ids:
        recorded += _check_ticket(ticket_id, at)
    return recorded


def _check_ticket(ticket_id: int, at: dt.datetime) -> int:
    from cxops.tickets.services import ticket_event_add

    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",)).select_related("workspace")
                  .filter(pk=ticket_id, sla_next_check_at__lte=at).first())
        if ticket is None:
            return 0
        sla = clocks.workspace_sla(ticket.workspace_id)
        policy = sla.policy_by_id(ticket.sla_policy_id)
        cal = sla.calendar_for(policy, ticket.team_id).cal
        share = policy.rule.warn_share if policy else 0.75
        pauses = policy.rule.pause_statuses if policy else clocks.DEFAULT_RULE_PAUSES
        running = clocks.running_targets(ticket, pauses)
        found: list[SlaEvent] = []
        for target in running:
            due: dt.datetime = getattr(ticket, clocks.DUE_FIELD[target])
            if due <= at and not ticket.sla_flags & clocks.bit(target, "breach"):
                ticket.sla_flags |= clocks.bit(target, "breach") | clocks.bit(target, "warning")
                found.append(SlaEvent(workspace_id=ticket.workspace_id, ticket=ticket, policy_id=ticket.sla_policy_id,
                                      target=target, kind=SlaEventKind.BREACH, due_at=due, at=due))
            elif not ticket.sla_flags & clocks.bit(target, "warning"):
                start = ticket.sla_reply_from if target == "next_reply" and ticket.sla_reply_from else ticket.created_at
                moment = clocks.warn_moment(cal, start, due, share)
                if moment <= at:
                    ticket.sla_flags |= clocks.bit(target, "warning")
                    found.append(SlaEvent(workspace_id=ticket.workspace_id, ticket=ticket,
                                          policy_id=ticket.sla_policy_id, target=target, kind=SlaEventKind.WARNING,
                                          due_at=due, at=moment))
        ticket.sla_next_check_at = clocks.next_check(ticket, cal, share, running)
        Ticket.objects.filter(pk=ticket.pk).update(sla_flags=ticket.sla_flags,
                                                   sla_next_check_at=ticket.sla_next_check_at)
        if not found:
            return 0
        created = SlaEvent.objects.bulk_create(found, ignore_conflicts=True)
        for event in found:
            text, data = _describe(event, cal, at)
            ticket_event_add(ticket=ticket, text=text, data=data)
        _notify(ticket, found)
        return len(created)


def _describe(event: SlaEvent, cal: Any, at: dt.datetime) -> tuple[str, dict[str, Any]]:
    from cxops.sla.calendar import business_time_between

    label = TARGET_LABELS[event.target]
    due_local = event.due_at.astimezone(cal.tz).strftime("%Y-%m-%d %H:%M")
    if event.kind == SlaEventKind.BREACH:
        text = f"SLA 초과: {label} 기한({due_local})이 지났습니다."
    else:
        left = business_time_between(cal, at, event.due_at)
        text = f"SLA 임박: {label} 기한 {due_local}, 남은 영업시간 {format_business(left)}."
    return text, {"sla": {"target": event.target, "kind": event.kind, "due_at": event.due_at.isoformat()}}


def format_business(value: dt.timedelta) -> str:
    """``1시간 30분`` style text of a (business) duration; negative values read as their size."""
    minutes = abs(int(value.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}시간 {minutes}분"
    if hours:
        return f"{hours}시간"
    return f"{minutes}분"


def _notify(ticket: Ticket, events: Sequence[SlaEvent]) -> None:
    from django.urls import reverse

    from cxops.core.models import Membership
    from cxops.notifications.selectors import leads_for
    from cxops.notifications.services import notify

    assignee = []
    if ticket.assignee_id is not None:
        assignee = list(Membership.objects.filter(workspace_id=ticket.workspace_id, user_id=ticket.assignee_id,
                                                  is_active=True).select_related("user"))
    url = reverse("ticket_detail", kwargs={"slug": ticket.workspace.slug, "number": ticket.number})
    for event in events:
        label = TARGET_LABELS[event.target]
        breach = event.kind == SlaEventKind.BREACH
        recipients = list(assignee)
        if breach:
            team = ticket.team if ticket.team_id else None
            recipients += [m for m in leads_for(workspace=ticket.workspace, team=team)
                           if all(m.pk != r.pk for r in recipients)]
        if not recipients:
            continue
        title = (f"SLA 초과 · #{ticket.number} {label} 기한이 지났습니다" if breach
                 else f"SLA 임박 · #{ticket.number} {label} 기한이 다가옵니다")
        notify(workspace=ticket.workspace, recipients=recipients, kind=f"sla.{event.kind}", title=title[:200],
               body=ticket.subject, url=url, email_now=breach,
               dedupe_key=f"sla:{ticket.pk}:{event.target}:{event.kind}:{event.due_at.isoformat()}")
