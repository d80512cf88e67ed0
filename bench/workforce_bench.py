"""Workforce engine benchmark: Erlang week vs pyworkforce, forecast backtest, 40-agent schedule.

    .venv/bin/python bench/workforce_bench.py [--pyworkforce-python /tmp/pwf-venv/bin/python]
                                              [--time-limit-s 25] [--json]

pyworkforce is not a dependency of CXOps: it is run from a scratch virtualenv through a subprocess
(``python -m venv /tmp/pwf-venv && /tmp/pwf-venv/bin/pip install pyworkforce``); without it that
comparison is skipped with a message.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from cxops.workforce.erlang import StaffingTarget, requirements_for
from cxops.workforce.forecast import (
    ForecastConfig,
    backtest,
    forecast_history,
    history_from_rows,
    seasonal_naive,
    wape,
)
from cxops.workforce.schedule import Agent, Problem, ShiftTemplate, check_schedule, solve
from cxops.workforce.series import read_interval_csv

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT.parent / "shared" / "data" / "callcenter" / "anonymous_bank_1999-02_halfhour.csv"
AHT_S, INTERVAL_MIN, SL, T_S, SHRINK, MAX_OCC = 180.0, 30, 0.8, 20.0, "0.3", "0.85"

PWF_SCRIPT = r"""
import json, sys, time
from pyworkforce.queuing import ErlangC
cfg = json.load(sys.stdin)
def run():
    out = []
    for calls in cfg["calls"]:
        if calls <= 0:
            out.append({"raw_positions": 0, "positions": 0})
            continue
        e = ErlangC(transactions=calls, aht=cfg["aht_min"], asa=cfg["asa_min"], interval=cfg["interval"],
                    shrinkage=cfg["shrinkage"])
        out.append(e.required_positions(service_level=cfg["sl"], max_occupancy=cfg["max_occ"]))
    return out
times, cpu = [], []
for _ in range(cfg["repeat"]):
    t, c = time.perf_counter(), time.process_time(); res = run()
    times.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
print(json.dumps({"times": times, "cpu": cpu, "result": res}))
"""


def _timed(fn: Any, repeat: int) -> tuple[list[float], list[float], Any]:
    """Wall (perf_counter) and CPU (process_time) seconds of each of ``repeat`` runs, last result."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return times, cpu, result


def _ms(times: list[float]) -> dict[str, float]:
    return {"best": round(1000 * min(times), 2), "median": round(1000 * statistics.median(times), 2)}


