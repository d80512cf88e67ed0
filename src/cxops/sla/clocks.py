"""SLA clocks stored on tickets: which policy applies, the deadlines, pauses, warnings and breaches.

One function, :func:`compute`, derives a ticket's SLA columns from what the ticket knows (created,
first response, last customer message, status, accumulated pause) and the workspace's compiled
setup, so the lifecycle hook, imports and the recompute after a calendar change agree.

Rules:

* first response: due by the cutoff rule (board/email) or the policy target from creation, shifted
  by business time spent in a pause status before it; frozen once an agent answered.
* next reply: runs from the first customer message after an agent reply (``sla_reply_from``) until
  the next agent reply.
* resolution: the target from creation plus paused business time; stopped (unset) while paused;
  frozen once solved.
* running targets: open, not paused, not met. ``sla_next_due_at`` is the earliest running deadline.
* warnings at ``warn_share`` of the business time from the clock's start to its deadline, breaches at
  the deadline; ``sla_flags`` holds which were recorded for the current deadlines (a changed deadline
  clears its bits) and ``sla_next_check_at`` the next such moment for the minute job.

The compiled setup of a workspace (calendars, policies in order) is cached in the process and
checked against a version key in Django's cache, which every calendar or policy save bumps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cxops.core.versioned import VersionedCache
from cxops.sla.calendar import BusinessCalendar, add_business_time, business_time_between
from cxops.sla.policy import CutoffRule, SlaRule, SlaTargets, TicketFacts, reply_due

__all__ = [
    "FIELDS",
    "TARGETS",
    "CompiledCalendar",
    "CompiledPolicy",
    "WorkspaceSla",
    "apply_status_change",
    "bit",
    "compute",
    "invalidate",
    "running_targets",
    "warn_moment",
    "workspace_sla",
]

OPEN = frozenset({"new", "open", "pending", "on_hold"})
DONE = frozenset({"solved", "closed"})
TARGETS: tuple[str, ...] = ("first_response", "next_reply", "resolution")
DUE_FIELD = {t: f"{t}_due_at" for t in TARGETS}
# The ticket columns this module writes.
FIELDS: tuple[str, ...] = ("sla_policy_id", "first_response_due_at", "next_reply_due_at", "sla_reply_from",
                           "resolution_due_at",
                           "sla_next_due_at", "sla_next_check_at", "sla_paused_at", "sla_paused_seconds",
                           "sla_flags")
# The ticket columns compute() reads (for .only() in bulk paths).
READ_FIELDS: tuple[str, ...] = ("id", "workspace_id", "created_at", "channel", "priority", "type", "status",
                                "team_id", "customer_id", "first_response_at", "solved_at",
                                "last_customer_message_at", "updated_at", *FIELDS)


def bit(target: str, kind: str) -> int:
    """The flag of a warning (``kind="warning"``) or breach of one target."""
    return 1 << (TARGETS.index(target) * 2 + (1 if kind == "breach" else 0))


def _target_bits(target: str) -> int:
    return bit(target, "warning") | bit(target, "breach")


@dataclass(frozen=True, slots=True)
class CompiledCalendar:
    config_id: int | None
    name: str
    cal: BusinessCalendar
    cutoff: CutoffRule


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    id: int
    name: str
    rule: SlaRule
    calendar_id: int | None


DEFAULT_RULE_PAUSES = frozenset({"pending"})


@dataclass(slots=True)
class WorkspaceSla:
    """A workspace's calendars and active policies, ready for per-ticket arithmetic."""

    workspace_id: int
    version: str
    policies: tuple[CompiledPolicy, ...]
    calendars: dict[int, CompiledCalendar]
    default_calendar: CompiledCalendar
    team_calendars: dict[int, int] = field(default_factory=dict)
    _match_cache: dict[tuple[Any, ...], CompiledPolicy | None] = field(default_factory=dict)

    @property
    def needs_tags(self) -> bool:
        return any(p.rule.tags for p in self.policies)

    @property
    def needs_tier(self) -> bool:
        return any(p.rule.customer_tiers for p in self.policies)

    def policy_for(self, facts: TicketFacts) -> CompiledPolicy | None:
        key = (facts.channel, facts.priority, facts.type, facts.customer_tier, facts.tags)
        try:
            return self._match_cache[key]
        except KeyError:
            pass
        found = next((p for p in self.policies if p.rule.matches(facts)), None)
        if len(self._match_cache) > 4096:
            self._match_cache.clear()
        self._match_cache[key] = found
        return found

    def policy_by_id(self, policy_id: int | None) -> CompiledPolicy | None:
        return next((p for p in self.policies if p.id == policy_id), None)

    def calendar_for(self, policy: CompiledPolicy | None, team_id: int | None) -> CompiledCalendar:
        if policy is not None and policy.calendar_id in self.calendars:
            return self.calendars[policy.calendar_id]  # type: ignore[index]
        if team_id is not None and team_id in self.team_calendars:
            return self.calendars[self.team_calendars[team_id]]
        return self.default_calendar


