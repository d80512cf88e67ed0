"""Recompute the SLA deadlines of 100,000 open tickets after a business-calendar change.

    CXOPS_DATA_DIR=/tmp/cxops-sla-bench .venv/bin/python bench/sla_recompute.py --tickets 100000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cxops_sla_bench .venv/bin/python bench/sla_recompute.py

Migrates the database, makes (or reuses) workspace ``sla-bench`` with the Korean default calendar
and policies and N open tickets spread over the last 30 days (channels, priorities and statuses mixed,
a third already answered, some paused), computes their deadlines once in bulk, then changes the
calendar (a Saturday morning shift and a company holiday) and times the recompute the Huey job runs
(``workspace_sla_recompute``), which also checks every deadline moved.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from cxops.core.models import Workspace  # noqa: E402
from cxops.core.services import workspace_create  # noqa: E402
from cxops.sla.calendar import KOREAN_DEFAULT_WEEKLY  # noqa: E402
from cxops.sla.services import (  # noqa: E402
    calendar_save,
    tickets_sla_compute,
    workspace_sla_defaults_install,
    workspace_sla_recompute,
)
from cxops.tickets.models import Ticket  # noqa: E402

CHANNELS = ["board", "board", "email", "phone", "chat", "marketplace"]
PRIORITIES = ["normal"] * 8 + ["high", "urgent"]
STATUSES = ["new", "open", "open", "open", "pending", "on_hold"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.filter(slug="sla-bench").first()
    if workspace is None:
        workspace, _ = workspace_create(slug="sla-bench", name="SLA 벤치")
    defaults = workspace_sla_defaults_install(workspace=workspace)
    have = Ticket.objects.filter(workspace=workspace).count()
    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    if have < args.tickets:
        started = time.perf_counter()
        rows = []
        for i in range(have, args.tickets):
            created = now - timedelta(minutes=rng.randrange(30 * 24 * 60))
            answered = rng.random() < 0.33
            rows.append(Ticket(workspace=workspace, number=i + 1, subject=f"벤치 문의 {i + 1}",
                               channel=rng.choice(CHANNELS), priority=rng.choice(PRIORITIES),
                               status=rng.choice(STATUSES), created_at=created, updated_at=created,
                               last_customer_message_at=created,
                               first_response_at=created + timedelta(hours=2) if answered else None))
            if len(rows) == 5000:
                Ticket.objects.bulk_create(rows)
                rows = []
        Ticket.objects.bulk_create(rows)
        print(f"inserted {args.tickets - have:,} tickets in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        tickets_sla_compute(workspace_id=workspace.pk, quiet_past=True)
        print(f"first bulk compute: {time.perf_counter() - started:.1f} s")
    open_count = Ticket.objects.filter(workspace=workspace, status__in=["new", "open", "pending", "on_hold"]).count()
    fields = ("first_response_due_at", "resolution_due_at")
    before = {pk: rest for pk, *rest in Ticket.objects.filter(workspace=workspace).values_list("pk", *fields)}
    weekly = {**{k: list(v) for k, v in KOREAN_DEFAULT_WEEKLY.items()}}
    toggle = bool(defaults.calendar.weekly_hours.get("sat"))
    weekly["sat"] = [] if toggle else ["09:00-13:00"]
    holiday = (now + timedelta(days=3)).date().isoformat()
    calendar_save(workspace=workspace, actor=None, name=defaults.calendar.name, calendar=defaults.calendar,
                  weekly_hours=weekly, extra_holidays=[] if toggle else [{"date": holiday, "name": "창립기념일"}],
                  is_default=True)
    started = time.perf_counter()
    changed = workspace_sla_recompute(workspace_id=workspace.pk)
    elapsed = time.perf_counter() - started
    after = {pk: rest for pk, *rest in Ticket.objects.filter(workspace=workspace).values_list("pk", *fields)}
    moved = sum(1 for pk in before if before[pk] != after[pk])
    print(f"{connection.vendor}: recomputed {open_count:,} open tickets ({changed:,} changed) in {elapsed:.1f} s "
          f"({open_count / elapsed:,.0f} tickets/s); {moved:,} tickets got a different first-response or "
          f"resolution deadline")


if __name__ == "__main__":
    main()