def bench_erlang(pwf_python: str, repeat: int) -> dict[str, Any]:
    rows = read_interval_csv(BANK, ("offered",))
    history = history_from_rows(rows, INTERVAL_MIN)
    week = forecast_history(history, horizon_days=7).ravel().round(2).tolist()
    target = StaffingTarget(SL, T_S, max_occupancy=MAX_OCC, shrinkage=SHRINK)
    kwargs = {"interval_s": INTERVAL_MIN * 60, "aht_s": AHT_S, "target": target}
    requirements_for(week, **kwargs, patience_s=300.0)  # warm-up (imports, quadrature nodes)
    c_times, c_cpu, ours = _timed(lambda: requirements_for(week, **kwargs), repeat)
    a_times, a_cpu, ours_a = _timed(lambda: requirements_for(week, **kwargs, patience_s=300.0), repeat)
    trap = requirements_for([165.0], interval_s=1800, aht_s=180, target=StaffingTarget(0.8, 20, shrinkage=SHRINK))
    out: dict[str, Any] = {
        "intervals": len(week),
        "distinct_volumes": len(set(week)),
        "ours_erlang_c_ms": round(1000 * statistics.median(c_times), 2),
        "ours_erlang_c_ms_min": round(1000 * min(c_times), 2),
        "ours_erlang_c_cpu_ms": _ms(c_cpu),
        "ours_erlang_a_ms": round(1000 * statistics.median(a_times), 2),
        "ours_erlang_a_ms_min": round(1000 * min(a_times), 2),
        "ours_erlang_a_cpu_ms": _ms(a_cpu),
        "erlang_a_agents_total": sum(r.agents for r in ours_a),
        "erlang_c_agents_total": sum(r.agents for r in ours),
        "trap_165_calls": {"agents": trap[0].agents, "scheduled": trap[0].scheduled},
    }
    if not Path(pwf_python).exists():
        out["pyworkforce"] = f"skipped: {pwf_python} not found (python -m venv /tmp/pwf-venv && pip install pyworkforce)"
        return out
    cfg = {"calls": [*week, 165.0], "aht_min": AHT_S / 60, "asa_min": T_S / 60, "interval": INTERVAL_MIN,
           "shrinkage": float(SHRINK), "sl": SL, "max_occ": float(MAX_OCC), "repeat": repeat}
    proc = subprocess.run([pwf_python, "-c", PWF_SCRIPT], input=json.dumps(cfg), capture_output=True, text=True,
                          check=False, timeout=600)
    if proc.returncode:
        out["pyworkforce"] = f"skipped: pyworkforce failed: {proc.stderr.strip().splitlines()[-1:]}"
        return out
    pwf = json.loads(proc.stdout)
    theirs, trap_theirs = pwf["result"][:-1], pwf["result"][-1]
    agents_diff = [(i, r.agents, p["raw_positions"]) for i, (r, p) in enumerate(zip(ours, theirs, strict=True))
                   if r.agents != p["raw_positions"]]
    sched_diff = [(i, week[i], r.agents, r.scheduled, p["positions"])
                  for i, (r, p) in enumerate(zip(ours, theirs, strict=True)) if r.scheduled != p["positions"]]
    pwf_ms = 1000 * statistics.median(pwf["times"])
    out["pyworkforce"] = {
        "ms": round(pwf_ms, 2),
        "ms_min": round(1000 * min(pwf["times"]), 2),
        "cpu_ms": _ms(pwf["cpu"]),
        "ratio_pyworkforce_over_ours": round(pwf_ms / (1000 * statistics.median(c_times)), 2),
        "ratio_best_pyworkforce_over_ours": round(min(pwf["times"]) / min(c_times), 2),
        "agents_disagreements": len(agents_diff),
        "scheduled_disagreements": len(sched_diff),
        "scheduled_disagreement_examples": [
            {"interval": i, "calls": c, "agents": a, "ours": s, "pyworkforce": p} for i, c, a, s, p in sched_diff[:5]
        ],
        "trap_165_calls": {"agents": trap_theirs["raw_positions"], "scheduled": trap_theirs["positions"]},
    }
    return out


def bench_forecast() -> dict[str, Any]:
    history = history_from_rows(read_interval_csv(BANK, ("offered",)), INTERVAL_MIN)
    result = backtest(history, test_days=7)
    train, actual = history.head(14), history.values[14:21]
    plain_average = (train.values[:7] + train.values[7:14]) / 2
    week2 = backtest(history.head(14), test_days=7)
    return {
        "backtest_train_weeks_1_2_test_week_3": result.as_dict(),
        "plain_average_of_2_weeks_wape": round(wape(plain_average, actual), 6),
        "seasonal_naive_wape": round(wape(seasonal_naive(train, horizon_days=7), actual), 6),
        "no_pooling_no_smoothing_wape": round(
            backtest(history, test_days=7, config=ForecastConfig(pool=False, smooth=False)).wape, 6),
        "backtest_train_week_1_test_week_2": week2.as_dict(),
    }


