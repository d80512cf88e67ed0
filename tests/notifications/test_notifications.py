from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cxops.core.models import Membership, Team, Workspace
from cxops.notifications import selectors, services
from cxops.notifications.models import DigestMode, Notification
from tests.conftest import login
from tests.factories import make_member

KST = ZoneInfo("Asia/Seoul")


def test_notify_dedupes_per_recipient_and_skips_outsiders(workspace: Workspace, other_workspace: Workspace,
                                                          agent: Membership, lead: Membership) -> None:
    outsider = make_member(other_workspace, "agent")
    first = services.notify(workspace=workspace, recipients=[agent, lead, lead, outsider], kind="sla.breach",
                            title="SLA 초과: #12", url="/w/shop/tickets/12/", dedupe_key="sla:12:breach")
    assert {n.recipient_id for n in first} == {agent.pk, lead.pk}
    again = services.notify(workspace=workspace, recipients=[agent, lead], kind="sla.breach", title="SLA 초과: #12",
                            dedupe_key="sla:12:breach")
    assert again == []
    assert Notification.objects.filter(workspace=workspace).count() == 2
    assert selectors.unread_count(membership=agent) == 1


@pytest.mark.django_db(transaction=True)
def test_email_now_goes_out_after_commit_unless_member_turned_email_off(workspace: Workspace, agent: Membership,
                                                                       lead: Membership) -> None:
    services.preference_set(membership=agent, digest=DigestMode.OFF)
    services.notify(workspace=workspace, recipients=[agent, lead], kind="complaint.escalated",
                    title="민원 에스컬레이션: #7", body="고객이 1372 신고를 언급했습니다.", url="/w/shop/tickets/7/",
                    email_now=True)
    assert [m.to for m in mail.outbox] == [[lead.user.email]]
    assert "1372" in mail.outbox[0].body and "/w/shop/tickets/7/" in mail.outbox[0].body
    assert Notification.objects.get(recipient=lead).emailed_at is not None
    assert Notification.objects.get(recipient=agent).emailed_at is None


def test_daily_digest_waits_for_morning_and_sends_once_a_day(workspace: Workspace, agent: Membership) -> None:
    services.notify(workspace=workspace, recipients=[agent], kind="sla.warning", title="SLA 임박: #3")
    services.notify(workspace=workspace, recipients=[agent], kind="sla.warning", title="SLA 임박: #4")
    early = dt.datetime(2026, 12, 8, 7, 30, tzinfo=KST)
    assert services.digests_send(at=early) == 0
    morning = dt.datetime(2026, 12, 8, 8, 7, tzinfo=KST)
    assert services.digests_send(at=morning) == 1
    assert "2건" in mail.outbox[0].subject and "#3" in mail.outbox[0].body and "#4" in mail.outbox[0].body
    services.notify(workspace=workspace, recipients=[agent], kind="sla.warning", title="SLA 임박: #5")
    assert services.digests_send(at=morning + dt.timedelta(hours=3)) == 0  # already had today's
    assert services.digests_send(at=morning + dt.timedelta(days=1)) == 1
    assert "#5" in mail.outbox[1].body and "#3" not in mail.outbox[1].body


def test_hourly_digest_and_read_items_are_not_mailed(workspace: Workspace, agent: Membership) -> None:
    services.preference_set(membership=agent, digest=DigestMode.HOURLY)
    read, unread = (services.notify(workspace=workspace, recipients=[agent], kind="x", title=t)[0]
                    for t in ("이미 본 알림", "새 알림"))
    services.mark_read(membership=agent, notification_ids=[read.pk])
    assert services.digests_send(at=dt.datetime(2026, 12, 8, 2, 7, tzinfo=KST)) == 1
    assert "새 알림" in mail.outbox[0].body and "이미 본 알림" not in mail.outbox[0].body
    assert Notification.objects.get(pk=unread.pk).emailed_at is not None


def test_leads_for_prefers_the_team_then_the_workspace(workspace: Workspace, agent: Membership,
                                                       lead: Membership) -> None:
    manager = make_member(workspace, "manager")
    team = Team.objects.create(workspace=workspace, name="게시판팀")
    assert selectors.leads_for(workspace=workspace, team=team) == [lead, manager]
    team.members.add(lead, agent)
    assert selectors.leads_for(workspace=workspace, team=team) == [lead]


