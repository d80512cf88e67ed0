"""Capacity holds when several processes assign at once (PostgreSQL row locks).

Real threads, each with its own database connection and its own transactions, start together at a
barrier. SQLite runs one write transaction at a time (it has no row locks to test), so these run
on PostgreSQL only.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from cxops.assignment import services
from cxops.core.models import Membership
from cxops.core.services import ServiceError
from cxops.tickets.models import Ticket
from cxops.tickets.services import TicketFields, ticket_create
from tests.assignment.fixtures import auto_team, online_agents
from tests.factories import make_member, make_workspace

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row-lock races need PostgreSQL; SQLite serialises all writers, so there is no race"),
]


def race(workers: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(workers)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            result = work(i)
            with lock:
                results.append(result)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def running_per_agent(workspace: Any) -> Counter[int]:
    return Counter(Ticket.objects.filter(workspace=workspace, assignee__isnull=False, status__in=["new", "open"])
                   .values_list("assignee_id", flat=True))


def test_parallel_intake_never_exceeds_capacity():
    workspace = make_workspace(slug="race", name="경합")
    manager = make_member(workspace, "manager")
    agents = online_agents(workspace, 4, capacity=2)
    team = auto_team(workspace, manager, "배송팀", agents)

    def create(i: int) -> int | None:
        ticket = ticket_create(workspace=workspace, channel="board", subject=f"문의 {i}", body_text="내용",
                               fields=TicketFields(team_id=team.pk))
        return ticket.assignee_id

    results, errors = race(12, create)
    assert not errors, errors
    per_agent = running_per_agent(workspace)
    assert all(n <= 2 for n in per_agent.values()), per_agent
    assert sum(per_agent.values()) == 8  # every seat taken, none twice
    assert sum(1 for r in results if r is None) == 4
    assert Ticket.objects.filter(workspace=workspace, team=team, assignee__isnull=True).count() == 4


def test_parallel_assignment_of_queued_tickets_never_exceeds_capacity():
    workspace = make_workspace(slug="race4", name="경합4")
    manager = make_member(workspace, "manager")
    agents = online_agents(workspace, 3, capacity=2)
    team = auto_team(workspace, manager, "큐팀", agents, mode="manual")
    queued = [ticket_create(workspace=workspace, channel="board", subject=f"문의 {i}", body_text="내용",
                            fields=TicketFields(team_id=team.pk)) for i in range(12)]
    services.team_config_save(team=team, by=manager, mode="least_loaded")

    def assign(i: int) -> int | None:
        return services.assign_ticket(ticket=queued[i], by=None).user_id

    results, errors = race(12, assign)
    assert not errors, errors
    per_agent = running_per_agent(workspace)
    assert all(n <= 2 for n in per_agent.values()), (per_agent, results)
    assert sum(per_agent.values()) == 6, (per_agent, results)
    assert sum(1 for r in results if r is None) == 6


def test_an_agent_in_two_teams_is_not_overfilled_from_both():
    workspace = make_workspace(slug="race2", name="경합2")
    manager = make_member(workspace, "manager")
    (shared,) = online_agents(workspace, 1, capacity=3)
    teams = [auto_team(workspace, manager, "A팀", [shared], mode="round_robin"),
             auto_team(workspace, manager, "B팀", [shared], mode="least_loaded")]

    def create(i: int) -> int | None:
        ticket = ticket_create(workspace=workspace, channel="board", subject=f"문의 {i}", body_text="내용",
                               fields=TicketFields(team_id=teams[i % 2].pk))
        return ticket.assignee_id

    _results, errors = race(10, create)
    assert not errors, errors
    assert running_per_agent(workspace)[shared.user_id] <= 3
    # Those passed over because the other team held the agent are retried; run the retries now.
    for ticket in Ticket.objects.filter(workspace=workspace, assignee__isnull=True):
        with contextlib.suppress(ServiceError):
            services.assign_ticket(ticket=ticket, by=None)
    assert running_per_agent(workspace)[shared.user_id] == 3


def test_parallel_claims_take_distinct_tickets_within_capacity():
    workspace = make_workspace(slug="race3", name="경합3")
    manager = make_member(workspace, "manager")
    agents = online_agents(workspace, 3, capacity=2)
    team = auto_team(workspace, manager, "큐팀", agents, mode="manual")
    for i in range(10):
        ticket_create(workspace=workspace, channel="board", subject=f"문의 {i}", body_text="내용",
                      fields=TicketFields(team_id=team.pk))

    def claim(i: int) -> int | str | None:
        me = Membership.objects.select_related("workspace", "user").get(pk=agents[i % 3].pk)
        try:
            ticket = services.claim_next(membership=me)
        except ServiceError:
            return "full"
        return ticket.pk if ticket else None

    results, errors = race(9, claim)  # three tabs per agent, two seats each
    assert not errors, errors
    claimed = [r for r in results if isinstance(r, int)]
    assert len(claimed) == len(set(claimed)) == 6
    assert results.count("full") == 3
    assert all(n == 2 for n in running_per_agent(workspace).values())
