from __future__ import annotations

import json
from typing import Any

import pytest

from cxops.assignment import services
from cxops.cli import main
from cxops.core.models import Membership
from cxops.tickets.models import Ticket
from cxops.tickets.services import TicketFields, ticket_create
from tests.assignment.fixtures import auto_team, online_agents
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_show_rebalance_and_drain(workspace: Any, capsys: Any) -> None:
    manager = make_member(workspace, "manager")
    agent, spare = online_agents(workspace, 2, capacity=5)
    team = auto_team(workspace, manager, "배송팀", [agent], on_offline="queue")
    services.routing_rule_save(workspace=workspace, by=manager, name="채팅", team_id=team.pk, channels=["chat"])
    ticket = ticket_create(workspace=workspace, channel="chat", subject="문의", body_text="내용", fields=TicketFields())
    assert ticket.assignee_id == agent.user_id

    assert main(["assignment", "show", "--workspace", "shop"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["rules"][0]["team"] == "배송팀" and shown["load_statuses"] == ["new", "open"]
    (row,) = [t for t in shown["teams"] if t["name"] == "배송팀"]
    assert row["mode"] == "least_loaded"
    assert row["members"] == [{"email": agent.user.email, "availability": "online", "available": True, "load": 1,
                               "capacity": 5}]

    Membership.objects.filter(pk=agent.pk).update(availability="offline")
    assert main(["assignment", "rebalance", "--workspace", "shop", "--member", agent.user.email]) == 0
    assert json.loads(capsys.readouterr().out)["moved"] == 1
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None

    team.members.add(spare)
    assert main(["assignment", "drain", "--workspace", "shop", "--team", "배송팀"]) == 0
    assert json.loads(capsys.readouterr().out)["assigned"] == {"배송팀": 1}
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == spare.user_id

    assert main(["assignment", "show", "--workspace", "nope"]) == 2
    assert main(["assignment", "drain", "--workspace", "shop", "--team", "없는팀"]) == 2
