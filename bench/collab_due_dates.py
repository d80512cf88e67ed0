"""Checklist due dates on the shared SLA business calendar (pure, no database).

    .venv/bin/python bench/collab_due_dates.py [--checklists 2000] [--seed 7]

Instantiating a checklist computes every item's due date: the launch date moved by the item's
offset in business days (Korean holidays, weekends). `cxops.collaboration.dates` delegates that to
`cxops.sla.calendar`; this times the partner-mall template (9 items, D-30 … D+7) for many random
launch dates in 2026–2028, first with a fresh calendar each time (a cold per-day cache, as one
request sees it) and then with one shared calendar.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from cxops.collaboration.dates import BusinessCalendar
from cxops.collaboration.specs import PARTNER_MALL_OPENING
from cxops.sla.calendar import korean_default_calendar


def run(launches: list[date], fresh: bool) -> float:
    shared = BusinessCalendar()
    started = time.perf_counter()
    for launch in launches:
        calendar = BusinessCalendar(base=korean_default_calendar()) if fresh else shared
        for item in PARTNER_MALL_OPENING.items:
            calendar.add_business_days(launch, item.offset_business_days)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checklists", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    launches = [date(2026, 1, 1) + timedelta(days=rng.randrange(3 * 365)) for _ in range(args.checklists)]
    items = args.checklists * len(PARTNER_MALL_OPENING.items)
    for label, fresh in (("fresh calendar per checklist", True), ("one shared calendar", False)):
        times = [run(launches, fresh) for _ in range(3)]
        best = min(times)
        print(f"{label}: {args.checklists} checklists, {items} items: median {statistics.median(times):.3f} s, "
              f"best {best:.3f} s, {best / args.checklists * 1e3:.3f} ms per checklist")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
