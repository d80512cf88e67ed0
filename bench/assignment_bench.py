"""Automatic assignment throughput: a team of 50 agents in least-loaded mode.

    .venv/bin/python bench/assignment_bench.py [--agents 50] [--tickets 1000]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cxops_bench_assignment .venv/bin/python bench/assignment_bench.py

Builds one workspace with `--agents` online agents (capacity 40) in one least-loaded team, gives
them a random backlog of running and waiting tickets (so the load counts have something to count),
queues `--tickets` unassigned tickets in the team, then times:

1. `assign_ticket` on each queued ticket, one transaction each: team lock, availability, load
   counts of the 50 agents, ranking, the chosen agent's row lock and recount, and the write through
   `ticket_update` (ticket row, audit row, timeline event, lifecycle hooks). This is the
   assignments-per-second figure.
2. `ticket_create` with assignment (the lifecycle hook) against the same with the team in manual mode:
   what automatic assignment adds to taking in a ticket.
3. the pure ranking (`ranking.rank`) of 50 candidates.

Without DATABASE_URL a fresh SQLite file in a temp dir is used; the PostgreSQL database must
exist and is migrated by the script.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cxops-assignment-bench-"))
    os.environ.setdefault("CXOPS_DATA_DIR", str(tmp))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")
    os.environ.setdefault("CXOPS_JOBS_IMMEDIATE", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.MEDIA_ROOT = tmp / "media"
    call_command("migrate", interactive=False, verbosity=0)

    from cxops.assignment import ranking, services
    from cxops.core.models import Membership, Workspace
    from cxops.core.services import membership_set, team_create, user_create, workspace_create
    from cxops.tickets.models import Ticket
    from cxops.tickets.services import TicketFields, ticket_create

    rng = random.Random(args.seed)
    slug = f"asg-bench-{int(time.time())}"
    workspace, _ = workspace_create(slug=slug, name="배정 벤치")
    manager = membership_set(workspace=workspace, user=user_create(email=f"mgr@{slug}.kr", password=None),
                             role="manager", actor=None)
    agents = [membership_set(workspace=workspace, user=user_create(email=f"a{i}@{slug}.kr", password=None),
                             role="agent", actor=None) for i in range(args.agents)]
    Membership.objects.filter(pk__in=[a.pk for a in agents]).update(availability="online", capacity=40)
    team = team_create(workspace=workspace, name="상담팀", actor=None, members=agents)
    services.team_config_save(team=team, by=manager, mode="manual")

    def create(n: int, label: str) -> list[Ticket]:
        return [ticket_create(workspace=workspace, channel="board", subject=f"{label} 문의 {i}",
                              body_text="주문한 상품이 아직 도착하지 않았어요", fields=TicketFields(team_id=team.pk))
                for i in range(n)]

    # Backlog: running and waiting tickets already owned by the agents.
    backlog = create(args.agents * 6, "기존")
    for ticket in backlog:
        Ticket.objects.filter(pk=ticket.pk).update(assignee_id=rng.choice(agents).user_id,
                                                   status=rng.choice(["new", "open", "open", "pending", "on_hold"]))
    queued = create(args.tickets, "대기")
    services.team_config_save(team=team, by=manager, mode="least_loaded")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    started = time.perf_counter()
    assigned = 0
    for ticket in queued:
        if services.assign_ticket(ticket=ticket, by=None).membership is not None:
            assigned += 1
    assign_s = time.perf_counter() - started

    n_create = max(args.tickets // 4, 50)
    services.team_config_save(team=team, by=manager, mode="manual")
    started = time.perf_counter()
    create(n_create, "수동")
    manual_s = time.perf_counter() - started
    services.team_config_save(team=team, by=manager, mode="least_loaded")
    started = time.perf_counter()
    created = create(n_create, "자동")
    auto_s = time.perf_counter() - started
    auto_assigned = sum(1 for t in created if t.assignee_id)

    pool = [ranking.Candidate(membership_id=i, user_id=i, load=rng.randrange(0, 40), capacity=40)
            for i in range(1, args.agents + 1)]
    rounds = 20000
    started = time.perf_counter()
    for i in range(rounds):
        ranking.rank(pool, mode="least_loaded", rr_last=i % args.agents)
    rank_s = time.perf_counter() - started

    loads = sorted(Ticket.objects.filter(workspace=workspace, status__in=["new", "open"], assignee__isnull=False)
                   .values_list("assignee_id", flat=True))
    per_agent: dict[int, int] = {}
    for uid in loads:
        per_agent[uid] = per_agent.get(uid, 0) + 1
    backend = connection.vendor
    print(f"backend: {backend}, agents: {args.agents}, queued tickets: {args.tickets}")
    print(f"assign_ticket (least loaded): {assigned}/{len(queued)} assigned in {assign_s:.2f} s "
          f"= {len(queued) / assign_s:.0f} assignments/s, {assign_s / len(queued) * 1000:.1f} ms each")
    print(f"ticket_create, manual team: {n_create / manual_s:.0f}/s ({manual_s / n_create * 1000:.1f} ms each)")
    print(f"ticket_create, least loaded: {n_create / auto_s:.0f}/s ({auto_s / n_create * 1000:.1f} ms each, "
          f"{auto_assigned} assigned): assignment adds {(auto_s - manual_s) / n_create * 1000:.1f} ms")
    print(f"ranking 50 candidates: {rounds / rank_s:.0f}/s ({rank_s / rounds * 1e6:.0f} µs each)")
    print(f"running tickets per agent after the run: min {min(per_agent.values())}, max {max(per_agent.values())}")
    Workspace.objects.filter(pk=workspace.pk).delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
