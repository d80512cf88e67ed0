from __future__ import annotations

import pytest

from cxops.assignment import jobs
from cxops.core.models import Membership
from cxops.tickets.models import Ticket
from cxops.tickets.services import TicketFields, ticket_create
from tests.assignment.fixtures import auto_team, online_agents
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_sweep_moves_work_of_unavailable_agents_and_hands_out_the_queue(workspace):
    manager = make_member(workspace, "manager")
    gone, back = online_agents(workspace, 2)
    Membership.objects.filter(pk=back.pk).update(availability="offline")
    team = auto_team(workspace, manager, "팀", [gone, back], on_offline="queue")
    ticket = ticket_create(workspace=workspace, channel="board", subject="문의", body_text="내용",
                           fields=TicketFields(team_id=team.pk))
    assert ticket.assignee_id == gone.user_id
    # Statuses change without the service (a missed hook): the sweep notices both.
    Membership.objects.filter(pk=gone.pk).update(availability="offline")
    Membership.objects.filter(pk=back.pk).update(availability="online")
    assert jobs.assignment_sweep.call_local() == {"moved": 1, "assigned": 1}
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == back.user_id
    assert jobs.assignment_sweep.call_local() == {"moved": 0, "assigned": 0}


def test_retry_assigns_a_queued_ticket_once_someone_has_room(workspace):
    manager = make_member(workspace, "manager")
    (agent,) = online_agents(workspace, 1, capacity=1)
    team = auto_team(workspace, manager, "팀", [agent])
    first = ticket_create(workspace=workspace, channel="board", subject="1", body_text="내용",
                          fields=TicketFields(team_id=team.pk))
    second = ticket_create(workspace=workspace, channel="board", subject="2", body_text="내용",
                           fields=TicketFields(team_id=team.pk))
    assert (first.assignee_id, second.assignee_id) == (agent.user_id, None)
    assert jobs.assign_retry.call_local(second.pk) == "queued"
    Ticket.objects.filter(pk=first.pk).update(status="solved")
    assert jobs.assign_retry.call_local(second.pk) == "assigned"
    assert jobs.assign_retry.call_local(second.pk) == "skipped"
