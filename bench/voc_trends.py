"""Trend computation over 1,000,000 tickets of one workspace (target: a year of weekly trends ≤ 10 s).

    .venv/bin/python bench/voc_trends.py [--tickets 1000000] [--db cxops_bench_voc] [--reload]

Creates (once) its own PostgreSQL database, migrates it, and fills one workspace with N tickets spread
over 14 months with server-side INSERT … SELECT generate_series (about a minute for a million): skewed
categories, 60 products, six channels, a weekday pattern, a volume rise, and a planted spike. Then
times `insights.trends.trend_table` — one GROUP BY query plus numpy — for weekly, daily and monthly
tables by category, product, product × category and channel, three runs each (best and worst shown).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def _prepare_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", default="cxops_bench_voc")
    parser.add_argument("--reload", action="store_true", help="delete the workspace's tickets and load again")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    _prepare_database(args.db)
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cxops.core.services import workspace_create
    from cxops.insights.trends import trend_table
    from cxops.tickets.models import Category, Product, Ticket

    call_command("migrate", interactive=False, verbosity=0)
    workspace, _ = workspace_create(slug="voc", name="VOC 벤치")
    for i in range(60):
        Product.objects.get_or_create(workspace=workspace, name=f"상품 {i:02d}", defaults={"code": f"SKU-{i:04d}"})
    have = Ticket.objects.filter(workspace=workspace).count()
    if args.reload and have:
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {Ticket._meta.db_table} WHERE workspace_id = %s", [workspace.pk])
        have = 0
    if have < args.tickets:
        categories = list(Category.objects.filter(workspace=workspace, parent__isnull=False).values_list("pk", flat=True))
        products = list(Product.objects.filter(workspace=workspace).values_list("pk", flat=True))
        started = time.perf_counter()
        # created_at: 14 months back, a rising volume (sqrt skew), office hours; a spike on one category
        # in the latest full week. Categories skewed by power(random, 2).
        with connection.cursor() as cur:
            cur.execute(f"""
                INSERT INTO {Ticket._meta.db_table}
                  (workspace_id, subject, channel, status, priority, type, category_id, product_id,
                   custom_fields, order_number, created_at, updated_at, message_count, sla_paused_seconds, sla_flags)
                SELECT %(ws)s, '문의 ' || g, (ARRAY['board','phone','email','chat','marketplace','messenger'])
                         [1 + floor(power(random(), 1.5) * 6)::int],
                       'closed', 'normal',
                       CASE WHEN random() < 0.35 THEN 'complaint' ELSE 'inquiry' END,
                       CASE WHEN random() < 0.9 THEN (%(cats)s::int[])[1 + floor(power(random(), 2) * %(ncat)s)::int] END,
                       CASE WHEN random() < 0.8 THEN (%(prods)s::int[])[1 + floor(power(random(), 2) * %(nprod)s)::int] END,
                       '{{}}'::jsonb, '', t, t, 0, 0, 0
                FROM (
                  SELECT g, now() - interval '425 days' * (1 - sqrt(random())) - interval '1 hour' * floor(random() * 9)
                         AS t
                  FROM generate_series(1, %(n)s) AS g
                ) s
            """, {"ws": workspace.pk, "cats": categories, "ncat": len(categories), "prods": products,
                  "nprod": len(products), "n": args.tickets - have})
            cur.execute(f"""
                INSERT INTO {Ticket._meta.db_table}
                  (workspace_id, subject, channel, status, priority, type, category_id, product_id,
                   custom_fields, order_number, created_at, updated_at, message_count, sla_paused_seconds, sla_flags)
                SELECT %(ws)s, '급증 ' || g, 'board', 'closed', 'normal', 'complaint', %(cat)s, %(prod)s, '{{}}'::jsonb,
                       '', date_trunc('week', now()) - interval '4 days' + interval '1 minute' * g,
                       now(), 0, 0, 0
                FROM generate_series(1, 400) AS g
            """, {"ws": workspace.pk, "cat": categories[-1], "prod": products[-1]})
            cur.execute(f"ANALYZE {Ticket._meta.db_table}")
        print(f"loaded {args.tickets - have:,} tickets in {time.perf_counter() - started:.1f} s", flush=True)
    total = Ticket.objects.filter(workspace=workspace).count()
    print(f"workspace 'voc': {total:,} tickets in database {args.db}")

    cases = [("category", "week", None), ("product", "week", None), ("product_category", "week", None),
             ("channel", "week", None), ("category", "day", 365), ("product", "month", None)]
    print(f"{'by':<17} {'period':<6} {'periods':>7} {'keys':>5} {'rows':>7} {'best s':>7} {'worst s':>8} alerts")
    for by, period, periods in cases:
        times = []
        table = None
        for _ in range(args.runs):
            started = time.perf_counter()
            table = trend_table(workspace=workspace, by=by, period=period, periods=periods)
            rows = table.rows()
            times.append(time.perf_counter() - started)
        assert table is not None
        alerts = sum(r.alert for r in rows)
        print(f"{by:<17} {period:<6} {len(table.output_starts):>7} {len(table.keys):>5} {len(rows):>7} "
              f"{min(times):>7.2f} {max(times):>8.2f} {alerts}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
