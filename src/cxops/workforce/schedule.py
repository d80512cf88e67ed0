"""Multi-week shift schedules with OR-Tools CP-SAT (pure module, no Django).

Model
-----
Decision ``x[a, d, s, k] ∈ {0, 1}``: agent ``a`` works shift template ``s`` on day ``d`` on skill
(channel) ``k``. Hard rules:

- at most one shift per agent and day; only templates the agent may work, only the agent's skills;
- never on the agent's forbidden days; never on the fixed days off of a ``days_off = Sat;Sun`` agent;
- weekly paid hours within ``[min_hours, contract_hours]`` for every 7-day block of the horizon;
- rest of at least ``min_rest_h`` (11 h) between the end of one shift and the start of the next;
- at most ``max_consecutive_days`` working days in a row;
- ``days_off = consecutive``: the days off of each week form one block (cyclic inside the week, so
  Sun+Mon counts) – the rotating 5-on/2-off patterns (Mon–Fri, Tue–Sat, Wed–Sun …) are chosen by
  the solver week by week.

Objective (lexicographic, solved in two phases): first the under-coverage (agent-intervals below the
requirement of each skill), then the cost of the shifts plus over-coverage (agent-interval
minutes), then fairness: the spread between the most and the least weekend days worked, weekend
days weighted by seniority (senior agents get fewer weekends when it is otherwise a tie) and work
on preferred days off.

When the horizon is whole weeks with the same requirements every week and day rules by weekday
only, phase 1 is solved on one *cyclic* week — a model a quarter the size for 4 weeks — built as
*rotating rosters*: comparable agents (same contract hours, skills, shifts and days-off rule; other
forbidden days too where the slots can still give everyone their hours) form a group, cut into
lines of ``weeks`` to ``2·weeks − 1`` week slots; the agent starting on slot ``i`` of a line works
slot ``i + w`` in week ``w``. Every week therefore works every slot once (coverage is the same each
week), the Sunday of a slot is followed by the Monday of the next slot of its line (rest,
consecutive days, the night shift's wrap), and the weekend days each agent of a group works over
the horizon differ by at most ``Problem.weekend_spread`` (1; a hard rule of the cyclic model,
``None`` turns it off). On a line of exactly ``weeks`` slots each agent works every slot once, so
only the lines' weekend sums need balancing. Who starts where is then a small assignment: the
seniors take the smaller weekend totals, everybody the fewest preferred days off, and an agent only
slots whose days it may work. The fair rule can cost coverage (the two-week 5-on/2-off covering at
its optimum of 23 cannot give everybody 2–3 weekend days). If no roster is found in time, the
earlier phase 1 runs instead: one cyclic week per agent repeated, its weeks shared out among
interchangeable agents where rest and consecutive days allow. Phase 2 starts from the phase-1
schedule with every variable hinted, so it always has a solution to improve, and may not widen any
group's weekend spread (it keeps narrowing it in the objective).

The coverage report gives, per interval and skill, the requirement, the scheduled agents, the gap
and the over-coverage; every gap carries the reason it could not be closed: no template works that
interval, no agent has the skill, too few agents could be there at all (skills, forbidden days,
fixed days off, allowed templates), or the qualified agents are used up by the hours, rest,
consecutive-day and days-off rules (the capacity is needed in other intervals).

CSV formats (UTF-8, header row; lists inside a cell are separated by ``;``)
------------------------------------------------------------------------
``REQ.csv`` – required agents per interval::

    date,interval_start,required[,skill]        e.g. 2024-03-04,09:00,12,phone
    weekday,interval_start,required[,skill]     e.g. Mon,09:00,12  (repeated every week)

Intervals all have the same length (15/30/60 min, inferred from the start times); missing
intervals need nobody; ``skill`` defaults to ``phone``. With ``date`` the horizon starts at the
first date; with ``weekday`` at ``--start`` (a Monday by default).

``SHIFTS.csv`` – shift templates::

    name,start,length_min[,breaks][,cost]       e.g. early,07:00,540,240+60,480

``breaks`` lists unpaid breaks as ``offset_min+duration_min`` from the shift start (``240+60`` =
one hour after four hours). Start, length and breaks must lie on interval boundaries; a shift may
cross midnight. ``cost`` (integer) defaults to the paid minutes.

``AGENTS.csv`` – one agent per row::

    id,contract_hours[,min_hours][,skills][,shifts][,days_off][,max_consecutive_days]
      [,preferred_days_off][,forbidden_days][,seniority]

``contract_hours`` / ``min_hours`` bound the paid hours of each week (``min_hours`` defaults to
``contract_hours``); ``skills`` default ``phone``; ``shifts`` lists allowed templates (default all);
``days_off`` is ``any`` (default), ``consecutive`` or fixed weekdays such as ``Fri;Sat``;
``max_consecutive_days`` defaults to 6; day lists take weekday names (``Sat;Sun``) or dates
(``2024-03-09``); ``seniority`` is an integer, higher = more senior (default 0).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import itertools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxops.workforce.series import parse_hhmm

__all__ = [
    "Agent",
    "Assignment",
    "CoverageRow",
    "Problem",
    "ScheduleResult",
    "ShiftTemplate",
    "check_schedule",
    "covering_minimum",
    "load_problem",
    "solve",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_SKILL = "phone"


def _weekday(text: str) -> int:
    key = text.strip()[:3].title()
    if key not in WEEKDAYS:
        raise ValueError(f"요일을 알 수 없습니다 (unknown weekday): {text!r}")
    return WEEKDAYS.index(key)


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    name: str
    start_min: int  # minutes after midnight
    length_min: int
    breaks: tuple[tuple[int, int], ...] = ()  # (offset_min, duration_min), unpaid
    cost: int | None = None

    @property
    def paid_min(self) -> int:
        return self.length_min - sum(d for _, d in self.breaks)

    @property
    def shift_cost(self) -> int:
        return self.paid_min if self.cost is None else self.cost

    def working_offsets(self, step: int) -> list[int]:
        """Interval offsets (in steps from the shift start) the agent is at work."""
        off: set[int] = set()
        for offset, duration in self.breaks:
            off.update(range(offset // step, (offset + duration) // step))
        return [i for i in range(self.length_min // step) if i not in off]


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    contract_hours: float
    min_hours: float | None = None
    skills: tuple[str, ...] = (DEFAULT_SKILL,)
    shifts: tuple[str, ...] = ()  # empty = all templates
    days_off: str = "any"  # any | consecutive | fixed weekdays "Sat;Sun"
    max_consecutive_days: int = 6
    preferred_days_off: tuple[str, ...] = ()
    forbidden_days: tuple[str, ...] = ()
    seniority: int = 0

    def fixed_days_off(self) -> set[int]:
        if self.days_off in ("any", "consecutive", ""):
            return set()
        return {_weekday(p) for p in self.days_off.split(";") if p.strip()}


def _day_matches(spec: Iterable[str], date: dt.date) -> bool:
    for item in spec:
        item = item.strip()
        if not item:
            continue
        if item[0].isdigit():
            if dt.date.fromisoformat(item) == date:
                return True
        elif _weekday(item) == date.weekday():
            return True
    return False


@dataclass(slots=True)
class Problem:
    start: dt.date
    days: int
    interval_min: int
    requirements: dict[str, list[int]]  # skill → required agents per interval of the horizon
    shifts: list[ShiftTemplate]
    agents: list[Agent]
    weekend: tuple[int, ...] = (5, 6)
    min_rest_h: float = 11.0
    # weekend days of comparable agents over the horizon differ by at most this (None: no such rule)
    weekend_spread: int | None = 1

    @property
    def per_day(self) -> int:
        return 1440 // self.interval_min

    @property
    def slots(self) -> int:
        return self.days * self.per_day

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)

    def validate(self) -> None:
        step = self.interval_min
        if step <= 0 or 1440 % step:
            raise ValueError("interval length must divide a day")
        if not self.shifts:
            raise ValueError("no shift templates")
        if not self.agents:
            raise ValueError("no agents")
        if self.weekend_spread is not None and self.weekend_spread < 0:
            raise ValueError("weekend_spread must be >= 0")
        names = {s.name for s in self.shifts}
        if len(names) != len(self.shifts):
            raise ValueError("shift names must be unique")
        for s in self.shifts:
            values = [s.start_min, s.length_min, *[v for b in s.breaks for v in b]]
            if any(v % step for v in values):
                raise ValueError(f"shift {s.name}: start, length and breaks must be multiples of {step} min")
            if not 0 < s.length_min <= 24 * 60 or not 0 <= s.start_min < 1440:
                raise ValueError(f"shift {s.name}: length must be in (0, 24 h] and start within the day")
            if any(o < 0 or o + d > s.length_min or d <= 0 for o, d in s.breaks):
                raise ValueError(f"shift {s.name}: breaks must lie inside the shift")
        ids = [a.id for a in self.agents]
        if len(set(ids)) != len(ids):
            raise ValueError("agent ids must be unique")
        for a in self.agents:
            unknown = set(a.shifts) - names
            if unknown:
                raise ValueError(f"agent {a.id}: unknown shifts {sorted(unknown)}")
            if a.max_consecutive_days < 1:
                raise ValueError(f"agent {a.id}: max_consecutive_days must be >= 1")
            if a.min_hours is not None and a.min_hours > a.contract_hours:
                raise ValueError(f"agent {a.id}: min_hours > contract_hours")
            a.fixed_days_off()
        for skill, values in self.requirements.items():
            if len(values) != self.slots:
                raise ValueError(f"requirements for {skill} do not cover the horizon")


@dataclass(frozen=True, slots=True)
class Assignment:
    agent: str
    day: int
    date: dt.date
    shift: str
    skill: str
    start: dt.datetime
    end: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {"agent": self.agent, "date": self.date.isoformat(), "shift": self.shift, "skill": self.skill,
                "start": self.start.isoformat(timespec="minutes"), "end": self.end.isoformat(timespec="minutes")}


@dataclass(frozen=True, slots=True)
class CoverageRow:
    date: dt.date
    interval_start: dt.time
    skill: str
    required: int
    scheduled: int
    gap: int
    over: int
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"date": self.date.isoformat(), "interval_start": f"{self.interval_start:%H:%M}",
                               "skill": self.skill, "required": self.required, "scheduled": self.scheduled,
                               "gap": self.gap, "over": self.over}
        if self.reason:
            row["reason"] = self.reason
        return row


@dataclass(slots=True)
class ScheduleResult:
    status: str
    solve_time_s: float
    objective: float | None  # cost + over-coverage + fairness at the least under-coverage
    assignments: list[Assignment]
    coverage: list[CoverageRow]
    agent_summary: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)  # phase timings and objectives

    @property
    def under_coverage(self) -> int:
        return sum(r.gap for r in self.coverage)

    @property
    def over_coverage(self) -> int:
        return sum(r.over for r in self.coverage)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "solve_time_s": round(self.solve_time_s, 3),
            "objective": self.objective,
            "under_coverage": self.under_coverage,
            "over_coverage": self.over_coverage,
            "assignments": [a.as_dict() for a in self.assignments],
            "agents": self.agent_summary,
            "gaps": [r.as_dict() for r in self.coverage if r.gap],
            "coverage": [r.as_dict() for r in self.coverage],
        }


def _shift_slots(problem: Problem, shift: ShiftTemplate, day: int, *, wrap: bool = False) -> list[int]:
    """Absolute slots of the horizon covered by ``shift`` started on ``day`` (clipped to the horizon,
    or wrapped round to its start with ``wrap``)."""
    step = problem.interval_min
    first = day * problem.per_day + shift.start_min // step
    if wrap:
        return [(first + i) % problem.slots for i in shift.working_offsets(step)]
    return [first + i for i in shift.working_offsets(step) if first + i < problem.slots]


def _allowed(problem: Problem, agent: Agent, day: int) -> bool:
    date = problem.date(day)
    if _day_matches(agent.forbidden_days, date):
        return False
    return date.weekday() not in agent.fixed_days_off()


def _agent_shifts(problem: Problem, agent: Agent) -> list[int]:
    return [i for i, s in enumerate(problem.shifts) if not agent.shifts or s.name in agent.shifts]


@dataclass(slots=True)
class _Model:
    model: Any
    x: dict[tuple[int, int, int, str], Any]
    total_under: Any
    secondary: Any
    coverable: list[tuple[str, int]]  # (skill, slot) that some agent's shift can reach
    derived: list[tuple[Any, Any]] = field(default_factory=list)  # (variable, how to compute it from x)

    def complete_hint(self, values: dict[tuple[int, int, int, str], bool]) -> None:
        """Hint every variable from a choice of ``x`` (a complete hint is taken as a solution at
        once; with only ``x`` hinted CP-SAT may spend its whole budget looking for one)."""
        self.model.clear_hints()
        for key, var in self.x.items():
            self.model.add_hint(var, values.get(key, False))
        known: dict[int, int] = {}
        for var, recipe in self.derived:
            value = recipe(values, known)
            known[var.index] = value
            self.model.add_hint(var, value)


@dataclass(frozen=True, slots=True)
class _Rotation:
    """Rotating rosters in a cyclic week: each line lists rows (one week's slot each) in roster
    order; over ``weeks`` weeks the agent starting on slot ``i`` works slots ``i, i+1, …`` of its line.
    ``groups`` lists the lines (indices) whose agents' weekend totals differ by at most ``spread``."""

    lines: tuple[tuple[int, ...], ...]
    weeks: int
    groups: tuple[tuple[int, ...], ...] = ()
    spread: int = 1

    def successors(self, rows: int) -> list[int]:
        succ = list(range(rows))
        for line in self.lines:
            for i, row in enumerate(line):
                succ[row] = line[(i + 1) % len(line)]
        return succ


def _build(
    problem: Problem, *, cyclic: bool = False, fair_groups: Sequence[tuple[Sequence[int], int]] = (),
    rotation: _Rotation | None = None,
) -> _Model:
    """The CP-SAT model of ``problem``; ``cyclic`` makes the horizon wrap around (its last day is
    followed by its first again), the model of one week repeated for ever. ``fair_groups`` lists
    groups of interchangeable agents (indices) with the most their weekend days may differ: that
    spread is a hard limit and, weighted like the overall spread, part of the objective.

    With ``rotation`` (cyclic only) the rows are the slots of rotating rosters: the last day of a
    row is followed by the first day of the next row of its line (rest, consecutive days), and
    the weekend days of every window of ``rotation.weeks`` consecutive rows of the lines of a group –
    what one agent works over the horizon – differ by at most ``rotation.spread``."""
    from ortools.sat.python import cp_model

    step = problem.interval_min
    model = cp_model.CpModel()
    skills = sorted(problem.requirements)
    x: dict[tuple[int, int, int, str], Any] = {}
    works: dict[tuple[int, int], list[Any]] = {}
    work_keys: dict[tuple[int, int], list[tuple[int, int, int, str]]] = {}
    derived: list[tuple[Any, Any]] = []
    days = problem.days

    succ = rotation.successors(len(problem.agents)) if rotation else list(range(len(problem.agents)))

    def worked_value(values: dict[tuple[int, int, int, str], bool], a: int, d: int) -> int:
        return int(any(values.get(key, False) for key in work_keys[a, d]))

    for a, agent in enumerate(problem.agents):
        allowed_shifts = _agent_shifts(problem, agent)
        agent_skills = [k for k in agent.skills if k in problem.requirements]
        for d in range(problem.days):
            day_vars = []
            if _allowed(problem, agent, d):
                for s in allowed_shifts:
                    for k in agent_skills:
                        var = model.new_bool_var(f"x_{a}_{d}_{s}_{k}")
                        x[a, d, s, k] = var
                        day_vars.append(var)
                        work_keys.setdefault((a, d), []).append((a, d, s, k))
            works[a, d] = day_vars
            work_keys.setdefault((a, d), [])
            if len(day_vars) > 1:
                model.add_at_most_one(day_vars)

    by_ads: dict[tuple[int, int, int], list[Any]] = {}
    by_dsk: dict[tuple[int, int, str], list[Any]] = {}
    by_dsk_keys: dict[tuple[int, int, str], list[tuple[int, int, int, str]]] = {}
    for (a, d, s, k), var in x.items():
        by_ads.setdefault((a, d, s), []).append(var)
        by_dsk.setdefault((d, s, k), []).append(var)
        by_dsk_keys.setdefault((d, s, k), []).append((a, d, s, k))

    def worked(a: int, d: int) -> Any:
        return sum(works[a, d]) if works[a, d] else 0

    # weekly paid hours, rest, consecutive days, days-off blocks
    min_rest = round(problem.min_rest_h * 60)
    for a, agent in enumerate(problem.agents):
        for w0 in range(0, problem.days, 7):
            week = range(w0, min(w0 + 7, problem.days))
            scale = len(week) / 7
            paid = sum(
                problem.shifts[s].paid_min * v
                for d in week for s in range(len(problem.shifts)) for v in by_ads.get((a, d, s), [])
            )
            upper = math.floor(agent.contract_hours * 60 * scale)
            lower = math.ceil((agent.min_hours if agent.min_hours is not None else agent.contract_hours) * 60 * scale)
            if len(week) == 7:
                model.add(paid <= upper)
                model.add(paid >= lower)
            else:  # a trailing partial week: only the upper bound pro rata
                model.add(paid <= upper)
        shift_ids = _agent_shifts(problem, agent)
        for d in range(problem.days):
            for gap_days in (1, 2):
                b, e = a, d + gap_days
                if e >= days:
                    if not cyclic:
                        continue
                    b, e = succ[a], e - days
                for s in shift_ids:
                    end = problem.shifts[s].start_min + problem.shifts[s].length_min
                    for t in _agent_shifts(problem, problem.agents[b]):
                        next_start = gap_days * 1440 + problem.shifts[t].start_min
                        if next_start - end >= min_rest:
                            continue
                        first = by_ads.get((a, d, s), [])
                        second = by_ads.get((b, e, t), [])
                        if first and second:
                            model.add(sum(first) + sum(second) <= 1)
        span = agent.max_consecutive_days + 1
        if cyclic:
            line = [a]  # the rows this row's days run into, for ever
            while succ[line[-1]] != a:
                line.append(succ[line[-1]])
            if span > days * len(line):  # the cycle repeats for ever: it needs a day off somewhere
                if a == min(line):
                    model.add(sum(worked(b, e) for b in line for e in range(days)) <= days * len(line) - 1)
            else:
                for d in range(days):
                    window = [(line[(i // days) % len(line)], i % days) for i in range(d, d + span)]
                    model.add(sum(worked(b, e) for b, e in window) <= agent.max_consecutive_days)
        else:
            for d in range(days - span + 1):
                model.add(sum(worked(a, e) for e in range(d, d + span)) <= agent.max_consecutive_days)
        if agent.days_off == "consecutive":
            for w0 in range(0, problem.days - 6, 7):
                starts = []
                for i in range(7):
                    d, prev = w0 + i, w0 + (i - 1) % 7
                    start_var = model.new_bool_var(f"offstart_{a}_{d}")
                    # start ≥ off(d) − off(prev) with off = 1 − worked
                    model.add(start_var >= worked(a, prev) - worked(a, d))
                    starts.append(start_var)
                    derived.append((start_var, lambda v, _k, a=a, p=prev, d=d: max(
                        0, worked_value(v, a, p) - worked_value(v, a, d))))
                model.add(sum(starts) <= 1)

    # coverage: y[d, s, k] = number of agents on shift s, day d, skill k
    cover_terms: dict[tuple[str, int], list[Any]] = {(k, t): [] for k in skills for t in range(problem.slots)}
    for d in range(problem.days):
        for s, shift in enumerate(problem.shifts):
            slots = _shift_slots(problem, shift, d, wrap=cyclic)
            for k in skills:
                members = by_dsk.get((d, s, k), [])
                if not members or not slots:
                    continue
                y = model.new_int_var(0, len(members), f"y_{d}_{s}_{k}")
                model.add(y == sum(members))
                keys = [key for key in by_dsk_keys[d, s, k]]
                derived.append((y, lambda v, _k, keys=keys: sum(v.get(key, False) for key in keys)))
                for t in slots:
                    cover_terms[k, t].append(y)
    under: dict[tuple[str, int], Any] = {}
    over: dict[tuple[str, int], Any] = {}
    n_agents = len(problem.agents)
    for (k, t), terms in cover_terms.items():
        req = problem.requirements[k][t]
        if not terms:
            continue  # nobody can ever be here: the gap is fixed and reported
        u = model.new_int_var(0, req, f"u_{k}_{t}")
        o = model.new_int_var(0, n_agents, f"o_{k}_{t}")
        model.add(sum(terms) + u - o == req)
        under[k, t] = u
        over[k, t] = o
        ids = [term.index for term in terms]
        derived.append((u, lambda _v, known, ids=ids, req=req: max(0, req - sum(known[i] for i in ids))))
        derived.append((o, lambda _v, known, ids=ids, req=req: max(0, sum(known[i] for i in ids) - req)))

    # fairness, seniority and preferences
    weekend_counts = []
    by_agent: dict[int, Any] = {}
    all_weekend: dict[int, Any] = {}
    senior_terms = []
    pref_terms = []
    for a, agent in enumerate(problem.agents):
        weekend_days = [d for d in range(problem.days) if problem.date(d).weekday() in problem.weekend]
        count = sum(worked(a, d) for d in weekend_days)
        var = model.new_int_var(0, len(weekend_days), f"we_{a}")
        model.add(var == count)
        all_weekend[a] = var
        derived.append((var, lambda v, _k, a=a, days_=tuple(weekend_days): sum(worked_value(v, a, d) for d in days_)))
        if any(works[a, d] for d in weekend_days):  # fairness among agents who can work weekends
            weekend_counts.append(var)
            by_agent[a] = var
        senior_terms.append(max(agent.seniority, 0) * var)
        for d in range(problem.days):
            if agent.preferred_days_off and _day_matches(agent.preferred_days_off, problem.date(d)):
                pref_terms.append(worked(a, d))
    if rotation is not None:  # what each agent of a rotating roster works over the horizon: within ±1
        for g, group_lines in enumerate(rotation.groups):
            slot_lines = [rotation.lines[i] for i in group_lines]
            if sum(len(roster) for roster in slot_lines) < 2:
                continue
            w_top = model.new_int_var(0, problem.days * rotation.weeks, f"window_max_{g}")
            w_low = model.new_int_var(0, problem.days * rotation.weeks, f"window_min_{g}")
            for roster in slot_lines:
                for i in range(len(roster)):
                    window = sum(all_weekend[roster[(i + j) % len(roster)]] for j in range(rotation.weeks))
                    model.add(w_top >= window)
                    model.add(w_low <= window)
            model.add(w_top - w_low <= rotation.spread)
    spread: Any = 0
    if weekend_counts:
        top = model.new_int_var(0, problem.days, "weekend_max")
        low = model.new_int_var(0, problem.days, "weekend_min")
        model.add_max_equality(top, weekend_counts)
        model.add_min_equality(low, weekend_counts)
        ids = [var.index for var in weekend_counts]
        derived.append((top, lambda _v, known, ids=ids: max(known[i] for i in ids)))
        derived.append((low, lambda _v, known, ids=ids: min(known[i] for i in ids)))
        spread = top - low
    for g, (group_members, limit) in enumerate(fair_groups):
        group = [by_agent[a] for a in group_members if a in by_agent]
        if len(group) < 2:
            continue
        g_top = model.new_int_var(0, problem.days, f"group_weekend_max_{g}")
        g_low = model.new_int_var(0, problem.days, f"group_weekend_min_{g}")
        model.add_max_equality(g_top, group)
        model.add_min_equality(g_low, group)
        model.add(g_top - g_low <= limit)
        ids = [var.index for var in group]
        derived.append((g_top, lambda _v, known, ids=ids: max(known[i] for i in ids)))
        derived.append((g_low, lambda _v, known, ids=ids: min(known[i] for i in ids)))
        spread = spread + g_top - g_low

    cost_terms = [problem.shifts[s].shift_cost * v for (_a, _d, s, _k), v in x.items()]
    secondary = (
        sum(cost_terms)
        + step * sum(over.values())
        + 60 * spread
        + 30 * sum(pref_terms)
        + sum(senior_terms)
    )
    return _Model(model, x, sum(under.values()), secondary, list(under), derived)


def _is_weekly(problem: Problem) -> bool:
    """True when week 1 repeated gives the whole problem: whole weeks, the same requirements every
    week, and day rules by weekday only (no dates)."""
    if problem.days % 7 or problem.days < 14:
        return False
    per_week = 7 * problem.per_day
    for values in problem.requirements.values():
        if any(values[t] != values[t % per_week] for t in range(per_week, len(values))):
            return False
    for agent in problem.agents:
        for item in (*agent.forbidden_days, *agent.preferred_days_off):
            if item.strip()[:1].isdigit():
                return False
    return True


def _weekly_hint(
    problem: Problem, time_limit_s: float, workers: int, seed: int, progress: list[tuple[float, int]],
    *, rotation: _Rotation | None = None, rows: Sequence[Agent] | None = None,
) -> dict[tuple[int, int, int, str], bool]:
    """A schedule for the whole horizon from the cyclic week with the least under-coverage (a model
    a quarter of the size for 4 weeks), repeated: it keeps every hard rule across week boundaries.
    With ``rotation`` the week's rows are the slots of rotating rosters (``rows``: the rule set of
    each slot, by default the agents' own).

    ``progress`` receives (seconds, under-coverage of the whole horizon) for each improving week.
    """
    from ortools.sat.python import cp_model

    per_week = 7 * problem.per_day
    week = Problem(start=problem.start, days=7, interval_min=problem.interval_min,
                   requirements={k: v[:per_week] for k, v in problem.requirements.items()},
                   shifts=problem.shifts, agents=list(rows or problem.agents), weekend=problem.weekend,
                   min_rest_h=problem.min_rest_h)
    built = _build(week, cyclic=True, rotation=rotation)
    built.model.minimize(built.total_under)
    weeks = problem.days // 7
    started = time.perf_counter()

    class Progress(cp_model.CpSolverSolutionCallback):  # type: ignore[misc]
        def on_solution_callback(self) -> None:
            progress.append((round(time.perf_counter() - started, 2), weeks * round(self.objective_value)))

    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.2, time_limit_s)
    status = solver.solve(built.model, Progress())
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    return {key: solver.boolean_value(var) for key, var in built.x.items()}


def _repeat_week(problem: Problem, chosen: dict[tuple[int, int, int, str], bool],
                 plan: dict[int, list[int]] | None = None) -> dict[tuple[int, int, int, str], bool]:
    """The whole horizon from the cyclic week ``chosen``: agent ``a`` works in week ``w`` the week of
    agent ``plan[a][w]`` (itself without a plan)."""
    weeks = problem.days // 7
    owner = {a: (plan or {}).get(a, [a] * weeks) for a in range(len(problem.agents))}
    values: dict[tuple[int, int, int, str], bool] = {}
    for a in range(len(problem.agents)):
        for w, source in enumerate(owner[a]):
            for (b, d, s, k), on in chosen.items():
                if b == source and on:
                    values[a, w * 7 + d, s, k] = True
    return values


def _contract_key(agent: Agent) -> tuple[Any, ...]:
    """Agents with the same key are comparable: the same week may be worked by either of them unless
    a forbidden day stands in the way (seniority and preferred days off only weigh)."""
    return (agent.contract_hours, agent.min_hours, tuple(sorted(agent.skills)), tuple(sorted(agent.shifts)),
            agent.days_off, agent.max_consecutive_days)


def _forbidden_weekdays(agents: Iterable[Agent]) -> set[int]:
    return {_weekday(item) for agent in agents for item in agent.forbidden_days if item.strip()}


def _workable(problem: Problem, agent: Agent, forbidden: set[int]) -> bool:
    """Can ``agent``'s weekly hours still be worked with ``forbidden`` weekdays (and its fixed days
    off; a single block of days off for ``consecutive``)? A quick necessary check."""
    off = forbidden | agent.fixed_days_off()
    if agent.days_off == "consecutive" and off:  # the smallest cyclic block of days holding all of them
        off_days = min((length for first in range(7) for length in range(1, 8)
                        if all((day - first) % 7 < length for day in off)), default=7)
    else:
        off_days = len(off)
    paid = [problem.shifts[s].paid_min for s in _agent_shifts(problem, agent)]
    low = agent.min_hours if agent.min_hours is not None else agent.contract_hours
    return bool(paid) and (7 - off_days) * max(paid) >= low * 60


def _rotation_lines(problem: Problem) -> tuple[list[list[int]], list[list[int]], list[Agent]]:
    """Rotating rosters. Comparable agents (same contract, skills, shifts and days-off rule) form a
    fairness group – those with other forbidden days only where the slots can still give them their
    hours (else a group of their own) – and a group is cut into lines of ``weeks`` to ``2·weeks − 1``
    slots: on a line of exactly ``weeks`` slots every agent works every slot once, so what the line's
    agents work is the same whatever the order of its slots, and the lines of a group only need sums
    within one of each other. Returns the lines (agent indices in roster order), the groups (line
    indices) and the rule set of each slot: the agent's own, with the forbidden days of every agent
    who will work the slot during the horizon (the roster starts agent ``line[i]`` on slot ``i``)."""
    weeks = problem.days // 7
    by_key: dict[tuple[Any, ...], list[int]] = {}
    for a, agent in enumerate(problem.agents):
        by_key.setdefault(_contract_key(agent), []).append(a)
    members_of_groups: list[list[int]] = []
    for members in by_key.values():
        kinds: dict[frozenset[int], list[int]] = {}
        for a in members:
            kinds.setdefault(frozenset(_forbidden_weekdays([problem.agents[a]])), []).append(a)
        ordered = sorted(kinds.values(), key=len, reverse=True)  # the common rule set first
        group = list(ordered[0])
        forbidden = set(_forbidden_weekdays(problem.agents[a] for a in group))
        for kind in ordered[1:]:
            union = forbidden | _forbidden_weekdays([problem.agents[kind[0]]])
            if _workable(problem, problem.agents[kind[0]], union):
                group.extend(kind)  # same forbidden days side by side: they touch fewer slots
                forbidden = union
            else:
                members_of_groups.append(kind)
        members_of_groups.append(group)
    lines: list[list[int]] = []
    groups: list[list[int]] = []
    for group in members_of_groups:
        count = max(1, len(group) // weeks)
        sizes = [len(group) // count + (i < len(group) % count) for i in range(count)]
        groups.append([])
        for size in sizes:
            groups[-1].append(len(lines))
            lines.append(group[:size])
            group = group[size:]
    rows = list(problem.agents)
    for line in lines:
        size = len(line)
        for p, a in enumerate(line):
            visitors = [problem.agents[line[(p - j) % size]] for j in range(min(weeks, size))]
            days = tuple(WEEKDAYS[d] for d in sorted(_forbidden_weekdays(visitors)))
            rows[a] = dataclasses.replace(problem.agents[a], forbidden_days=days)
    return lines, groups, rows


def _roster_starts(
    problem: Problem, chosen: dict[tuple[int, int, int, str], bool], lines: list[list[int]], workers: int, seed: int,
) -> dict[int, list[int]] | None:
    """Who starts on which slot of the group's ``lines`` (the agents of the lines, any of them on any
    start whose days they may all work): every start gives weekend days within one of the others;
    seniors take the smaller totals and everybody the fewest preferred days off worked. Returns
    agent → the slot row of each week (None when there is no such assignment)."""
    from ortools.sat.python import cp_model

    weeks = problem.days // 7
    worked: dict[int, list[int]] = {row: [] for line in lines for row in line}
    for (row, d, _s, _k), on in chosen.items():
        if on and row in worked:
            worked[row].append(d)
    starts = [[line[(i + w) % len(line)] for w in range(weeks)] for line in lines for i in range(len(line))]
    members = [a for line in lines for a in line]
    cost: dict[tuple[int, int], int] = {}
    for a in members:
        agent = problem.agents[a]
        for i, rows in enumerate(starts):
            days = [w * 7 + d for w, row in enumerate(rows) for d in worked[row]]
            if not all(_allowed(problem, agent, day) for day in days):
                continue
            weekend = sum(1 for day in days if problem.date(day).weekday() in problem.weekend)
            preferred = sum(1 for day in days if _day_matches(agent.preferred_days_off, problem.date(day)))
            cost[a, i] = max(agent.seniority, 0) * weekend + 30 * preferred
    model = cp_model.CpModel()
    pick = {key: model.new_bool_var(f"start_{key[0]}_{key[1]}") for key in cost}
    for a in members:
        model.add_exactly_one(v for (b, _i), v in pick.items() if b == a)
    for i in range(len(starts)):
        model.add_exactly_one(v for (_b, j), v in pick.items() if j == i)
    for a in members:  # the roster as built is one answer
        for i in range(len(starts)):
            if (a, i) in pick:
                model.add_hint(pick[a, i], members[i] == a)
    model.minimize(sum(c * pick[key] for key, c in cost.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = 2.0
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {a: starts[i] for (a, i), v in pick.items() if solver.boolean_value(v)}


def _rotating_weeks(
    problem: Problem, time_limit_s: float, workers: int, seed: int, progress: list[tuple[float, int]],
) -> tuple[dict[tuple[int, int, int, str], bool], dict[int, list[int]], list[tuple[list[int], int]], dict[str, Any]]:
    """Phase 1 as rotating rosters: the cyclic week where each line of comparable agents is a
    rotation of its slots (agent ``i`` works slot ``i + w`` in week ``w``), so every week uses every
    slot once – coverage is the same each week – the rest and consecutive-day rules hold from each
    slot into the next, and the weekend days each agent works over the horizon are within one of
    the others of its group (a hard rule of the model). Returns the week, the plan (agent → slot row
    per week), the groups with their weekend spread, and stats."""
    weeks = problem.days // 7
    lines, groups, rows = _rotation_lines(problem)
    stats: dict[str, Any] = {"mode": "rotating roster", "lines": [[len(lines[i]) for i in g] for g in groups]}
    fair_groups = () if problem.weekend_spread is None else tuple(tuple(g) for g in groups)
    rotation = _Rotation(tuple(tuple(line) for line in lines), weeks, fair_groups, problem.weekend_spread or 0)
    chosen = _weekly_hint(problem, time_limit_s, workers, seed, progress, rotation=rotation, rows=rows)
    if not chosen:
        stats["fallback"] = "no rotating roster found in time"
        return {}, {}, [], stats
    plan: dict[int, list[int]] = {}
    fair: list[tuple[list[int], int]] = []
    weekend = {a: 0 for a in range(len(problem.agents))}
    for (row, d, _s, _k), on in chosen.items():
        if on and problem.date(d).weekday() in problem.weekend:
            weekend[row] += 1
    for group in groups:
        starts = _roster_starts(problem, chosen, [lines[i] for i in group], workers, seed)
        if starts is None:
            stats["fallback"] = "no start slots that keep every agent's forbidden days"
            return {}, {}, [], stats
        plan.update(starts)
    for group in groups:
        members = [a for i in group for a in lines[i]]
        if len(members) > 1:
            totals = [sum(weekend[row] for row in plan[a]) for a in members]
            fair.append((members, max(totals) - min(totals)))
    stats["groups"] = len(fair)
    stats["spread_after"] = max((spread for _, spread in fair), default=0)
    return chosen, plan, fair, stats


def _group_key(agent: Agent) -> tuple[Any, ...]:
    """Agents with the same key are interchangeable for every hard rule (seniority only weighs)."""
    return (agent.contract_hours, agent.min_hours, tuple(sorted(agent.skills)), tuple(sorted(agent.shifts)),
            agent.days_off, agent.max_consecutive_days, tuple(sorted(agent.preferred_days_off)),
            tuple(sorted(agent.forbidden_days)))


def _follows(problem: Problem, agent: Agent, first: list[int | None], second: list[int | None]) -> bool:
    """May ``agent`` work the week ``second`` right after the week ``first`` (rest and consecutive
    days across the boundary; both weeks already keep every rule inside the week)?"""
    if None not in first or None not in second:
        return False  # a week without a day off: runs could span several weeks, keep it unrotated
    trailing = next(i for i in range(7) if first[6 - i] is None)
    leading = next(i for i in range(7) if second[i] is None)
    if trailing + leading > agent.max_consecutive_days:
        return False
    min_rest = round(problem.min_rest_h * 60)
    for d, one in enumerate(first):
        if one is None:
            continue
        end = d * 1440 + problem.shifts[one].start_min + problem.shifts[one].length_min
        for e, two in enumerate(second):
            if two is not None and (7 + e) * 1440 + problem.shifts[two].start_min - end < min_rest:
                return False
    return True


def _greedy_weeks(
    problem: Problem, members: list[int], weekend: list[int], forbidden: set[tuple[int, int]], weeks: int,
    time_limit_s: float, workers: int, seed: int,
) -> dict[int, list[int]]:
    """Week by week, the allowed permutation of the group's cyclic weeks that keeps the running
    weekend totals closest together (least sum of squares; seniors take the lighter weeks)."""
    from ortools.sat.python import cp_model

    plan = {i: [i] for i in members}
    total = {i: weekend[i] for i in members}
    for _w in range(1, weeks):
        model = cp_model.CpModel()
        pick = {}
        for i in members:
            for q in members:
                if q == plan[i][-1] or (plan[i][-1], q) not in forbidden:
                    pick[i, q] = model.new_bool_var(f"pick_{i}_{q}")
                    model.add_hint(pick[i, q], q == plan[i][-1])
        for i in members:
            model.add_exactly_one(v for (j, _q), v in pick.items() if j == i)
        for q in members:
            model.add_exactly_one(v for (_i, p), v in pick.items() if p == q)
        model.minimize(sum((100 * (total[i] + weekend[q]) ** 2 + max(problem.agents[i].seniority, 0) * weekend[q]) * v
                           for (i, q), v in pick.items()))
        solver = cp_model.CpSolver()
        solver.parameters.num_search_workers = workers
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = time_limit_s
        status = solver.solve(model)
        for i in members:
            q = plan[i][-1]
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                q = next(p for (j, p), v in pick.items() if j == i and solver.boolean_value(v))
            plan[i].append(q)
            total[i] += weekend[q]
    return plan


def _rotate_weeks(
    problem: Problem, chosen: dict[tuple[int, int, int, str], bool], time_limit_s: float, workers: int, seed: int,
) -> tuple[dict[int, list[int]], list[tuple[list[int], int]], dict[str, Any]]:
    """Share the weeks of the cyclic schedule among interchangeable agents so that weekend work is
    fair: within each group every week uses each agent's cyclic week exactly once (the coverage of
    every interval is unchanged), and an agent only moves from one week to another where rest and
    consecutive days hold across the boundary. Minimises, per group, the spread between the most
    and the least weekend days (then seniority: seniors get the smaller totals).

    Returns the plan (agent → source agent per week), the groups with the weekend spread the plan
    reaches (phase 2 may only narrow it) and stats.
    """
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    weeks = problem.days // 7
    weekdays = [d for d in range(7) if problem.date(d).weekday() in problem.weekend]
    pattern: list[list[int | None]] = [[None] * 7 for _ in problem.agents]
    for (a, d, s, _k), on in chosen.items():
        if on:
            pattern[a][d] = s
    weekend = [sum(1 for d in weekdays if pattern[a][d] is not None) for a in range(len(problem.agents))]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for a, agent in enumerate(problem.agents):
        groups.setdefault(_group_key(agent), []).append(a)
    rotated = [members for members in groups.values() if len(members) > 1 and len({weekend[a] for a in members}) > 1]
    stats: dict[str, Any] = {"groups": len(rotated)}
    if not rotated or weeks < 2:
        return {}, [], stats
    forbidden = {}
    greedy: dict[int, list[int]] = {}
    per_week = max(0.05, 0.4 * time_limit_s / (len(rotated) * (weeks - 1)))
    for g, members in enumerate(rotated):
        agent = problem.agents[members[0]]
        forbidden[g] = [(p, q) for p in members for q in members
                        if p != q and not _follows(problem, agent, pattern[p], pattern[q])]
        greedy.update(_greedy_weeks(problem, members, weekend, set(forbidden[g]), weeks, per_week, workers, seed))
    model = cp_model.CpModel()
    z: dict[tuple[int, int, int], Any] = {}
    totals: dict[int, Any] = {}
    spreads = []
    senior = []
    for g, members in enumerate(rotated):
        for w in range(weeks):
            for i in members:
                for p in members:
                    z[i, w, p] = model.new_bool_var(f"z_{i}_{w}_{p}")
                    model.add_hint(z[i, w, p], greedy[i][w] == p)
                    if w == 0:  # agents are interchangeable: week 1 stays as solved
                        model.add(z[i, w, p] == int(i == p))
                model.add_exactly_one(z[i, w, p] for p in members)
            for p in members:
                model.add_exactly_one(z[i, w, p] for i in members)
            if w:
                for i in members:
                    for p, q in forbidden[g]:
                        model.add_bool_or([z[i, w - 1, p].Not(), z[i, w, q].Not()])
        top = model.new_int_var(0, 7 * weeks, f"top_{g}")
        low = model.new_int_var(0, 7 * weeks, f"low_{g}")
        for i in members:
            totals[i] = sum(weekend[p] * z[i, w, p] for w in range(weeks) for p in members)
            model.add(top >= totals[i])
            model.add(low <= totals[i])
            senior.append(max(problem.agents[i].seniority, 0) * totals[i])
        spreads.append(top - low)
    model.minimize(1000 * sum(spreads) + sum(senior))
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.2, time_limit_s - (time.perf_counter() - started))
    status = solver.solve(model)
    before = [max(weekend[a] for a in m) * weeks - min(weekend[a] for a in m) * weeks for m in rotated]
    stats["spread_before"] = max(before)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        stats["spread_after"] = stats["spread_before"]
        return {}, [], stats
    plan = {i: [next(p for p in members if solver.boolean_value(z[i, w, p])) for w in range(weeks)]
            for members in rotated for i in members}
    fair = []
    for members in rotated:
        got = [sum(weekend[p] for p in plan[i]) for i in members]
        fair.append((members, max(got) - min(got)))
    stats["spread_after"] = max(spread for _, spread in fair)
    stats["status"] = solver.status_name(status)
    return plan, fair, stats


def solve(problem: Problem, *, time_limit_s: float = 20.0, workers: int = 2, seed: int = 0) -> ScheduleResult:
    """Build and solve the CP-SAT model; raises ``ValueError`` if the hard rules cannot all hold.

    Lexicographic in two phases: (1) the least under-coverage; (2) with that fixed, and the phase-1
    schedule as a complete hint, cost + over-coverage + fairness. One weighted objective with a
    big-M weight is equivalent but CP-SAT then finds good coverage far more slowly. When the problem
    repeats week by week, phase 1 is the best cyclic week of rotating rosters with fair weekends
    (``_rotating_weeks``, 85 % of the time budget: on a big instance phase 2 improves little); the rotated plan is
    re-checked against every rule and its coverage against the week's, and if that fails or no
    roster is found the earlier phase 1 runs (one cyclic week per agent repeated, the weeks shared
    out by ``_rotate_weeks``). Otherwise phase 1 is the full model (60 % of the budget).
    ``stats`` records the phase timings, the cyclic week's improving solutions (seconds,
    under-coverage), the weekend rotation (mode, line sizes per group, groups, spread after, any
    fallback) and the phase-1 under-coverage.
    """
    from ortools.sat.python import cp_model

    problem.validate()
    started = time.perf_counter()
    deadline = started + time_limit_s
    stats: dict[str, Any] = {}
    hint: dict[tuple[int, int, int, str], bool] = {}
    fair: list[tuple[list[int], int]] = []
    if _is_weekly(problem):
        progress: list[tuple[float, int]] = []
        week, plan, fair, stats["weekend_rotation"] = _rotating_weeks(
            problem, 0.85 * time_limit_s, workers, seed, progress)
        if week:
            rotated = _repeat_week(problem, week, plan)
            if check_schedule(problem, _assignments(problem, rotated)) or _coverage_counts(
                    problem, _assignments(problem, rotated)) != _coverage_counts(
                    problem, _assignments(problem, _repeat_week(problem, week))):
                stats["weekend_rotation"]["fallback"] = "rule or coverage change: plain cyclic week instead"
                week, fair = {}, []
            else:
                hint = rotated
        if not week:  # the plain cyclic week, its repeated weeks shared out (the earlier phase 1)
            progress.clear()
            budget = max(0.1 * time_limit_s, 0.85 * time_limit_s - (time.perf_counter() - started))
            week = _weekly_hint(problem, budget, workers, seed, progress)
            stats["weekend_rotation"]["mode"] = "shared-out weeks"
        stats["weekly_hint_s"] = round(time.perf_counter() - started, 3)
        stats["weekly_progress_s_under"] = progress  # under-coverage of the schedulable intervals
        if week and not hint:
            hint = _repeat_week(problem, week)
            plan, fair, shared = _rotate_weeks(problem, week, min(5.0, 0.2 * time_limit_s), workers, seed)
            stats["weekend_rotation"].update(shared)
            if plan:
                rotated = _repeat_week(problem, week, plan)
                if check_schedule(problem, _assignments(problem, rotated)) or _coverage_counts(
                        problem, _assignments(problem, rotated)) != _coverage_counts(problem, _assignments(problem, hint)):
                    stats["weekend_rotation"]["fallback"] = "rule or coverage change: unrotated weeks kept"
                    fair = []
                else:
                    hint = rotated
    built = _build(problem, fair_groups=fair)
    model, x, total_under, secondary = built.model, built.x, built.total_under, built.secondary
    hint = {key: value for key, value in hint.items() if key in x}
    hint_under: int | None = None
    if hint:
        counts = _coverage_counts(problem, _assignments(problem, hint))
        hint_under = sum(max(problem.requirements[k][t] - counts.get((k, t), 0), 0) for k, t in built.coverable)
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = seed
    if hint_under is not None:
        # phase 1 done on the cyclic week: the full model goes straight to phase 2 from it
        status, best_under, values = cp_model.FEASIBLE, hint_under, {key: hint.get(key, False) for key in x}
        found = False
    else:
        model.minimize(total_under)
        solver.parameters.max_time_in_seconds = max(0.5, 0.6 * (deadline - time.perf_counter()))
        status = solver.solve(model)
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if not found:
            raise ValueError(
                "근무표를 만들 수 없습니다: 계약 시간, 휴식 11시간, 연속 근무일, 휴무 규칙을 함께 지킬 수 없습니다 "
                f"(no schedule satisfies the hard rules; solver status {solver.status_name(status)})"
            )
        best_under = round(solver.objective_value)
        values = {key: solver.boolean_value(var) for key, var in x.items()}
    optimal = status == cp_model.OPTIMAL
    stats["phase1_s"] = round(time.perf_counter() - started, 3)
    stats["phase1_under_coverage"] = best_under
    stats["phase1_source"] = "cyclic week" if hint_under is not None else "full model"
    if found:
        stats["phase1_bound"] = round(solver.best_objective_bound)
    objective: float | None = None
    built.complete_hint(values)
    model.add(total_under <= best_under)
    model.minimize(secondary)
    remaining = deadline - time.perf_counter()
    if remaining > 0.2:
        solver.parameters.max_time_in_seconds = remaining
        phase2 = solver.solve(model)
        if phase2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = {key: solver.boolean_value(var) for key, var in x.items()}
            objective = solver.objective_value
            optimal = optimal and phase2 == cp_model.OPTIMAL
        else:
            optimal = False
    else:
        optimal = False
    assignments = _assignments(problem, values)
    coverage = _coverage_report(problem, assignments)
    return ScheduleResult(
        status="OPTIMAL" if optimal else "FEASIBLE",
        solve_time_s=time.perf_counter() - started,
        objective=objective,
        assignments=assignments,
        coverage=coverage,
        agent_summary=_agent_summary(problem, assignments),
        stats=stats,
    )


def _assignments(problem: Problem, values: dict[tuple[int, int, int, str], bool]) -> list[Assignment]:
    assignments = []
    for (a, d, s, k), chosen in values.items():
        if chosen:
            shift = problem.shifts[s]
            begin = dt.datetime.combine(problem.date(d), dt.time()) + dt.timedelta(minutes=shift.start_min)
            assignments.append(Assignment(problem.agents[a].id, d, problem.date(d), shift.name, k, begin,
                                          begin + dt.timedelta(minutes=shift.length_min)))
    assignments.sort(key=lambda r: (r.agent, r.day))
    return assignments


def _coverage_counts(problem: Problem, assignments: Sequence[Assignment]) -> dict[tuple[str, int], int]:
    by_name = {s.name: s for s in problem.shifts}
    counts: dict[tuple[str, int], int] = {}
    for r in assignments:
        for t in _shift_slots(problem, by_name[r.shift], r.day):
            counts[r.skill, t] = counts.get((r.skill, t), 0) + 1
    return counts


def _coverage_report(problem: Problem, assignments: Sequence[Assignment], *, reasons: bool = True) -> list[CoverageRow]:
    counts = _coverage_counts(problem, assignments)
    rows = []
    for k in sorted(problem.requirements):
        for t in range(problem.slots):
            req = problem.requirements[k][t]
            got = counts.get((k, t), 0)
            gap = max(req - got, 0)
            day, slot = divmod(t, problem.per_day)
            minute = slot * problem.interval_min
            reason = _gap_reason(problem, k, t, req) if gap and reasons else ""
            rows.append(CoverageRow(problem.date(day), dt.time(minute // 60, minute % 60), k, req, got, gap,
                                    max(got - req, 0), reason))
    return rows


def _gap_reason(problem: Problem, skill: str, slot: int, required: int) -> str:
    templates = [
        (d, s) for d in range(problem.days) for s, shift in enumerate(problem.shifts)
        if slot in _shift_slots(problem, shift, d)
    ]
    if not templates:
        return "no shift template works this interval (add or widen a template)"
    qualified = [a for a in problem.agents if skill in a.skills]
    if not qualified:
        return f"no agent has the skill {skill!r}"
    possible = [
        a for a in qualified
        if any(_allowed(problem, a, d) and (not a.shifts or problem.shifts[s].name in a.shifts) for d, s in templates)
    ]
    if len(possible) < required:
        return (f"only {len(possible)} agent(s) with skill {skill!r} can work this interval at all "
                "(forbidden days, fixed days off, allowed shifts)")
    return (f"{len(possible)} agents could work it, but their contracted hours, 11 h rest, maximum consecutive "
            "days and days-off rules leave no capacity after covering other intervals")


def _agent_summary(problem: Problem, assignments: Sequence[Assignment]) -> list[dict[str, Any]]:
    by_name = {s.name: s for s in problem.shifts}
    summary = []
    for agent in problem.agents:
        mine = [r for r in assignments if r.agent == agent.id]
        weeks = [0.0] * math.ceil(problem.days / 7)
        for r in mine:
            weeks[r.day // 7] += by_name[r.shift].paid_min / 60
        summary.append({
            "agent": agent.id,
            "days_worked": len(mine),
            "hours_per_week": weeks,
            "weekend_days": sum(1 for r in mine if r.date.weekday() in problem.weekend),
            "days": [WEEKDAYS[r.date.weekday()] + " " + r.shift for r in mine],
        })
    return summary


def check_schedule(problem: Problem, assignments: Sequence[Assignment]) -> list[str]:
    """Independent check of the hard rules; returns the violations found (empty = valid)."""
    problems: list[str] = []
    by_name = {s.name: s for s in problem.shifts}
    agents = {a.id: a for a in problem.agents}
    for agent in problem.agents:
        mine = sorted((r for r in assignments if r.agent == agent.id), key=lambda r: r.start)
        days = [r.day for r in mine]
        if len(days) != len(set(days)):
            problems.append(f"{agent.id}: two shifts on one day")
        for r in mine:
            if r.skill not in agent.skills:
                problems.append(f"{agent.id}: skill {r.skill} on {r.date}")
            if agent.shifts and r.shift not in agent.shifts:
                problems.append(f"{agent.id}: shift {r.shift} not allowed")
            if not _allowed(problem, agent, r.day):
                problems.append(f"{agent.id}: works on a forbidden day or fixed day off {r.date}")
        for prev, nxt in itertools.pairwise(mine):
            rest = (nxt.start - prev.end).total_seconds() / 3600
            if rest < problem.min_rest_h:
                problems.append(f"{agent.id}: only {rest:.1f} h rest before {nxt.date}")
        run = 0
        worked = set(days)
        for d in range(problem.days):
            run = run + 1 if d in worked else 0
            if run > agent.max_consecutive_days:
                problems.append(f"{agent.id}: {run} consecutive days at {problem.date(d)}")
        for w0 in range(0, problem.days - 6, 7):
            hours = sum(by_name[r.shift].paid_min for r in mine if w0 <= r.day < w0 + 7) / 60
            low = agent.min_hours if agent.min_hours is not None else agent.contract_hours
            if not low - 1e-9 <= hours <= agent.contract_hours + 1e-9:
                problems.append(f"{agent.id}: {hours} h in week starting {problem.date(w0)}")
            if agents[agent.id].days_off == "consecutive":
                off = [(w0 + i) not in worked for i in range(7)]
                blocks = sum(1 for i in range(7) if off[i] and not off[i - 1])
                if blocks > 1:
                    problems.append(f"{agent.id}: days off not consecutive in week {problem.date(w0)}")
    return problems


def covering_minimum(requirements: Sequence[int], *, on_days: int = 5, time_limit_s: float = 10.0) -> tuple[int, list[int]]:
    """Classic cyclic days-off covering: fewest staff working ``on_days`` consecutive days a week.

    Returns the optimum and how many start on each day (day ``i`` workers work ``i … i+on_days−1``).
    """
    from ortools.sat.python import cp_model

    period = len(requirements)
    if not 0 < on_days <= period:
        raise ValueError("on_days must be between 1 and the period")
    model = cp_model.CpModel()
    top = max(requirements, default=0) * period
    starts = [model.new_int_var(0, top, f"start_{i}") for i in range(period)]
    for d, need in enumerate(requirements):
        model.add(sum(starts[(d - j) % period] for j in range(on_days)) >= need)
    model.minimize(sum(starts))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_search_workers = 2
    status = solver.solve(model)
    if status != cp_model.OPTIMAL:
        raise ValueError(f"covering model not solved to optimality: {solver.status_name(status)}")
    values = [solver.value(v) for v in starts]
    return sum(values), values


# --- CSV loading ---------------------------------------------------------------------------------


def _read(path: str | Path) -> list[dict[str, str]]:
    path = Path(path)
    if not path.exists():
        raise ValueError(f"파일을 찾을 수 없습니다: {path}")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]
    if not rows:
        raise ValueError(f"{path.name}: 데이터가 없습니다 (no rows)")
    return rows


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(";") if p.strip())


def _need(row: dict[str, str], column: str, name: str, line: int) -> str:
    value = row.get(column, "")
    if not value:
        raise ValueError(f"{name}:{line}: '{column}' 값이 필요합니다 (missing {column})")
    return value


def load_shifts(path: str | Path) -> list[ShiftTemplate]:
    name = Path(path).name
    result = []
    for line, row in enumerate(_read(path), start=2):
        try:
            start = parse_hhmm(_need(row, "start", name, line))
            breaks = []
            for part in _split(row.get("breaks", "")):
                offset, _, duration = part.partition("+")
                breaks.append((int(offset), int(duration)))
            cost = int(row["cost"]) if row.get("cost") else None
            result.append(ShiftTemplate(_need(row, "name", name, line), start.hour * 60 + start.minute,
                                        int(_need(row, "length_min", name, line)), tuple(breaks), cost))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name}:{line}: {exc}") from exc
    return result


def load_agents(path: str | Path) -> list[Agent]:
    name = Path(path).name
    result = []
    for line, row in enumerate(_read(path), start=2):
        try:
            result.append(Agent(
                id=_need(row, "id", name, line),
                contract_hours=float(_need(row, "contract_hours", name, line)),
                min_hours=float(row["min_hours"]) if row.get("min_hours") else None,
                skills=_split(row.get("skills", "")) or (DEFAULT_SKILL,),
                shifts=_split(row.get("shifts", "")),
                days_off=row.get("days_off", "") or "any",
                max_consecutive_days=int(row.get("max_consecutive_days") or 6),
                preferred_days_off=_split(row.get("preferred_days_off", "")),
                forbidden_days=_split(row.get("forbidden_days", "")),
                seniority=int(row.get("seniority") or 0),
            ))
            for spec in (result[-1].preferred_days_off, result[-1].forbidden_days):
                _day_matches(spec, dt.date(2024, 1, 1))  # validates weekday names and dates
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name}:{line}: {exc}") from exc
    return result


def load_requirements(
    path: str | Path, *, weeks: int, start: dt.date | None = None
) -> tuple[dt.date, int, dict[str, list[int]]]:
    """(horizon start, interval minutes, skill → per-slot requirement) from ``REQ.csv``."""
    name = Path(path).name
    rows = _read(path)
    by_date = "date" in rows[0]
    if not by_date and "weekday" not in rows[0]:
        raise ValueError(f"{name}: 'date' 또는 'weekday' 열이 필요합니다 (need a date or weekday column)")
    parsed = []
    for line, row in enumerate(rows, start=2):
        try:
            when = parse_hhmm(_need(row, "interval_start", name, line))
            required = int(float(row.get("required") or 0))
            if required < 0:
                raise ValueError("required must be >= 0")
            key: dt.date | int = (dt.date.fromisoformat(_need(row, "date", name, line)) if by_date
                                  else _weekday(_need(row, "weekday", name, line)))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name}:{line}: {exc}") from exc
        parsed.append((key, when.hour * 60 + when.minute, row.get("skill") or DEFAULT_SKILL, required))
    minutes = {m for _, m, _, _ in parsed}
    step = math.gcd(1440, *minutes)
    days = weeks * 7
    if by_date:
        first = min(k for k, _, _, _ in parsed if isinstance(k, dt.date))
        horizon_start = first
    else:
        if start is None:
            today = dt.date.today()
            start = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
        horizon_start = start
    per_day = 1440 // step
    req: dict[str, list[int]] = {}
    for key, minute, skill, required in parsed:
        values = req.setdefault(skill, [0] * (days * per_day))
        if isinstance(key, dt.date):
            offsets = [(key - horizon_start).days]
        else:
            offsets = [d for d in range(days) if (horizon_start + dt.timedelta(days=d)).weekday() == key]
        for d in offsets:
            if 0 <= d < days:
                values[d * per_day + minute // step] = required
    return horizon_start, step, req


def load_problem(
    *, requirements: str | Path, agents: str | Path, shifts: str | Path, weeks: int,
    start: dt.date | None = None, weekend: Sequence[str] = ("Sat", "Sun"), min_rest_h: float = 11.0,
) -> Problem:
    if weeks < 1:
        raise ValueError("weeks must be >= 1")
    horizon_start, step, req = load_requirements(requirements, weeks=weeks, start=start)
    problem = Problem(
        start=horizon_start, days=weeks * 7, interval_min=step, requirements=req,
        shifts=load_shifts(shifts), agents=load_agents(agents),
        weekend=tuple(_weekday(w) for w in weekend), min_rest_h=min_rest_h,
    )
    problem.validate()
    return problem