# --- compiled setup cache -------------------------------------------------------------------------

def invalidate(workspace_id: int) -> None:
    """Calendars or policies of the workspace changed: every process reloads them on next use."""
    _setups.invalidate(workspace_id)


def reset_process_cache() -> None:
    """Forget every compiled setup of this process (tests; the version keys stay valid)."""
    _setups.reset()


def workspace_sla(workspace_id: int) -> WorkspaceSla:
    """The compiled setup of a workspace: at most one cache read when warm, three queries when cold."""
    return _setups.get(workspace_id)


def _load(workspace_id: int, version: str) -> WorkspaceSla:
    from cxops.core.models import Workspace
    from cxops.sla.models import BusinessCalendarConfig, SlaPolicy
    from cxops.sla.selectors import calendar_value, cutoff_rule, default_calendar_config, rule_of

    def compile_calendar(config: BusinessCalendarConfig) -> CompiledCalendar:
        return CompiledCalendar(config_id=config.pk, name=config.name, cal=calendar_value(config),
                                cutoff=cutoff_rule(config))

    configs = list(BusinessCalendarConfig.objects.filter(workspace_id=workspace_id)
                   .order_by("-is_default", "name", "id"))
    calendars = {c.pk: compile_calendar(c) for c in configs}
    team_calendars: dict[int, int] = {}
    for config in configs:
        if config.team_id is not None:
            team_calendars.setdefault(config.team_id, config.pk)
    workspace_configs = [c for c in configs if c.team_id is None]
    if workspace_configs:
        default = calendars[workspace_configs[0].pk]
    else:
        default = compile_calendar(default_calendar_config(Workspace(pk=workspace_id)))
    policies = tuple(
        CompiledPolicy(id=p.pk, name=p.name, rule=rule_of(p), calendar_id=p.calendar_id)
        for p in SlaPolicy.objects.filter(workspace_id=workspace_id, is_active=True).order_by("position", "id")
    )
    return WorkspaceSla(workspace_id=workspace_id, version=version, policies=policies, calendars=calendars,
                        default_calendar=default, team_calendars=team_calendars)


# An inbox page asks once per row; other processes see a settings change 2 s later at most.
_setups: VersionedCache[WorkspaceSla] = VersionedCache("sla", _load)


# --- arithmetic on one ticket ---------------------------------------------------------------------

def _facts(ticket: Any, tags: Iterable[str], tier: str) -> TicketFacts:
    return TicketFacts(channel=ticket.channel, priority=ticket.priority, type=ticket.type, customer_tier=tier or "",
                       tags=frozenset(tags))


def _pause_statuses(policy: CompiledPolicy | None) -> frozenset[str]:
    return policy.rule.pause_statuses if policy else DEFAULT_RULE_PAUSES


def apply_status_change(ticket: Any, sla: WorkspaceSla, *, old: str, new: str, at: dt.datetime) -> None:
    """Start or end a pause when the status moves into or out of a pause status (in place).

    The pause statuses are those of the ticket's current policy; the paused business time is
    measured in the calendar that applies to the ticket.
    """
    policy = sla.policy_by_id(ticket.sla_policy_id)
    pauses = _pause_statuses(policy)
    paused_now = new in pauses and new in OPEN
    if ticket.sla_paused_at is not None and not paused_now:
        cal = sla.calendar_for(policy, ticket.team_id).cal
        spent = business_time_between(cal, ticket.sla_paused_at, max(at, ticket.sla_paused_at))
        ticket.sla_paused_seconds = int(ticket.sla_paused_seconds or 0) + int(spent.total_seconds())
        ticket.sla_paused_at = None
    elif ticket.sla_paused_at is None and paused_now:
        ticket.sla_paused_at = at


def warn_moment(cal: BusinessCalendar, start: dt.datetime, due: dt.datetime, share: float) -> dt.datetime:
    """The instant ``share`` of the business time from ``start`` to ``due`` has run."""
    if due <= start:
        return due
    total = business_time_between(cal, start, due)
    if total <= dt.timedelta(0):
        return due
    return min(add_business_time(cal, start, total * share), due)


def _clock_start(ticket: Any, target: str) -> dt.datetime:
    if target == "next_reply":
        return ticket.sla_reply_from or ticket.last_customer_message_at or ticket.created_at  # type: ignore[no-any-return]
    return ticket.created_at  # type: ignore[no-any-return]


