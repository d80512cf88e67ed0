"""SLA pages: the settings of calendars and policies (managers), the ticket panel, inbox badges and sort,
and the `cxops sla recompute` command."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from cxops.cli import main
from cxops.core.models import AuditEvent, Membership, Workspace
from cxops.sla.models import BusinessCalendarConfig, SlaPolicy
from cxops.sla.services import workspace_sla_defaults_install
from cxops.tickets.models import Ticket
from cxops.tickets.services import ticket_create
from tests.conftest import login
from tests.factories import make_member

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def manager(workspace: Workspace) -> Membership:
    return make_member(workspace, "manager")


def test_settings_pages_are_for_managers(client: Client, workspace: Workspace, agent: Membership,
                                         manager: Membership) -> None:
    login(client, agent)
    assert client.get("/w/shop/settings/sla/").status_code == 403
    login(client, manager)
    page = client.get("/w/shop/settings/sla/")
    assert page.status_code == 200 and "한국 기본 달력과 SLA 정책 추가" in page.content.decode()
    assert client.post("/w/shop/settings/sla/defaults/").status_code == 302
    page = client.get("/w/shop/settings/sla/").content.decode()
    assert "기본 영업시간" in page and "긴급" in page and "기본 SLA" in page


def test_calendar_form_creates_and_edits(client: Client, workspace: Workspace, manager: Membership,
                                         django_capture_on_commit_callbacks: Any) -> None:
    login(client, manager)
    form = client.get("/w/shop/settings/sla/calendars/new/").content.decode()
    assert "09:00-12:00, 13:00-18:00" in form  # Korean defaults prefilled
    data = {"name": "본사", "timezone": "Asia/Seoul", "use_korean_holidays": "on", "cutoff_time": "17:00",
            "cutoff_channels": ["board", "email"], "is_default": "on",
            "day_mon": "09:00-12:00, 13:00-18:00", "day_tue": "09:00-18:00", "day_wed": "09:00-18:00",
            "day_thu": "09:00-18:00", "day_fri": "09:00-18:00", "day_sat": "", "day_sun": "휴무",
            "extra_holidays": "2026-12-31 창립기념일", "overrides": "2026-12-24 09:00-15:00 단축 근무\n2026-12-26 휴무"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/w/shop/settings/sla/calendars/new/", data)
    assert response.status_code == 302
    calendar = BusinessCalendarConfig.objects.get(workspace=workspace, name="본사")
    assert calendar.weekly_hours["mon"] == ["09:00-12:00", "13:00-18:00"] and calendar.weekly_hours["sat"] == []
    assert calendar.extra_holidays == [{"date": "2026-12-31", "name": "창립기념일"}]
    assert calendar.overrides[1] == {"date": "2026-12-26", "intervals": [], "note": ""}
    assert AuditEvent.objects.filter(action="sla.calendar_create").exists()
    edit = client.get(f"/w/shop/settings/sla/calendars/{calendar.pk}/").content.decode()
    assert "2026-12-24 09:00-15:00 단축 근무" in edit
    bad = client.post(f"/w/shop/settings/sla/calendars/{calendar.pk}/", {**data, "day_mon": "9시부터"})
    assert bad.status_code == 200 and "09:00-12:00 처럼" in bad.content.decode()


def test_policy_form_and_other_workspace(client: Client, workspace: Workspace, other_workspace: Workspace,
                                         manager: Membership) -> None:
    login(client, manager)
    response = client.post("/w/shop/settings/sla/policies/new/", {
        "name": "VIP", "position": "5", "is_active": "on", "customer_tiers": "VIP, 골드",
        "first_response_minutes": "30", "pause_statuses": ["pending", "on_hold"], "warn_share": "0.5"})
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(workspace=workspace, name="VIP")
    assert policy.customer_tiers == ["VIP", "골드"] and policy.pause_statuses == ["pending", "on_hold"]
    assert policy.use_cutoff is False  # unchecked box
    foreign = workspace_sla_defaults_install(workspace=other_workspace).policies[0]
    assert client.get(f"/w/shop/settings/sla/policies/{foreign.pk}/").status_code == 404


def test_ticket_panel_and_inbox_badge_and_sort(client: Client, workspace: Workspace, agent: Membership) -> None:
    workspace_sla_defaults_install(workspace=workspace)
    now = dt.datetime.now(dt.UTC)
    soon = ticket_create(workspace=workspace, channel="phone", subject="곧 기한", body_text="a",
                         created_at=now - dt.timedelta(days=10))
    ticket_create(workspace=workspace, channel="phone", subject="나중 기한", body_text="b", created_at=now)
    login(client, agent)
    page = client.get("/w/shop/inbox/?view=open&sort=sla_due").content.decode()
    assert page.index("곧 기한") < page.index("나중 기한")
    assert "sla-breached" in page  # ten days old: overdue
    panel = client.get(f"/w/shop/tickets/{soon.number}/sla/").content.decode()
    assert 'data-sla-target="first_response"' in panel and "기본 SLA" in panel
    assert 'data-testid="sla-timings"' in panel
    detail = client.get(f"/w/shop/tickets/{soon.number}/").content.decode()
    assert f"/w/shop/tickets/{soon.number}/sla/" in detail


def test_cli_recompute(workspace: Workspace, capsys: Any) -> None:
    workspace_sla_defaults_install(workspace=workspace)
    ticket = Ticket.objects.create(workspace=workspace, number=7, subject="가져옴", channel="phone", status="open",
                                   created_at=dt.datetime(2026, 11, 2, 10, 0, tzinfo=KST))
    assert main(["sla", "recompute", "--workspace", "shop"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["changed"] == 1
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == dt.datetime(2026, 11, 3, 10, 0, tzinfo=KST)


def test_cli_preview_example_still_holds(workspace: Workspace, capsys: Any) -> None:
    workspace_sla_defaults_install(workspace=workspace)
    assert main(["sla", "preview", "--workspace", "shop", "--channel", "board", "--type", "inquiry",
                 "--at", "2026-09-23T17:30:00+09:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["first_response_due_at"] == "2026-09-28T18:00:00+09:00"
