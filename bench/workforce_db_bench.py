"""Workforce planning on a busy workspace's own data (PostgreSQL).

    nice -n 10 .venv/bin/python bench/workforce_db_bench.py [--calls 200000] [--tickets 100000] [--agents 40]
                                                           [--db cxops_bench_wf] [--reload]

Creates (once) its own database, migrates it, and fills one workspace with eight weeks of inbound
calls and board/e-mail tickets (weekday and intraday pattern) handled by N agents. Then times the
read paths the pages and the API use: the arrivals GROUP BY (8 weeks, 30-minute intervals, all
channels), a 7-day forecast from that history, a 7-day staffing plan for three channels, the KPI
report for a week, and the solver job for a 4-week schedule of all agents (time limit 25 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
SLUG = "wf-bench"


def _prepare_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _moments(n: int, start: dt.datetime, days: int, rng: random.Random) -> list[dt.datetime]:
    weights = [1.0 if d % 7 < 5 else 0.35 for d in range(days)]
    hours = [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 2.0, 3.5, 3.8, 3.2, 2.2, 3.0, 3.4, 3.1, 2.8, 2.0, 1.2,
             0.9, 0.7, 0.5, 0.4, 0.3]
    days_drawn = rng.choices(range(days), weights=weights, k=n)
    hours_drawn = rng.choices(range(24), weights=hours, k=n)
    return [start + dt.timedelta(days=d, hours=h, seconds=rng.randrange(3600))
            for d, h in zip(days_drawn, hours_drawn, strict=True)]


def _load(args: argparse.Namespace) -> None:
    from django.utils import timezone

    from cxops.core.models import Workspace
    from cxops.core.services import membership_set, user_create, workspace_create
    from cxops.tickets.models import Call, Ticket

    workspace = Workspace.objects.filter(slug=SLUG).first()
    if workspace is not None and not args.reload:
        return
    if workspace is not None:
        workspace.delete()
    rng = random.Random(7)
    workspace, _ = workspace_create(slug=SLUG, name="인력 계획 벤치")
    lead = membership_set(workspace=workspace, user=user_create(email="wf-lead@bench.kr", password="x" * 12,
                                                                display_name="팀장"), role="lead", actor=None)
    agents = [membership_set(workspace=workspace, user=user_create(
        email=f"wf-agent{i}@bench.kr", password="x" * 12, display_name=f"상담원{i:02d}"), role="agent", actor=None)
        for i in range(args.agents)]
    del lead
    tz = dt.timezone(dt.timedelta(hours=9))
    today = timezone.now().astimezone(tz).date()
    start = dt.datetime.combine(today - dt.timedelta(days=56), dt.time(), tzinfo=tz)
    t0 = time.perf_counter()
    calls = [Call(workspace=workspace, agent=rng.choice(agents).user, summary="문의", duration_seconds=rng.randint(60, 600),
                  started_at=m, created_at=m) for m in _moments(args.calls, start, 56, rng)]
    Call.objects.bulk_create(calls, batch_size=5000)
    tickets = []
    for i, m in enumerate(_moments(args.tickets, start, 56, rng)):
        first = m + dt.timedelta(minutes=rng.randint(5, 600))
        tickets.append(Ticket(workspace=workspace, number=10_000 + i, subject="배송 문의",
                              channel=rng.choice(["board", "board", "email"]), status="solved",
                              assignee=rng.choice(agents).user, created_at=m, updated_at=first, first_response_at=first,
                              solved_at=first + dt.timedelta(hours=rng.randint(0, 30))))
    Ticket.objects.bulk_create(tickets, batch_size=5000)
    print(f"loaded {args.calls} calls and {args.tickets} tickets in {time.perf_counter() - t0:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum would do soon after a bulk load
        cursor.execute("ANALYZE tickets_call")
        cursor.execute("ANALYZE tickets_ticket")


def _time(label: str, fn: Callable[[], Any], runs: int) -> Any:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    print(f"{label:<52} best {min(times) * 1000:8.1f} ms   worst {max(times) * 1000:8.1f} ms")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--db", default="cxops_bench_wf")
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    _prepare_database(args.db)
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")
    os.environ["CXOPS_JOBS_IMMEDIATE"] = "1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _load(args)

    from cxops.core.models import Membership, Workspace
    from cxops.workforce import selectors, services

    workspace = Workspace.objects.get(slug=SLUG)
    lead = Membership.objects.get(workspace=workspace, role="lead")
    today = selectors.today_for(workspace)
    runs = args.runs
    counts = _time("arrivals GROUP BY, 8 weeks × 30 min, all channels",
                   lambda: selectors.arrival_counts(workspace=workspace, start=today - dt.timedelta(days=56),
                                                    end=today - dt.timedelta(days=1), interval_min=30), runs)
    print(f"{'':<52} ({sum(len(v) for v in counts.values())} channel-intervals)")
    _time("forecast phone, 7 days from 8 weeks of history",
          lambda: selectors.forecast_for(workspace=workspace, channel="phone", start=today, days=7, interval_min=30),
          runs)
    _time("staffing plan, 7 days, phone + board + email",
          lambda: selectors.staffing_plan(workspace=workspace, start=today, days=7, interval_min=30,
                                          channels=["phone", "board", "email"]), runs)
    _time("KPI report, last 7 days",
          lambda: selectors.kpis(workspace=workspace, start=today - dt.timedelta(days=7), end=today), runs)
    if not selectors.shift_templates(workspace=workspace):
        for name, start in (("조기", "07:00"), ("주간", "09:00"), ("오후", "12:00"), ("저녁", "14:00")):
            services.shift_template_save(workspace=workspace, by=lead, name=name, start=start, length_min=540,
                                         breaks="240+60")
    # the solver job runs in-process (CXOPS_JOBS_IMMEDIATE=1) right after the create commits
    schedule = _time("schedule create + solver job, 4 weeks, all agents",
                     lambda: services.schedule_create(workspace=workspace, by=lead, name="bench",
                                                      start_date=today + dt.timedelta(days=7 - today.weekday()),
                                                      weeks=4), 1)
    schedule.refresh_from_db()
    print(f"{'':<52} {schedule.solve_status} in {schedule.solve_time_s or 0:.1f} s: {schedule.solve_message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
