from __future__ import annotations

import pytest

from cxops.assignment.models import RoutingRule
from cxops.core.services import team_create
from cxops.tickets.models import Ticket
from tests.api.conftest import error_of
from tests.assignment.fixtures import auto_team, online_agents
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(workspace):
    return make_member(workspace, "manager")


def test_team_config_get_and_put(api_as, workspace, manager):
    agents = online_agents(workspace, 2, capacity=3)
    team = team_create(workspace=workspace, name="배송팀", actor=None, members=agents)
    backup = team_create(workspace=workspace, name="백업팀", actor=None)
    api = api_as(manager)
    body = api.get(f"/workspaces/shop/assignment/teams/{team.pk}").json()
    assert body["mode"] == "manual" and body["queued"] == 0
    assert [m["capacity"] for m in body["members"]] == [3, 3]
    assert all(m["available"] and m["load"] == 0 for m in body["members"])
    response = api.send("PUT", f"/workspaces/shop/assignment/teams/{team.pk}",
                        {"mode": "round_robin", "on_offline": "reassign", "fallback_team_ids": [backup.pk]})
    assert response.status_code == 200, response.content
    assert (response.json()["mode"], response.json()["fallback_team_ids"]) == ("round_robin", [backup.pk])
    bad = api.send("PUT", f"/workspaces/shop/assignment/teams/{team.pk}", {"mode": "round_robin",
                                                                          "fallback_team_ids": [team.pk]})
    assert bad.status_code == 400 and "대체 팀" in error_of(bad)["message"]
    typo = api.send("PUT", f"/workspaces/shop/assignment/teams/{team.pk}", {"mode": "fastest"})
    assert typo.status_code == 422


def test_agents_read_but_do_not_change_settings(api_as, workspace, agent):
    team = team_create(workspace=workspace, name="배송팀", actor=None)
    api = api_as(agent)
    assert api.get(f"/workspaces/shop/assignment/teams/{team.pk}").status_code == 200
    response = api.send("PUT", f"/workspaces/shop/assignment/teams/{team.pk}", {"mode": "least_loaded"})
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert api.post("/workspaces/shop/routing-rules", {"name": "x", "team_id": team.pk}).status_code == 403


def test_routing_rules_crud_and_other_workspaces(api_as, workspace, other_workspace, manager):
    team = team_create(workspace=workspace, name="채팅팀", actor=None)
    foreign = team_create(workspace=other_workspace, name="남의 팀", actor=None)
    api = api_as(manager)
    created = api.post("/workspaces/shop/routing-rules", {"name": "채팅", "team_id": team.pk, "channels": ["chat"],
                                                           "position": 10})
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    api.post("/workspaces/shop/routing-rules", {"name": "먼저", "team_id": team.pk, "position": 1})
    listed = api.get("/workspaces/shop/routing-rules").json()
    assert [r["name"] for r in listed["items"]] == ["먼저", "채팅"] and listed["next_cursor"] is None
    patched = api.patch(f"/workspaces/shop/routing-rules/{rule_id}", {"types": ["complaint"]})
    assert patched.json()["types"] == ["complaint"] and patched.json()["channels"] == ["chat"]
    assert api.patch(f"/workspaces/shop/routing-rules/{rule_id}", {"name": None}).status_code == 422
    wrong_team = api.post("/workspaces/shop/routing-rules", {"name": "x", "team_id": foreign.pk})
    assert wrong_team.status_code == 400
    assert api.delete(f"/workspaces/shop/routing-rules/{rule_id}").status_code == 204
    assert not RoutingRule.objects.filter(pk=rule_id).exists()
    assert api.get(f"/workspaces/other/assignment/teams/{foreign.pk}").status_code == 404
    assert api.get(f"/workspaces/shop/assignment/teams/{foreign.pk}").status_code == 404


def test_claim_and_assign(api_as, workspace, manager):
    (agent,) = online_agents(workspace, 1, capacity=1)
    team = auto_team(workspace, manager, "큐팀", [agent], mode="manual")
    api = api_as(agent)
    assert api.post("/workspaces/shop/assignment/claim").json()["number"] is None
    ticket = make_ticket(workspace)
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    claimed = api.post("/workspaces/shop/assignment/claim").json()
    assert claimed["number"] == ticket.number and claimed["assignee_id"] == agent.user_id
    make_ticket(workspace)
    full = api.post("/workspaces/shop/assignment/claim")
    assert full.status_code == 400 and "한도" in error_of(full)["message"]

    auto_team(workspace, manager, "자동팀", [agent], mode="least_loaded")
    queued = make_ticket(workspace, subject="다른 문의", phone="010-2222-3333")
    response = api.post(f"/workspaces/shop/tickets/{queued.number}/assign")
    assert response.status_code == 200 and response.json()["assignee_id"] is None  # no team, no rule
    again = api.post(f"/workspaces/shop/tickets/{ticket.number}/assign")
    assert again.status_code == 200 and again.json()["assignee_id"] == agent.user_id  # owner kept
    Ticket.objects.filter(pk=queued.pk).update(status="solved")
    assert api.post(f"/workspaces/shop/tickets/{queued.number}/assign").status_code == 400


def test_settings_get_put(api_as, workspace, manager):
    team = team_create(workspace=workspace, name="일반", actor=None)
    api = api_as(manager)
    assert api.get("/workspaces/shop/assignment/settings").json() == {"default_team_id": None,
                                                                      "claim_order": "urgent_first"}
    response = api.send("PUT", "/workspaces/shop/assignment/settings", {"default_team_id": team.pk,
                                                                        "claim_order": "oldest_first"})
    assert response.json() == {"default_team_id": team.pk, "claim_order": "oldest_first"}
    assert make_ticket(workspace).team_id == team.pk