def schedule_problem() -> Problem:
    """40 agents, 4 weeks, 30-minute intervals; requirements from the forecast bank week."""
    rows = read_interval_csv(BANK, ("offered",))
    history = history_from_rows(rows, INTERVAL_MIN)
    week = forecast_history(history, horizon_days=7).ravel()
    reqs = requirements_for(week.tolist(), interval_s=1800, aht_s=AHT_S,
                            target=StaffingTarget(SL, T_S, shrinkage=SHRINK))
    weekly = [r.scheduled for r in reqs]  # heads on the floor plan, shrinkage included
    shifts = [ShiftTemplate(f"d{h:02d}", h * 60, 540, ((240, 60),)) for h in range(7, 15)]
    shifts.append(ShiftTemplate("night", 22 * 60, 480, (), 600))
    agents = []
    for i in range(40):
        if i < 28:
            agents.append(Agent(f"ft{i:02d}", 40, days_off="consecutive", max_consecutive_days=6, seniority=i % 5))
        elif i < 34:
            agents.append(Agent(f"pt{i:02d}", 32, min_hours=24, max_consecutive_days=5,
                                preferred_days_off=("Sun",), forbidden_days=("Mon",) if i == 33 else (),
                                shifts=tuple(s.name for s in shifts[:-1])))
        else:
            agents.append(Agent(f"fx{i:02d}", 40, days_off="Fri;Sat", max_consecutive_days=5, seniority=4))
    return Problem(start=dt.date(1999, 2, 22), days=28, interval_min=30, requirements={"phone": weekly * 4},
                   shifts=shifts, agents=agents, weekend=(4, 5))


def bench_schedule(time_limit_s: float) -> dict[str, Any]:
    problem = schedule_problem()
    need = sum(problem.requirements["phone"]) / 2 / 4
    start, start_cpu = time.perf_counter(), time.process_time()
    result = solve(problem, time_limit_s=time_limit_s, workers=2)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    violations = check_schedule(problem, result.assignments)
    weekend = [a["weekend_days"] for a in result.agent_summary]
    groups: dict[Agent, list[int]] = {}  # interchangeable agents: every field but id and seniority
    for agent, days in zip(problem.agents, weekend, strict=True):
        groups.setdefault(dataclasses.replace(agent, id="", seniority=0), []).append(days)
    return {
        "agents": len(problem.agents), "weeks": 4, "interval_min": 30, "templates": len(problem.shifts),
        "required_agent_hours_per_week": round(need, 1),
        "time_limit_s": time_limit_s,
        "status": result.status, "wall_s": round(elapsed, 2), "cpu_s": round(cpu, 2),
        "stats": result.stats,
        "under_coverage_agent_intervals": result.under_coverage,
        "under_coverage_share": round(result.under_coverage / max(1, sum(problem.requirements["phone"])), 4),
        "under_coverage_no_template": sum(r.gap for r in result.coverage if r.reason.startswith("no shift template")),
        "over_coverage_agent_intervals": result.over_coverage,
        "weekend_days_min_max_ft_pt": [min(weekend[:34]), max(weekend[:34])],
        "weekend_days_min_max_per_group": {f"{len(days)} x {key.contract_hours:g} h {key.days_off}": [min(days), max(days)]
                                           for key, days in groups.items()},
        "rule_violations": len(violations),
        "gap_reasons": sorted({g.reason.split(" (")[0][:60] for g in result.coverage if g.gap}),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyworkforce-python", default="/tmp/pwf-venv/bin/python")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--time-limit-s", type=float, default=25.0)
    parser.add_argument("--skip-schedule", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {"erlang_week": bench_erlang(args.pyworkforce_python, args.repeat),
                              "forecast": bench_forecast()}
    if not args.skip_schedule:
        report["schedule_40_agents_4_weeks"] = bench_schedule(args.time_limit_s)
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False, default=lambda o: float(o) if isinstance(
        o, np.floating) else str(o))
    sys.stdout.write("\n")
    return 0 if math.isfinite(report["erlang_week"]["ours_erlang_c_ms"]) else 1


if __name__ == "__main__":
    sys.exit(main())
