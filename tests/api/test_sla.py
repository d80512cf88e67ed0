"""REST API of business calendars and SLA policies, and the SLA fields and sort of the ticket list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cxops.core.models import Membership, Workspace
from cxops.sla.models import BusinessCalendarConfig, SlaPolicy
from cxops.sla.services import workspace_sla_defaults_install
from cxops.tickets.models import Ticket
from cxops.tickets.services import ticket_create
from tests.api.conftest import ApiClient, error_of
from tests.factories import make_member

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def manager_api(api_as: Callable[[Membership], ApiClient], workspace: Workspace) -> ApiClient:
    return api_as(make_member(workspace, "manager"))


def test_calendar_create_update_and_list(manager_api: ApiClient, agent_api: ApiClient, workspace: Workspace) -> None:
    response = manager_api.post("/workspaces/shop/sla/calendars", {
        "name": "주말 포함", "weekly_hours": {"mon": ["09:00-18:00"], "sat": ["10:00-14:00"]},
        "extra_holidays": [{"date": "2026-12-31", "name": "창립기념일"}],
        "overrides": [{"date": "2026-12-24", "intervals": ["09:00-15:00"], "note": "단축"}],
        "cutoff_time": "16:00"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_default"] is True  # the first workspace calendar
    assert body["weekly_hours"]["sat"] == ["10:00-14:00"] and body["cutoff_time"] == "16:00"
    calendar_id = body["id"]
    response = manager_api.patch(f"/workspaces/shop/sla/calendars/{calendar_id}", {"cutoff_time": "17:30"})
    assert response.status_code == 200 and response.json()["cutoff_time"] == "17:30"
    assert response.json()["extra_holidays"] == [{"date": "2026-12-31", "name": "창립기념일"}]
    listed = agent_api.get("/workspaces/shop/sla/calendars").json()
    assert [c["name"] for c in listed] == ["주말 포함"]
    # Agents read but do not change; bad hours are explained.
    assert agent_api.patch(f"/workspaces/shop/sla/calendars/{calendar_id}", {"cutoff_time": "10:00"}).status_code == 403
    bad = manager_api.patch(f"/workspaces/shop/sla/calendars/{calendar_id}",
                            {"weekly_hours": {"mon": ["18:00-09:00"]}})
    assert bad.status_code == 400 and "영업시간" in error_of(bad)["message"]


def test_policy_create_update_and_other_workspace_404(manager_api: ApiClient, workspace: Workspace,
                                                      other_workspace: Workspace) -> None:
    response = manager_api.post("/workspaces/shop/sla/policies", {
        "name": "VIP", "position": 5, "customer_tiers": ["VIP"], "first_response_minutes": 30,
        "use_cutoff": False})
    assert response.status_code == 201, response.content
    policy_id = response.json()["id"]
    response = manager_api.patch(f"/workspaces/shop/sla/policies/{policy_id}", {"warn_share": 0.5})
    assert response.status_code == 200
    assert response.json()["warn_share"] == 0.5 and response.json()["customer_tiers"] == ["VIP"]
    assert SlaPolicy.objects.get(pk=policy_id).first_response_minutes == 30
    foreign = workspace_sla_defaults_install(workspace=other_workspace).policies[0]
    assert manager_api.patch(f"/workspaces/shop/sla/policies/{foreign.pk}", {"warn_share": 0.5}).status_code == 404
    bad = manager_api.patch(f"/workspaces/shop/sla/policies/{policy_id}", {"warn_share": 0})
    assert bad.status_code == 422
    assert BusinessCalendarConfig.objects.filter(workspace=workspace).count() == 0


def test_ticket_list_exposes_deadlines_and_sorts_by_due(agent_api: ApiClient, workspace: Workspace) -> None:
    workspace_sla_defaults_install(workspace=workspace)
    early = ticket_create(workspace=workspace, channel="phone", subject="먼저", body_text="a",
                          created_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=KST))
    late = ticket_create(workspace=workspace, channel="phone", subject="나중", body_text="b",
                         created_at=dt.datetime(2026, 11, 3, 9, 0, tzinfo=KST))
    Ticket.objects.create(workspace=workspace, number=999, subject="기한 없음", status="solved")
    rows = agent_api.get("/workspaces/shop/tickets", {"sort": "sla_due", "limit": 1}).json()
    assert rows["items"][0]["number"] == early.number
    assert rows["items"][0]["first_response_due_at"] is not None
    assert rows["items"][0]["sla_next_due_at"] == rows["items"][0]["first_response_due_at"]
    second = agent_api.get("/workspaces/shop/tickets", {"sort": "sla_due", "limit": 1,
                                                        "cursor": rows["next_cursor"]}).json()
    assert second["items"][0]["number"] == late.number
    third = agent_api.get("/workspaces/shop/tickets", {"sort": "sla_due", "limit": 1,
                                                       "cursor": second["next_cursor"]}).json()
    assert third["items"][0]["number"] == 999 and third["items"][0]["sla_next_due_at"] is None
    assert third["next_cursor"] is None
    desc = agent_api.get("/workspaces/shop/tickets", {"sort": "-sla_due"}).json()
    assert [i["number"] for i in desc["items"]][:2] == [late.number, early.number]


def test_settings_change_recomputes_open_tickets_in_job(manager_api: ApiClient, workspace: Workspace,
                                                        django_capture_on_commit_callbacks: Any) -> None:
    defaults = workspace_sla_defaults_install(workspace=workspace)
    ticket = ticket_create(workspace=workspace, channel="phone", subject="전화", body_text="a",
                           created_at=dt.datetime(2026, 11, 2, 10, 0, tzinfo=KST))
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == dt.datetime(2026, 11, 3, 10, 0, tzinfo=KST)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_api.patch(f"/workspaces/shop/sla/policies/{defaults.policies[1].pk}",
                                     {"first_response_minutes": 60})
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == dt.datetime(2026, 11, 2, 11, 0, tzinfo=KST)