def running_targets(ticket: Any, pauses: frozenset[str] = DEFAULT_RULE_PAUSES) -> list[str]:
    """The targets whose clock is running now (open, not paused, not met, with a deadline)."""
    if ticket.status not in OPEN or ticket.sla_paused_at is not None or ticket.status in pauses:
        return []
    running = []
    if ticket.first_response_at is None and ticket.first_response_due_at is not None:
        running.append("first_response")
    if ticket.next_reply_due_at is not None:
        running.append("next_reply")
    if ticket.resolution_due_at is not None:
        running.append("resolution")
    return running


def snapshot(ticket: Any) -> dict[str, Any]:
    """The SLA columns of a ticket as they are (pass to :func:`compute` after changing them)."""
    return {name: getattr(ticket, name) for name in FIELDS}


def compute(ticket: Any, sla: WorkspaceSla, *, tags: Iterable[str] = (), tier: str = "",
            warn_cache: dict[tuple[Any, ...], dt.datetime] | None = None,
            before: dict[str, Any] | None = None) -> dict[str, Any]:
    """Set the SLA columns of ``ticket`` (in place) and return those that changed since ``before``
    (default: as they are on entry).

    ``tags`` and ``tier`` matter only when some policy conditions on them.
    """
    before = before if before is not None else snapshot(ticket)
    policy = sla.policy_for(_facts(ticket, tags, tier))
    compiled_cal = sla.calendar_for(policy, ticket.team_id)
    cal = compiled_cal.cal
    rule = policy.rule if policy else None
    targets = rule.targets if rule else SlaTargets()
    use_cutoff = rule.use_cutoff if rule else True
    pauses = _pause_statuses(policy)
    ticket.sla_policy_id = policy.id if policy else None
    # A status set without a hook (imports) may leave a pause unstarted: start it at creation's end.
    if ticket.status in pauses and ticket.status in OPEN and ticket.sla_paused_at is None:
        ticket.sla_paused_at = ticket.updated_at if getattr(ticket, "updated_at", None) else ticket.created_at
    paused = dt.timedelta(seconds=int(ticket.sla_paused_seconds or 0))

    if ticket.first_response_at is None or ticket.first_response_due_at is None:
        first = reply_due(cal, received_at=ticket.created_at, channel=ticket.channel,
                          target=targets.first_response, cutoff=compiled_cal.cutoff, use_cutoff=use_cutoff)
        if first is not None and paused and ticket.first_response_at is None:
            first = add_business_time(cal, first, paused)
        ticket.first_response_due_at = first
    if ticket.sla_reply_from is None:
        ticket.next_reply_due_at = None
    else:
        ticket.next_reply_due_at = reply_due(
            cal, received_at=_clock_start(ticket, "next_reply"), channel=ticket.channel, target=targets.next_reply,
            cutoff=compiled_cal.cutoff, use_cutoff=use_cutoff)
    if ticket.status in DONE and ticket.resolution_due_at is not None:
        pass  # met (or missed) already: the deadline it had stays
    elif targets.resolution is None or ticket.sla_paused_at is not None:
        ticket.resolution_due_at = None
    else:
        ticket.resolution_due_at = add_business_time(cal, ticket.created_at, targets.resolution + paused)

    flags = int(ticket.sla_flags or 0)
    for target in TARGETS:
        if not _same_instant(before[DUE_FIELD[target]], getattr(ticket, DUE_FIELD[target])):
            flags &= ~_target_bits(target)
    ticket.sla_flags = flags
    running = running_targets(ticket, pauses)
    dues = [getattr(ticket, DUE_FIELD[t]) for t in running]
    ticket.sla_next_due_at = min(dues) if dues else None
    ticket.sla_next_check_at = next_check(ticket, cal, rule.warn_share if rule else 0.75, running, warn_cache)
    return {name: getattr(ticket, name) for name in FIELDS if not _equal(before[name], getattr(ticket, name))}


def next_check(ticket: Any, cal: BusinessCalendar, share: float, running: Sequence[str],
               warn_cache: dict[tuple[Any, ...], dt.datetime] | None = None) -> dt.datetime | None:
    """The next warning or breach moment not yet recorded among the running targets."""
    moments: list[dt.datetime] = []
    flags = int(ticket.sla_flags or 0)
    for target in running:
        due = getattr(ticket, DUE_FIELD[target])
        if not flags & bit(target, "warning"):
            start = _clock_start(ticket, target)
            if warn_cache is None:
                moments.append(warn_moment(cal, start, due, share))
            else:
                key = (id(cal), start, due, share)
                moment = warn_cache.get(key)
                if moment is None:
                    moment = warn_cache[key] = warn_moment(cal, start, due, share)
                moments.append(moment)
        elif not flags & bit(target, "breach"):
            moments.append(due)
    return min(moments) if moments else None


def _same_instant(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a == b
    return bool(a == b)
