from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cxops.workforce import services
from cxops.workforce.models import SavedForecast, ScheduleStatus, ShiftAssignment
from tests.conftest import login
from tests.factories import make_member, make_ticket
from tests.workforce.fixtures import make_schedule

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"slug": "shop", **kwargs})


LEAD_PAGES = ["wf_forecast", "wf_staffing", "wf_setup", "wf_schedules", "wf_intraday", "wf_kpis", "wf_qa"]


def test_lead_pages_render(client: Client, workspace, lead, agent):
    schedule = make_schedule(workspace, lead, [agent])
    login(client, lead)
    for name in LEAD_PAGES:
        response = client.get(url(name))
        assert response.status_code == 200, name
    page = client.get(url("wf_forecast"))
    assert b"<svg" in page.content and b"polyline" in page.content
    detail = client.get(url("wf_schedule", schedule_id=schedule.pk))
    assert detail.status_code == 200
    assert agent.user.label in detail.content.decode()
    for name, kwargs in (("wf_staffing_export", {}), ("wf_kpis_export", {}),
                         ("wf_schedule_export", {"schedule_id": schedule.pk})):
        response = client.get(url(name, **kwargs))
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        assert book.active.max_row >= 1


def test_agents_and_viewers_do_not_see_planning(client: Client, workspace, agent, viewer):
    login(client, agent)
    for name in LEAD_PAGES:
        assert client.get(url(name)).status_code == 403
    assert client.get(url("wf_my_schedule")).status_code == 200
    client.force_login(viewer.user)
    assert client.get(url("wf_forecast")).status_code == 403
    report = client.get(url("wf_report"))
    assert report.status_code == 200


def test_client_report_masks_names(client: Client, workspace, lead, viewer):
    agent = make_member(workspace, "agent")
    agent.user.display_name = "김상담"
    agent.user.save()
    ticket = make_ticket(workspace)
    ticket.assignee = agent.user
    ticket.save()
    login(client, viewer)
    body = client.get(url("wf_report")).content.decode()
    assert "김*담" in body and "김상담" not in body


def test_schedule_flow_through_pages(client: Client, workspace, lead):
    a, b = make_member(workspace, "agent"), make_member(workspace, "agent")
    schedule = make_schedule(workspace, lead, [a, b])
    login(client, lead)
    day = schedule.start_date
    rows = ShiftAssignment.objects.filter(schedule=schedule)
    response = client.post(url("wf_schedule_cell", schedule_id=schedule.pk),
                           {"member": a.pk, "date": day.isoformat(), "shift": ""})
    assert response.status_code == 302
    assert not rows.filter(membership=a, date=day).exists()
    client.post(url("wf_schedule_swap", schedule_id=schedule.pk),
                {"first": a.pk, "second": b.pk, "date": day.isoformat()})
    client.post(url("wf_schedule_publish", schedule_id=schedule.pk))
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.PUBLISHED
    client.force_login(b.user)
    mine = client.get(url("wf_my_schedule") + f"?start={day.isoformat()}")
    assert mine.status_code == 200
    assert "주간" in mine.content.decode()


def test_schedule_new_runs_the_solver_job(client: Client, workspace, lead, agent, django_capture_on_commit_callbacks,
                                          settings):
    settings.CXOPS_SCHEDULE_TIME_LIMIT_S = 3
    services.shift_template_save(workspace=workspace, by=lead, name="주간", start="09:00", length_min=540,
                                 breaks="240+60")
    login(client, lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("wf_schedules") + "new/", {"name": "1주", "start_date": "2026-12-07",
                                                             "weeks": "1", "interval": "30"})
    assert response.status_code == 302
    schedule_url = response["Location"]
    page = client.get(schedule_url)
    assert page.status_code == 200
    assert "완료" in page.content.decode()


def test_forecast_csv_import(client: Client, workspace, lead):
    lines = ["date,interval_start,offered"]
    start = dt.date(2026, 10, 5)
    for d in range(21):
        for h in range(9, 18):
            lines.append(f"{start + dt.timedelta(days=d)},{h:02d}:00,{10 + h}")
    upload = io.BytesIO("\n".join(lines).encode())
    upload.name = "history.csv"
    login(client, lead)
    response = client.post(url("wf_forecast_save"), {"channel": "phone", "interval": "60", "days": "7",
                                                     "history": upload})
    assert response.status_code == 302
    saved = SavedForecast.objects.get(workspace=workspace)
    assert saved.start_date == start + dt.timedelta(days=21)
    assert len(saved.values) == 7 and saved.wape is not None
    bad = io.BytesIO(b"day,offered\n1,2\n")
    bad.name = "bad.csv"
    client.post(url("wf_forecast_save"), {"channel": "phone", "interval": "60", "days": "7", "history": bad})
    assert SavedForecast.objects.count() == 1


def test_list_pages_have_bounded_queries(client: Client, workspace, lead):
    agents = [make_member(workspace, "agent") for _ in range(2)]
    make_schedule(workspace, lead, agents)
    login(client, lead)
    client.get(url("wf_schedules"))  # warm the sidebar count cache
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("wf_schedules")).status_code == 200
        counts.append(len(ctx.captured_queries))
        make_schedule(workspace, lead, agents, start=dt.date(2027, 1, 4 + 7 * _round))
    assert counts[1] == counts[0]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url("wf_kpis")).status_code == 200
    assert len(ctx.captured_queries) < 40


def test_other_workspaces_schedules_are_404(client: Client, workspace, lead, agent, other_workspace):
    schedule = make_schedule(workspace, lead, [agent])
    stranger = make_member(other_workspace, "admin")
    client.force_login(stranger.user)
    assert client.get(reverse("wf_schedule", kwargs={"slug": "other", "schedule_id": schedule.pk})).status_code == 404
    response = client.post(reverse("wf_schedule_publish", kwargs={"slug": "other", "schedule_id": schedule.pk}))
    assert response.status_code == 404
    response = client.post(reverse("wf_profile_save", kwargs={"slug": "other", "membership_id": agent.pk}),
                           {"contract_hours": "10", "skills": ["phone"], "days_off": "any",
                            "max_consecutive_days": "5"})
    assert response.status_code == 404
    schedule.refresh_from_db()
    assert schedule.status == "draft"
