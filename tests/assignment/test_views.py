from __future__ import annotations

import pytest

from cxops.assignment.models import AgentSkill, RoutingRule, TeamAssignmentConfig
from cxops.core.services import team_create
from cxops.tickets.models import Category, Ticket
from tests.assignment.fixtures import online_agents
from tests.conftest import login
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db
URL = "/w/shop/settings/assignment/"


def test_settings_page_is_for_managers(client, workspace, agent):
    assert login(client, agent).get(URL).status_code == 403


def test_manager_configures_teams_rules_and_skills(client, workspace):
    manager = make_member(workspace, "manager")
    agents = online_agents(workspace, 2, capacity=4)
    team = team_create(workspace=workspace, name="배송팀", actor=None, members=agents)
    backup = team_create(workspace=workspace, name="백업팀", actor=None)
    login(client, manager)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "배송팀" in html and "최소 부하" in html and "0 / 4" in html

    client.post(URL, {"action": "team", "team": team.pk, "mode": "round_robin", "availability_source": "status",
                      "on_offline": "reassign", "fallback": [backup.pk, ""]})
    config = TeamAssignmentConfig.objects.get(team=team)
    assert (config.mode, config.on_offline) == ("round_robin", "reassign")
    assert list(config.fallbacks.values_list("team_id", flat=True)) == [backup.pk]

    delivery = Category.objects.get(workspace=workspace, name="배송", parent=None)
    client.post(URL, {"action": "rule", "name": "배송 문의", "team": team.pk, "categories": [delivery.pk],
                      "channels": ["board"], "position": "5"})
    rule = RoutingRule.objects.get(workspace=workspace)
    assert rule.channels == ["board"] and [c.pk for c in rule.categories.all()] == [delivery.pk]

    client.post(URL, {"action": "skill", "member": agents[0].pk, "category": delivery.pk, "level": "5"})
    assert AgentSkill.objects.get(membership=agents[0]).level == 5
    bad = client.post(URL, {"action": "team", "team": team.pk, "mode": "round_robin", "fallback": [team.pk]},
                      follow=True)
    assert "대체 팀" in bad.content.decode()
    client.post(URL, {"action": "rule_delete", "rule": rule.pk})
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


def test_claim_next_button(client, workspace):
    (agent,) = online_agents(workspace, 1)
    team = team_create(workspace=workspace, name="큐팀", actor=None, members=[agent])
    login(client, agent)
    inbox = client.get("/w/shop/inbox/")
    assert "다음 티켓 받기" in inbox.content.decode()
    empty = client.post("/w/shop/assignment/claim/", follow=True)
    assert "받을 티켓이 없습니다" in empty.content.decode()
    ticket = make_ticket(workspace)
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    response = client.post("/w/shop/assignment/claim/")
    assert response.status_code == 302 and response["Location"].endswith(f"/tickets/{ticket.number}/")
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == agent.user_id
    assert client.get("/w/shop/assignment/claim/").status_code == 405
