"""CP-SAT schedules: the covering optimum, a small instance meeting every rule, gap reasons, CSV loading."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from cxops.cli import main
from cxops.workforce.schedule import (
    Agent,
    Problem,
    ShiftTemplate,
    check_schedule,
    covering_minimum,
    load_problem,
    solve,
)

REF = json.loads((Path(__file__).resolve().parents[3] / "shared" / "data" / "erlang" / "reference_values.json")
                 .read_text(encoding="utf-8"))["covering_5on_2off"]
MONDAY = dt.date(2024, 3, 4)


def test_covering_fixture_optimum() -> None:
    needs = [REF["requirements"][d] for d in REF["days"]]
    total, starts = covering_minimum(needs, on_days=5)
    assert total == REF["minimum_staff"] == 23
    for d, need in enumerate(needs):
        assert sum(starts[(d - j) % 7] for j in range(5)) >= need
    example = [REF["example_optimal_starts"][d] for d in REF["days"]]
    assert sum(example) == total  # the published example is one of the optima


def _covering_problem(n_agents: int) -> Problem:
    per_day = 24
    values = [0] * (7 * per_day)
    for d, day in enumerate(REF["days"]):
        for hour in range(9, 17):
            values[d * per_day + hour] = REF["requirements"][day]
    return Problem(start=MONDAY, days=7, interval_min=60, requirements={"phone": values},
                   shifts=[ShiftTemplate("day", 9 * 60, 480)],
                   agents=[Agent(f"a{i:02d}", 40, days_off="consecutive", max_consecutive_days=5)
                           for i in range(n_agents)])


def test_full_scheduler_reaches_the_covering_optimum() -> None:
    problem = _covering_problem(23)
    result = solve(problem, time_limit_s=10)
    assert result.under_coverage == 0
    assert check_schedule(problem, result.assignments) == []
    assert all(a["days_worked"] == 5 for a in result.agent_summary)
    # 23 × 5 agent-days − 105 required = 10 extra agent-days of 8 intervals
    assert result.over_coverage == 80


def test_two_week_covering_starts_from_the_cyclic_week() -> None:
    week = _covering_problem(23)
    problem = Problem(start=MONDAY, days=14, interval_min=60, requirements={"phone": week.requirements["phone"] * 2},
                      shifts=week.shifts, agents=week.agents, weekend_spread=None)
    result = solve(problem, time_limit_s=8)
    assert result.stats["phase1_source"] == "cyclic week"
    assert result.stats["weekly_progress_s_under"][-1][1] == 0
    assert result.under_coverage == 0
    # rotating the week's slots keeps the 5-day limit and the days-off blocks across the week boundary
    assert check_schedule(problem, result.assignments) == []
    assert all(a["days_worked"] == 10 for a in result.agent_summary)


def test_two_week_covering_with_fair_weekends_keeps_every_rule() -> None:
    # the published optimum of 23 has 7 Mon–Fri weeks (no weekend day), 2 with one and 14 with both:
    # no two-week rotation of it gives everybody 2–3 weekend days, so the ±1 rule may leave a gap
    week = _covering_problem(23)
    problem = Problem(start=MONDAY, days=14, interval_min=60, requirements={"phone": week.requirements["phone"] * 2},
                      shifts=week.shifts, agents=week.agents)
    result = solve(problem, time_limit_s=6)
    assert check_schedule(problem, result.assignments) == []
    weekend = [a["weekend_days"] for a in result.agent_summary]
    assert max(weekend) - min(weekend) <= 1
    assert all(a["days_worked"] == 10 for a in result.agent_summary)


def test_one_agent_short_of_the_optimum_leaves_an_explained_gap() -> None:
    problem = _covering_problem(22)
    result = solve(problem, time_limit_s=3)
    assert result.under_coverage >= 8  # LP bound 22.33 > 22: at least one agent-day missing
    gaps = [r for r in result.coverage if r.gap]
    assert gaps and all("capacity" in r.reason for r in gaps)
    assert check_schedule(problem, result.assignments) == []


def _small_problem() -> Problem:
    """Two skills, a night shift, rest and consecutive-day limits, 2 weeks of 60-minute intervals."""
    per_day, days = 24, 14
    phone = [0] * (days * per_day)
    email = [0] * (days * per_day)
    for d in range(days):
        weekend = (MONDAY + dt.timedelta(days=d)).weekday() >= 5
        for h in range(8, 20):
            phone[d * per_day + h] = 1 if weekend else 2
        for h in range(10, 16):
            email[d * per_day + h] = 0 if weekend else 1
        for h in (22, 23):
            phone[d * per_day + h] = 1
        for h in range(0, 6):
            phone[d * per_day + h] = 1
    shifts = [
        ShiftTemplate("early", 7 * 60, 540, ((240, 60),)),
        ShiftTemplate("late", 11 * 60, 540, ((300, 60),)),
        ShiftTemplate("night", 22 * 60, 480, (), 700),
    ]
    agents = [
        Agent("kim", 40, skills=("phone", "email"), days_off="consecutive", max_consecutive_days=5, seniority=5),
        Agent("lee", 40, skills=("phone",), days_off="consecutive", max_consecutive_days=5, seniority=1),
        Agent("park", 40, skills=("phone", "email"), max_consecutive_days=4, preferred_days_off=("Wed",)),
        Agent("choi", 40, skills=("phone",), days_off="Sat;Sun", shifts=("early", "late")),
        Agent("jung", 32, min_hours=16, skills=("phone",), forbidden_days=("Mon", "2024-03-13")),
        Agent("han", 40, skills=("phone",), shifts=("night", "late"), max_consecutive_days=5),
    ]
    return Problem(start=MONDAY, days=days, interval_min=60, requirements={"phone": phone, "email": email},
                   shifts=shifts, agents=agents)


@pytest.fixture(scope="module")
def small() -> tuple[Problem, Any]:
    problem = _small_problem()
    return problem, solve(problem, time_limit_s=4)


def test_small_schedule_satisfies_every_rule(small: tuple[Problem, Any]) -> None:
    problem, result = small
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert check_schedule(problem, result.assignments) == []
    by_agent: dict[str, list[Any]] = {}
    for r in result.assignments:
        by_agent.setdefault(r.agent, []).append(r)
    for agent in problem.agents:
        mine = sorted(by_agent.get(agent.id, []), key=lambda r: r.start)
        for prev, nxt in itertools.pairwise(mine):  # rest of at least 11 h
            assert (nxt.start - prev.end) >= dt.timedelta(hours=11)
        worked = {r.day for r in mine}
        run = best = 0
        for d in range(problem.days):
            run = run + 1 if d in worked else 0
            best = max(best, run)
        assert best <= agent.max_consecutive_days
        for r in mine:
            assert r.skill in agent.skills
    choi = by_agent["choi"]
    assert all(r.date.weekday() < 5 for r in choi) and all(r.shift != "night" for r in choi)
    jung = by_agent.get("jung", [])
    assert all(r.date.weekday() != 0 and r.date != dt.date(2024, 3, 13) for r in jung)
    # contracted hours: 40 h = 5 × 8 paid hours each week for the full-timers
    for summary in result.agent_summary:
        if summary["agent"] in ("kim", "lee", "park", "choi", "han"):
            assert summary["hours_per_week"] == [40.0, 40.0]


def test_small_schedule_coverage_report(small: tuple[Problem, Any]) -> None:
    problem, result = small
    assert len(result.coverage) == 2 * problem.slots
    recount: dict[tuple[str, dt.date, int], int] = {}
    for r in result.assignments:
        shift = next(s for s in problem.shifts if s.name == r.shift)
        for i in shift.working_offsets(60):
            moment = r.start + dt.timedelta(hours=i)
            recount[r.skill, moment.date(), moment.hour] = recount.get((r.skill, moment.date(), moment.hour), 0) + 1
    for row in result.coverage:
        got = recount.get((row.skill, row.date, row.interval_start.hour), 0)
        if row.date < problem.date(problem.days):
            assert row.scheduled == got
        assert row.gap == max(row.required - row.scheduled, 0)
        assert row.over == max(row.scheduled - row.required, 0)
        assert bool(row.reason) == bool(row.gap)
    # nights 00:00–06:00 on the first day cannot be covered: no shift started the day before
    first_night = [r for r in result.coverage if r.date == MONDAY and r.interval_start.hour < 6 and r.skill == "phone"]
    assert all(r.gap == 1 and "no shift template" in r.reason for r in first_night)
    assert result.under_coverage >= len(first_night)
    assert result.under_coverage == sum(r.gap for r in result.coverage)


def test_weekly_problem_keeps_every_rule_from_the_repeated_week() -> None:
    problem = _small_problem()
    jung = problem.agents[4]
    problem.agents[4] = Agent(jung.id, 32, min_hours=16, skills=("phone",), forbidden_days=("Mon",))
    result = solve(problem, time_limit_s=6)
    assert result.stats["phase1_source"] == "cyclic week"
    assert check_schedule(problem, result.assignments) == []
    unreachable = sum(r.gap for r in result.coverage if r.reason.startswith("no shift template"))
    assert result.under_coverage - unreachable <= result.stats["phase1_under_coverage"]


def test_breaks_are_not_coverage() -> None:
    shift = ShiftTemplate("early", 7 * 60, 540, ((240, 60),))
    assert shift.paid_min == 480
    assert 4 not in shift.working_offsets(60) and len(shift.working_offsets(60)) == 8
    assert len(shift.working_offsets(30)) == 16


def test_hard_rules_that_cannot_hold_raise() -> None:
    problem = Problem(start=MONDAY, days=7, interval_min=60, requirements={"phone": [1] * 168},
                      shifts=[ShiftTemplate("day", 540, 480)],
                      agents=[Agent("a", 56, max_consecutive_days=5)])  # 7 shifts needed, 5 in a row allowed
    with pytest.raises(ValueError, match="hard rules"):
        solve(problem, time_limit_s=2)
    with pytest.raises(ValueError, match="multiples"):
        solve(Problem(start=MONDAY, days=7, interval_min=60, requirements={"phone": [0] * 168},
                      shifts=[ShiftTemplate("odd", 545, 480)], agents=[Agent("a", 40)]))


def _write_csvs(tmp_path: Path) -> list[str]:
    req = tmp_path / "req.csv"
    lines = ["weekday,interval_start,required,skill"]
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        for h in range(9, 18):
            for m in (0, 30):
                lines.append(f"{day},{h:02d}:{m:02d},{1 if day in ('Sat', 'Sun') else 2},phone")
    req.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shifts = tmp_path / "shifts.csv"
    shifts.write_text("name,start,length_min,breaks,cost\nday,09:00,540,240+60,\nlate,10:00,480,,500\n",
                      encoding="utf-8")
    agents = tmp_path / "agents.csv"
    agents.write_text(
        "id,contract_hours,min_hours,skills,shifts,days_off,max_consecutive_days,preferred_days_off,forbidden_days,seniority\n"
        "a1,40,,phone,,consecutive,5,,,3\n"
        "a2,40,,phone,,consecutive,5,Sun,,0\n"
        "a3,40,,phone,day,Sat;Sun,5,,,1\n"
        "a4,24,16,phone,,any,4,,Wed,0\n",
        encoding="utf-8",
    )
    return ["--requirements", str(req), "--agents", str(agents), "--shifts", str(shifts)]


def test_load_problem_from_csv(tmp_path: Path) -> None:
    files = _write_csvs(tmp_path)
    problem = load_problem(requirements=files[1], agents=files[3], shifts=files[5], weeks=2, start=MONDAY)
    assert problem.interval_min == 30 and problem.days == 14 and problem.start == MONDAY
    assert problem.shifts[0].breaks == ((240, 60),) and problem.shifts[1].shift_cost == 500
    assert problem.agents[3].min_hours == 16 and problem.agents[3].forbidden_days == ("Wed",)
    assert problem.requirements["phone"][18] == 2 and problem.requirements["phone"][5 * 48 + 18] == 1


def test_schedule_cli_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = _write_csvs(tmp_path)
    code = main(["schedule", *files, "--weeks", "2", "--start", "2024-03-04", "--time-limit-s", "5", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert {"status", "solve_time_s", "objective", "under_coverage", "over_coverage", "assignments",
            "agents", "gaps"} <= set(out)
    assert out["status"] in ("OPTIMAL", "FEASIBLE")
    assert {a["agent"] for a in out["agents"]} == {"a1", "a2", "a3", "a4"}
    assert all(set(a) == {"agent", "date", "shift", "skill", "start", "end"} for a in out["assignments"])
    assert all(g["gap"] > 0 and g["reason"] for g in out["gaps"])
    assert sum(g["gap"] for g in out["gaps"]) == out["under_coverage"]


def test_schedule_cli_user_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = _write_csvs(tmp_path)
    (tmp_path / "agents.csv").write_text("id,contract_hours\na1,forty\n", encoding="utf-8")
    assert main(["schedule", *files, "--weeks", "1", "--json"]) == 2
    assert "agents.csv:2" in capsys.readouterr().err


def test_schedule_cli_weekend_spread(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = _write_csvs(tmp_path)
    base = ["schedule", *files, "--weeks", "2", "--start", "2024-03-04", "--time-limit-s", "3", "--json"]
    assert main([*base, "--weekend-spread", "off"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] in ("OPTIMAL", "FEASIBLE")
    assert main([*base, "--weekend-spread", "-1"]) == 2
    assert "weekend_spread" in capsys.readouterr().err


def _weekend_problem() -> Problem:
    """Two groups of interchangeable agents over 4 weeks: 8 part-timers (4 days of 8 h) and 4
    full-timers with Sat+Sun off; only the part-timers can cover the weekend."""
    per_day = 24
    values = [0] * (7 * per_day)
    for d in range(7):
        for hour in range(9, 17):
            values[d * per_day + hour] = 2 if d >= 5 else 9
    part = [Agent(f"p{i}", 32, max_consecutive_days=5, seniority=i % 3) for i in range(8)]
    full = [Agent(f"f{i}", 40, days_off="Sat;Sun", max_consecutive_days=5) for i in range(4)]
    return Problem(start=MONDAY, days=28, interval_min=60, requirements={"phone": values * 4},
                   shifts=[ShiftTemplate("day", 9 * 60, 480)], agents=[*part, *full])


def test_weekend_days_are_shared_fairly_within_each_group() -> None:
    problem = _weekend_problem()
    result = solve(problem, time_limit_s=8)
    assert result.stats["phase1_source"] == "cyclic week"
    rotation = result.stats["weekend_rotation"]
    assert rotation["mode"] == "rotating roster"
    assert rotation["lines"] == [[4, 4], [4]]  # 8 part-timers in two lines of 4 weeks, 4 full-timers
    assert rotation["groups"] == 2 and rotation["spread_after"] <= 1
    assert "fallback" not in rotation
    assert result.under_coverage == 0
    assert check_schedule(problem, result.assignments) == []
    weekend = {a["agent"]: a["weekend_days"] for a in result.agent_summary}
    part = [weekend[f"p{i}"] for i in range(8)]
    assert max(part) - min(part) <= 1
    assert sum(part) >= 16  # 2 agents on each of the 8 weekend days
    assert all(weekend[f"f{i}"] == 0 for i in range(4))


def test_rotating_the_cyclic_weeks_keeps_every_interval_and_rule() -> None:
    from cxops.workforce.schedule import (
        _agent_summary,
        _assignments,
        _coverage_counts,
        _repeat_week,
        _rotate_weeks,
        _weekly_hint,
    )

    problem = _weekend_problem()
    week = _weekly_hint(problem, 4.0, 2, 0, [])
    plain = _assignments(problem, _repeat_week(problem, week))
    plan, fair, stats = _rotate_weeks(problem, week, 4.0, 2, 0)
    rotated = _assignments(problem, _repeat_week(problem, week, plan))
    assert _coverage_counts(problem, rotated) == _coverage_counts(problem, plain)  # interval by interval
    assert check_schedule(problem, plain) == [] and check_schedule(problem, rotated) == []
    assert [members for members, _ in fair] == [list(range(8))]
    weekend = {a["agent"]: a["weekend_days"] for a in _agent_summary(problem, rotated)}
    part = [weekend[f"p{i}"] for i in range(8)]
    assert max(part) - min(part) == fair[0][1] == stats["spread_after"] <= 1
    assert all(plan[i][0] == i for i in range(8))  # week 1 as solved, later weeks permuted
    assert all(sorted(plan[i][w] for i in range(8)) == list(range(8)) for w in range(4))


def _mixed_weekend_problem() -> Problem:
    """4 weeks, Sat+Sun weekend that full-timers and part-timers both cover: 7 full-timers (5 days
    of 8 h, days off in one block, seniority 0–6) and 5 part-timers (2–3 days), one of whom may
    never work Wednesdays; a late shift makes the 11 h rest bite across week boundaries."""
    per_day = 24
    values = [0] * (7 * per_day)
    for d in range(7):
        for hour in range(8, 20):
            values[d * per_day + hour] = 3 if d >= 5 else 6
    full = [Agent(f"f{i}", 40, days_off="consecutive", max_consecutive_days=5, seniority=i) for i in range(7)]
    part = [Agent(f"p{i}", 24, min_hours=16, max_consecutive_days=3, preferred_days_off=("Sun",),
                  forbidden_days=("Wed",) if i == 4 else ()) for i in range(5)]
    return Problem(start=MONDAY, days=28, interval_min=60, requirements={"phone": values * 4},
                   shifts=[ShiftTemplate("early", 8 * 60, 480), ShiftTemplate("late", 12 * 60, 480)],
                   agents=[*full, *part])


def test_rotating_roster_gives_comparable_agents_weekends_within_one() -> None:
    problem = _mixed_weekend_problem()
    result = solve(problem, time_limit_s=8)
    rotation = result.stats["weekend_rotation"]
    assert rotation["mode"] == "rotating roster" and "fallback" not in rotation
    assert rotation["lines"] == [[7], [5]]  # the part-timer with Wednesdays off rotates with the others
    assert check_schedule(problem, result.assignments) == []  # rest, consecutive days across week ends
    weekend = {a["agent"]: a["weekend_days"] for a in result.agent_summary}
    full = [weekend[f"f{i}"] for i in range(7)]
    part = [weekend[f"p{i}"] for i in range(5)]
    assert max(full) - min(full) <= 1 and max(part) - min(part) <= 1
    assert sum(full) + sum(part) > 0
    assert all(r.date.weekday() != 2 for r in result.assignments if r.agent == "p4")
    assert result.under_coverage <= result.stats["phase1_under_coverage"]  # phase 2 keeps the coverage


def test_rotating_roster_plan_rotates_slots_and_gives_seniors_the_lighter_weekends() -> None:
    from cxops.workforce.schedule import _assignments, _coverage_counts, _repeat_week, _rotating_weeks

    problem = _mixed_weekend_problem()
    week, plan, fair, stats = _rotating_weeks(problem, 6.0, 2, 0, [])
    assert week and "fallback" not in stats
    assert [sorted(members) for members, _ in fair] == [list(range(7)), list(range(7, 12))]
    assert all(spread <= 1 for _, spread in fair)
    for members, _ in fair:  # each week every slot of the group is worked by exactly one agent
        for w in range(4):
            assert sorted(plan[a][w] for a in members) == sorted(members)
    repeated = _assignments(problem, _repeat_week(problem, week, plan))
    assert check_schedule(problem, repeated) == []
    counts = _coverage_counts(problem, repeated)  # the same coverage every week (after the first Monday)
    assert all(counts.get(("phone", t), 0) == counts.get(("phone", t + 7 * 24), 0) for t in range(7 * 24, 21 * 24))
    weekend_rows = {row: sum(1 for (r, d, _s, _k), on in week.items() if on and r == row and d >= 5)
                    for row in range(12)}
    totals = {a: sum(weekend_rows[row] for row in plan[a]) for a in range(12)}
    full = sorted(range(7), key=lambda a: problem.agents[a].seniority)
    assert totals[full[-1]] == min(totals[a] for a in full)  # the most senior full-timer: fewest weekends
