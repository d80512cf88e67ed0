"""`cxops staffing`, `cxops forecast` and `cxops schedule` subcommands (thin adapters over the engine)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _fail(exc: Exception) -> int:
    from cxops.cli import fail

    return fail(str(exc))


def _target(args: argparse.Namespace) -> Any:
    from cxops.workforce.erlang import StaffingTarget

    return StaffingTarget(
        service_level=args.target_sl,
        answer_within_s=args.answer_within_s,
        max_asa_s=args.max_asa_s,
        max_occupancy=args.max_occupancy,
        max_abandonment=args.max_abandonment,
        shrinkage=args.shrinkage,
    )


def cmd_staffing(args: argparse.Namespace) -> int:
    from cxops.cli import print_json
    from cxops.workforce.erlang import required_agents, requirements_for
    from cxops.workforce.series import read_interval_csv

    interval_s = args.interval_min * 60
    try:
        target = _target(args)
        if args.forecast:
            rows = read_interval_csv(args.forecast, ("forecast", "offered"))
            reqs = requirements_for(
                [r.value for r in rows], interval_s=interval_s, aht_s=args.aht_s, target=target,
                patience_s=args.patience_s,
            )
            out: Any = [
                {"date": r.date.isoformat(), "interval_start": f"{r.interval_start:%H:%M}", "calls": r.value,
                 **req.as_dict()}
                for r, req in zip(rows, reqs, strict=True)
            ]
        elif args.calls is not None:
            out = required_agents(
                calls=args.calls, interval_s=interval_s, aht_s=args.aht_s, target=target, patience_s=args.patience_s
            ).as_dict()
        else:
            raise ValueError("--calls 또는 --forecast 중 하나가 필요합니다 (give --calls or --forecast)")
    except ValueError as exc:
        return _fail(exc)
    if args.json:
        print_json(out)
        return 0
    rows_out = out if isinstance(out, list) else [out]
    header = f"{'date':<10} {'start':<5} {'calls':>8} {'agents':>6} {'sched':>6} {'SL':>6} {'ASA s':>7} {'occ':>5} {'aband':>6}"
    sys.stdout.write(header + "\n")
    for row in rows_out:
        sys.stdout.write(
            f"{row.get('date', ''):<10} {row.get('interval_start', ''):<5} {row.get('calls', args.calls):>8.1f} "
            f"{row['agents']:>6} {row['scheduled']:>6} {row['service_level']:>6.3f} {row['asa_s']:>7.1f} "
            f"{row['occupancy']:>5.2f} {row['abandonment']:>6.3f}\n"
        )
    return 0


def _holiday_set(args: argparse.Namespace, first: Any, last: Any) -> set[Any]:
    import datetime as dt

    from cxops.workforce.forecast import korean_holidays

    result: set[dt.date] = set()
    if args.holidays == "kr":
        result |= korean_holidays(range(first.year, last.year + 1))
    for text in args.extra_holidays or []:
        for part in text.split(","):
            if part.strip():
                result.add(dt.date.fromisoformat(part.strip()))
    return result


def cmd_forecast(args: argparse.Namespace) -> int:
    import datetime as dt

    from cxops.cli import print_json
    from cxops.workforce.forecast import ForecastConfig, backtest, forecast, history_from_rows
    from cxops.workforce.series import read_interval_csv

    try:
        rows = read_interval_csv(args.history, ("offered",))
        config = ForecastConfig(half_life_weeks=args.half_life_weeks)
        first, last = rows[0].date, rows[-1].date + dt.timedelta(days=args.horizon_days)
        holiday_set = _holiday_set(args, first, last)
        if args.backtest_days:
            history = history_from_rows(rows, args.interval_min)
            result = backtest(history, test_days=args.backtest_days, holidays=holiday_set, config=config)
            out: Any = result.as_dict()
        else:
            points = forecast(rows, interval_min=args.interval_min, horizon_days=args.horizon_days,
                              holidays=holiday_set, config=config)
            out = [p.as_dict() for p in points]
    except ValueError as exc:
        return _fail(exc)
    if args.json:
        print_json(out)
    elif isinstance(out, dict):
        sys.stdout.write(
            f"backtest on the last {out['test_days']} days: WAPE {out['wape']:.4f} "
            f"vs seasonal naive {out['wape_seasonal_naive']:.4f} ({out['improvement']:+.1%})\n"
        )
    else:
        for row in out:
            sys.stdout.write(f"{row['date']} {row['interval_start']} {row['forecast']:>10.2f}\n")
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    import dataclasses
    import datetime as dt

    from cxops.cli import print_json
    from cxops.workforce.schedule import load_problem, solve

    try:
        problem = load_problem(
            requirements=args.requirements, agents=args.agents, shifts=args.shifts, weeks=args.weeks,
            start=dt.date.fromisoformat(args.start) if args.start else None,
            weekend=[w for w in args.weekend.split(",") if w.strip()], min_rest_h=args.min_rest_h,
        )
        spread = None if args.weekend_spread.strip().lower() == "off" else int(args.weekend_spread)
        problem = dataclasses.replace(problem, weekend_spread=spread)
        result = solve(problem, time_limit_s=args.time_limit_s, workers=args.workers)
    except ValueError as exc:
        return _fail(exc)
    out = result.as_dict()
    if not args.full_coverage:
        del out["coverage"]
    if args.json:
        print_json(out)
        return 0
    sys.stdout.write(
        f"{result.status}: {len(result.assignments)} shifts, under-coverage {result.under_coverage} "
        f"agent-intervals, over-coverage {result.over_coverage}, {result.solve_time_s:.1f} s\n"
    )
    for agent in out["agents"]:
        sys.stdout.write(f"{agent['agent']:<12} {agent['days_worked']:>3} days  weekend {agent['weekend_days']:>2}  "
                         f"hours/week {agent['hours_per_week']}\n")
    for gap in out["gaps"]:
        sys.stdout.write(f"gap {gap['date']} {gap['interval_start']} {gap['skill']}: "
                         f"{gap['scheduled']}/{gap['required']} — {gap['reason']}\n")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("staffing", help="agents needed per interval (Erlang C, or Erlang A with --patience-s)")
    p.add_argument("--calls", type=float, help="arrivals in one interval")
    p.add_argument("--forecast", help="CSV with date, interval_start, forecast (or offered): one row per interval")
    p.add_argument("--interval-min", type=int, default=30)
    p.add_argument("--aht-s", type=float, required=True, help="mean handle time in seconds")
    p.add_argument("--target-sl", type=float, default=0.8, help="share answered within --answer-within-s")
    p.add_argument("--answer-within-s", type=float, default=20.0)
    p.add_argument("--max-asa-s", type=float, help="maximum average speed of answer")
    p.add_argument("--max-occupancy", type=str, help="e.g. 0.85 (read exactly)")
    p.add_argument("--max-abandonment", type=float, help="maximum abandonment share (Erlang A)")
    p.add_argument("--shrinkage", type=str, default="0", help="e.g. 0.3 (read exactly: 21 agents → 30 scheduled)")
    p.add_argument("--patience-s", type=float, help="mean caller patience: switches to Erlang A")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_staffing)

    p = sub.add_parser("forecast", help="arrivals per interval for the days after a history CSV")
    p.add_argument("--history", required=True, help="CSV with date, interval_start, offered")
    p.add_argument("--interval-min", type=int, default=30)
    p.add_argument("--horizon-days", type=int, default=7)
    p.add_argument("--half-life-weeks", type=float, default=3.0, help="recency weighting of past weeks")
    p.add_argument("--holidays", choices=["none", "kr"], default="none", help="kr: Korean public holidays")
    p.add_argument("--extra-holidays", action="append", help="YYYY-MM-DD[,YYYY-MM-DD…] treated as holidays")
    p.add_argument("--backtest-days", type=int, default=0,
                   help="hold back the last N days and report WAPE against seasonal naive instead")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_forecast)

    p = sub.add_parser("schedule", help="multi-week shift schedule with OR-Tools CP-SAT (CSV formats: README)")
    p.add_argument("--requirements", required=True, help="REQ.csv: date|weekday, interval_start, required[, skill]")
    p.add_argument("--agents", required=True, help="AGENTS.csv: id, contract_hours, …")
    p.add_argument("--shifts", required=True, help="SHIFTS.csv: name, start, length_min[, breaks][, cost]")
    p.add_argument("--weeks", type=int, default=4)
    p.add_argument("--start", help="first day (YYYY-MM-DD) when REQ.csv uses weekdays; default next Monday")
    p.add_argument("--weekend", default="Sat,Sun", help="weekend days for fairness, e.g. Fri,Sat")
    p.add_argument("--min-rest-h", type=float, default=11.0)
    p.add_argument("--weekend-spread", default="1",
                   help="most weekend days any two comparable agents may differ by over the horizon; 'off' for none")
    p.add_argument("--time-limit-s", type=float, default=25.0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--full-coverage", action="store_true", help="include every interval, not only the gaps")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_schedule)
