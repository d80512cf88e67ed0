"""Time SLA deadline computation for many tickets against one calendar (pure functions, no database).

    .venv/bin/python bench/sla_bench.py [--tickets 100000] [--seed 7]

Creation times are uniform over 2026 (Asia/Seoul); the calendar is the Korean default (weekdays
09:00–18:00, lunch 12–13, Korean holidays), 17:00 cutoff for board and email; policy targets 8 / 8 /
24 business hours. This is the arithmetic part of recomputing all open tickets after a calendar change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from zoneinfo import ZoneInfo

from cxops.sla.calendar import korean_default_calendar
from cxops.sla.policy import CutoffRule, SlaRule, SlaTargets, compute_deadlines

KST = ZoneInfo("Asia/Seoul")
CHANNELS = ["board", "email", "phone", "chat"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = dt.datetime(2026, 1, 1, tzinfo=KST)
    year_s = 365 * 24 * 3600
    tickets = [(start + dt.timedelta(seconds=rng.randrange(year_s)), rng.choice(CHANNELS))
               for _ in range(args.tickets)]
    rule = SlaRule(name="기본 SLA", targets=SlaTargets.from_minutes(480, 480, 1440))
    cutoff = CutoffRule()
    runs: list[float] = []
    for i in range(args.repeat):
        cal = korean_default_calendar()  # fresh calendar: the first run includes warming its day cache
        t0 = time.perf_counter()
        for created_at, channel in tickets:
            compute_deadlines(cal, rule, channel=channel, created_at=created_at, cutoff=cutoff)
        runs.append(time.perf_counter() - t0)
        print(f"run {i + 1}: {runs[-1]:.2f} s")
    best = min(runs)
    print(f"{args.tickets:,} tickets × 3 deadlines: median {statistics.median(runs):.2f} s, best {best:.2f} s "
          f"({args.tickets / best:,.0f} tickets/s, {best / args.tickets * 1e6:.1f} µs/ticket)")


if __name__ == "__main__":
    main()
