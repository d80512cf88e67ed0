from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_member, make_ticket
from tests.workforce.fixtures import log_calls, make_schedule

pytestmark = pytest.mark.django_db


def test_staffing_matches_the_cli_contract(api_as, workspace, agent):
    response = api_as(agent).get("/workspaces/shop/workforce/staffing", {
        "calls": 100, "interval_min": 30, "aht_s": 180, "target_sl": 0.8, "answer_within_s": 20,
        "shrinkage": "0.3", "max_occupancy": "0.85"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["agents"] == 14 and body["scheduled"] == 20
    assert body["service_level"] >= 0.8
    erlang_a = api_as(agent).get("/workspaces/shop/workforce/staffing", {
        "calls": 100, "aht_s": 180, "patience_s": 300}).json()
    assert erlang_a["agents"] <= body["agents"]
    bad = api_as(agent).get("/workspaces/shop/workforce/staffing", {"calls": 100, "aht_s": 180, "shrinkage": "1.2"})
    assert bad.status_code == 422


def test_forecast_from_logged_calls(api_as, workspace, agent):
    now = timezone.now()
    log_calls(workspace, agent, [now - dt.timedelta(days=d, hours=1) for d in range(1, 22)])
    body = api_as(agent).get("/workspaces/shop/workforce/forecast", {"channel": "phone", "days": 2,
                                                                     "interval_min": 60}).json()
    assert body["source"] == "history"
    assert len(body["points"]) == 48
    assert body["total"] > 0
    empty = api_as(agent).get("/workspaces/shop/workforce/forecast", {"channel": "email"}).json()
    assert empty["source"] == "none" and empty["total"] == 0


def test_schedules_list_and_get_with_masked_names_for_viewers(api_as, workspace, lead, viewer):
    agent = make_member(workspace, "agent")
    agent.user.display_name = "박지원"
    agent.user.save()
    schedule = make_schedule(workspace, lead, [agent])
    listed = api_as(lead).get("/workspaces/shop/workforce/schedules").json()
    assert [s["id"] for s in listed["items"]] == [schedule.pk]
    full = api_as(lead).get(f"/workspaces/shop/workforce/schedules/{schedule.pk}").json()
    assert full["solve_status"] == "done" and full["assignments"]
    assert {a["agent"] for a in full["assignments"]} == {"박지원"}
    masked = api_as(viewer).get(f"/workspaces/shop/workforce/schedules/{schedule.pk}").json()
    assert {a["agent"] for a in masked["assignments"]} == {"박*원"}


def test_kpis(api_as, workspace, lead, viewer):
    agent = make_member(workspace, "agent")
    ticket = make_ticket(workspace)
    ticket.assignee = agent.user
    ticket.first_response_at = ticket.created_at + dt.timedelta(minutes=30)
    ticket.solved_at = ticket.created_at + dt.timedelta(hours=2)
    ticket.save()
    log_calls(workspace, agent, [timezone.now() - dt.timedelta(hours=1)] * 3, duration_s=200)
    with CaptureQueriesContext(connection) as ctx:
        body = api_as(lead).get("/workspaces/shop/workforce/kpis").json()
    assert len(ctx.captured_queries) < 30
    row = next(r for r in body["agents"] if r["member_id"] == agent.pk)
    assert row["calls"] == 3 and row["handle_time_s"] == 200
    assert row["tickets_solved"] == 1 and row["first_response_min"] == pytest.approx(30)
    assert row["sla_attainment"] == 1.0
    assert body["csat"] is None
    viewed = api_as(viewer).get("/workspaces/shop/workforce/kpis").json()
    assert all("*" in r["agent"] for r in viewed["agents"])
    bad = api_as(lead).get("/workspaces/shop/workforce/kpis", {"start": "2026-01-10", "end": "2026-01-01"})
    assert bad.status_code == 422


def test_schedule_list_query_count_does_not_grow(api_as, workspace, lead):
    from cxops.workforce import services
    from tests.workforce.fixtures import day_shift

    day_shift(workspace, lead)
    make_member(workspace, "agent")
    client = api_as(lead)
    counts = []
    for week in range(3):
        services.schedule_create(workspace=workspace, by=lead, name=f"{week}", weeks=1,
                                 start_date=dt.date(2026, 12, 7) + dt.timedelta(days=7 * week))
        client.get("/workspaces/shop/workforce/schedules")
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/workspaces/shop/workforce/schedules").json()
        assert len(body["items"]) == week + 1
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == counts[2]