def test_pages_bell_and_read_all(client: Client, workspace: Workspace, agent: Membership,
                                 other_workspace: Workspace) -> None:
    login(client, agent)
    item = services.notify(workspace=workspace, recipients=[agent], kind="sla.breach", title="SLA 초과: #12",
                           url="/w/shop/tickets/12/")[0]
    bell = client.get(reverse("notifications_bell", kwargs={"slug": "shop"}))
    assert bell.status_code == 200 and 'data-unread="1"' in bell.content.decode()
    page = client.get(reverse("notifications", kwargs={"slug": "shop"}))
    assert "SLA 초과: #12" in page.content.decode()
    opened = client.post(reverse("notification_open", kwargs={"slug": "shop", "notification_id": item.pk}))
    assert opened.status_code == 302 and opened["Location"] == "/w/shop/tickets/12/"
    assert selectors.unread_count(membership=agent) == 0
    services.notify(workspace=workspace, recipients=[agent], kind="x", title="둘째")
    client.post(reverse("notifications_read_all", kwargs={"slug": "shop"}))
    assert selectors.unread_count(membership=agent) == 0
    assert client.get(reverse("notifications", kwargs={"slug": "other"})).status_code == 404
    client.post(reverse("notifications_preference", kwargs={"slug": "shop"}), {"digest": "hourly"})
    assert services.preference_get(agent).digest == DigestMode.HOURLY


def test_api_lists_marks_read_and_sets_preference(client: Client, workspace: Workspace, agent: Membership,
                                                  lead: Membership) -> None:
    login(client, agent)
    for i in range(3):
        services.notify(workspace=workspace, recipients=[agent], kind="sla.warning", title=f"임박 {i}")
    services.notify(workspace=workspace, recipients=[lead], kind="x", title="팀장 것")
    res = client.get("/api/v1/workspaces/shop/notifications?limit=2")
    body: dict[str, Any] = res.json()
    assert res.status_code == 200 and body["unread_count"] == 3 and len(body["items"]) == 2
    assert [i["title"] for i in body["items"]] == ["임박 2", "임박 1"]
    rest = client.get(f"/api/v1/workspaces/shop/notifications?cursor={body['next_cursor']}").json()
    assert [i["title"] for i in rest["items"]] == ["임박 0"]
    lead_item = Notification.objects.get(recipient=lead)
    marked = client.post("/api/v1/workspaces/shop/notifications/read",
                         {"ids": [body["items"][0]["id"], lead_item.pk]}, content_type="application/json")
    assert marked.json() == {"marked": 1}  # someone else's notification is not touched
    assert client.post("/api/v1/workspaces/shop/notifications/read", {},
                       content_type="application/json").json() == {"marked": 2}
    put = client.put("/api/v1/workspaces/shop/notifications/preference", {"digest": "off"},
                     content_type="application/json")
    assert put.status_code == 200 and put.json() == {"digest": "off"}
    bad = client.put("/api/v1/workspaces/shop/notifications/preference", {"digest": "sometimes"},
                     content_type="application/json")
    assert bad.status_code == 422


def test_email_outside_mails_each_address_once_per_key(workspace: Workspace) -> None:
    args: dict[str, Any] = {"workspace": workspace, "kind": "collab.change_upcoming", "title": "3일 뒤 시작: 세일",
                            "body": "쿠폰 1인 1매", "url": "/w/shop/collab/changes/1/", "dedupe_key": "change:1:d"}
    assert services.email_outside(addresses=["cs@shop.kr", "CS@shop.kr ", "not-an-address"], **args) == 1
    assert [m.to for m in mail.outbox] == [["cs@shop.kr"]]
    assert mail.outbox[0].subject == f"[{workspace.name}] 3일 뒤 시작: 세일"
    assert "쿠폰 1인 1매" in mail.outbox[0].body and "http" in mail.outbox[0].body  # an absolute link
    assert services.email_outside(addresses=["cs@shop.kr", "md@partner.example"], **args) == 1
    assert [m.to for m in mail.outbox[1:]] == [["md@partner.example"]]
    assert services.email_outside(addresses=["cs@shop.kr"], **{**args, "dedupe_key": "change:1:next"}) == 1


def test_members_by_email_and_notifications_of_one_source(workspace: Workspace, other_workspace: Workspace,
                                                          agent: Membership) -> None:
    outsider = make_member(other_workspace, "agent")
    members, others = selectors.members_by_email(
        workspace=workspace, addresses=[agent.user.email.upper(), outsider.user.email, "cs@shop.kr", "x"])
    assert members == [agent] and others == [outsider.user.email.lower(), "cs@shop.kr"]
    services.notify(workspace=workspace, recipients=[agent], kind="collab.item_overdue", title="기한 지남")
    services.notify(workspace=workspace, recipients=[agent], kind="sla.warning", title="SLA 임박")
    assert [n.title for n in selectors.notifications_for(membership=agent, kind_prefix="collab.")] == ["기한 지남"]
    assert selectors.notifications_for(membership=agent).count() == 2
