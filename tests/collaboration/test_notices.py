"""Reminders and alerts go through the notification center: who gets what, in the app and by email,
and each job sends once per period (day, or week for the summary)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from cxops.collaboration import jobs, notices, selectors, services
from cxops.collaboration.models import ChecklistItem, ReminderKind
from cxops.collaboration.rows import Row
from cxops.collaboration.specs import ItemSpec, TemplateSpec
from cxops.core.models import Membership, Workspace
from cxops.notifications import selectors as notification_selectors
from cxops.notifications.models import DigestMode, Notification, OutsideEmail
from cxops.notifications.services import digests_send, preference_set
from tests.factories import make_member

pytestmark = pytest.mark.django_db

KST = ZoneInfo("Asia/Seoul")
SPEC = TemplateSpec(
    name="오픈", items=(ItemSpec("전화번호", "IT", -5), ItemSpec("정책", "MD", -3), ItemSpec("교육", "교육팀", 2))
)


def _to(messages: list[Any]) -> list[str]:
    return sorted(m.to[0] for m in messages)


def test_overdue_items_remind_the_assignee_or_the_outside_team_once_a_day(
    workspace: Workspace, agent: Membership, lead: Membership
) -> None:
    checklist = services.checklist_instantiate(
        workspace=workspace, spec=SPEC, launch_date=date(2026, 10, 12), actor=None
    )
    phone, policy, training = checklist.items.order_by("position")
    services.item_update(item=phone, by=agent, status="todo", assignee_id=agent.pk, outside_team="")
    services.item_update(
        item=policy,
        by=agent,
        status="in_progress",
        assignee_id=None,
        outside_team="MD팀",
        outside_team_email="md@partner.example",
    )
    preference_set(membership=agent, digest=DigestMode.IMMEDIATE)
    today = date(2026, 10, 13)  # phone, policy overdue; training (due after launch) not yet
    assert notices.overdue_item_reminders(workspace=workspace, today=today) == 2
    # The outside team has no account: mailed at once, with the team's share link.
    assert _to(mail.outbox) == ["md@partner.example"]
    assert f"/s/{workspace.slug}/checklist/" in mail.outbox[0].body and "정책" in mail.outbox[0].subject
    # The assignee: in the notification center, and no one else.
    own = Notification.objects.get()
    assert own.recipient == agent and own.kind == ReminderKind.ITEM_OVERDUE and own.emailed_at is None
    assert own.dedupe_key == f"collab.item_overdue:item:{phone.pk}:2026-10-13"
    assert own.url == reverse("collab_checklist", kwargs={"slug": workspace.slug, "checklist_id": checklist.pk})
    assert own in selectors.notices_for(membership=agent)
    assert own in notification_selectors.notifications_for(membership=agent)
    assert selectors.notices_for(membership=lead) == []
    # The assignee's email comes as their preference says ("immediate": the next digest run).
    assert digests_send() == 1
    assert _to(mail.outbox[1:]) == [agent.user.email] and "전화번호" in mail.outbox[1].body
    # A second run the same day sends nothing; the next day reminds again.
    assert notices.overdue_item_reminders(workspace=workspace, today=today) == 0
    assert digests_send() == 0 and len(mail.outbox) == 2
    services.item_update(
        item=ChecklistItem.objects.get(pk=phone.pk), by=agent, status="done", assignee_id=agent.pk, outside_team=""
    )
    assert notices.overdue_item_reminders(workspace=workspace, today=today + timedelta(days=1)) == 1
    assert _to(mail.outbox[2:]) == ["md@partner.example"]
    assert OutsideEmail.objects.filter(address="md@partner.example", sent_at__isnull=False).count() == 2
    assert training.due_date > today


def test_an_assignee_who_turned_email_off_sees_the_reminder_in_the_app_only(
    workspace: Workspace, agent: Membership
) -> None:
    checklist = services.checklist_instantiate(
        workspace=workspace, spec=SPEC, launch_date=date(2026, 10, 12), actor=None
    )
    phone = checklist.items.order_by("position").first()
    assert phone is not None
    services.item_update(item=phone, by=agent, status="todo", assignee_id=agent.pk, outside_team="")
    preference_set(membership=agent, digest=DigestMode.OFF)
    assert notices.overdue_item_reminders(workspace=workspace, today=date(2026, 10, 13)) == 1
    assert digests_send(at=datetime(2026, 10, 14, 9, 7, tzinfo=KST)) == 0
    assert mail.outbox == [] and len(selectors.notices_for(membership=agent)) == 1


def test_change_reminders_n_days_before_to_every_member_and_the_list(
    workspace: Workspace, agent: Membership, lead: Membership, viewer: Membership
) -> None:
    workspace.settings = {
        "collaboration": {"change_reminder_days": 2, "change_reminder_emails": ["cs@shop.kr", lead.user.email]}
    }
    workspace.save()
    today = date(2026, 11, 2)
    default = services.change_save(
        workspace=workspace,
        actor=None,
        data=services.ChangeInput(
            kind="promotion",
            title="블랙프라이데이",
            starts_on=today + timedelta(days=2),
            expected_impact="high",
            prepared_answer="쿠폰 중복 사용 불가",
        ),
    )
    own = services.change_save(
        workspace=workspace,
        actor=None,
        data=services.ChangeInput(
            kind="maintenance", title="결제 점검", starts_on=today + timedelta(days=5), remind_days_before=5
        ),
    )
    services.change_save(
        workspace=workspace,
        actor=None,
        data=services.ChangeInput(kind="marketing", title="문자 발송", starts_on=today + timedelta(days=3)),
    )
    # Two reminded changes: three members in the app each, and one mail each to the outside list
    # (the lead on the list is a member: reached in the app and by their own email preference).
    assert notices.change_reminders(workspace=workspace, today=today) == 2 * 3 + 2
    assert _to(mail.outbox) == ["cs@shop.kr", "cs@shop.kr"]
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects[0] == f"[{workspace.name}] 2일 뒤 시작: 블랙프라이데이 (프로모션)"
    assert any("쿠폰 중복 사용 불가" in m.body for m in mail.outbox)
    for member in (agent, lead, viewer):
        rows = selectors.notices_for(membership=member)
        assert {n.url.rsplit("/", 2)[-2] for n in rows} == {str(default.pk), str(own.pk)}
        assert {n.kind_label for n in rows} == {"다가오는 변경"}  # type: ignore[attr-defined]
    assert notices.change_reminders(workspace=workspace, today=today) == 0
    assert notices.change_reminder_days(own, workspace) == 5
    # Members' mail comes in their digest (daily by default: from 08:00 the next morning), once.
    morning = datetime(2026, 11, 3, 8, 7, tzinfo=KST)
    assert digests_send(at=morning) == 3
    digests = [m for m in mail.outbox if m.to != ["cs@shop.kr"]]
    assert _to(digests) == sorted(m.user.email for m in (agent, lead, viewer))
    assert all("블랙프라이데이" in m.body and "결제 점검" in m.body for m in digests)
    assert digests_send(at=morning + timedelta(hours=1)) == 0


def test_a_queue_not_checked_by_its_time_alerts_leads_at_once_and_once_a_day(
    workspace: Workspace,
    agent: Membership,
    lead: Membership,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    manager = make_member(workspace, "manager")
    preference_set(membership=manager, digest=DigestMode.OFF)
    workspace.settings = {"collaboration": {"queue_alert_emails": "ops@shop.kr"}}
    workspace.save()
    queue = services.queue_save(workspace=workspace, by=agent, name="환불 실패", check_by=time(10, 0))
    services.queue_items_add(queue=queue, by=None, rows=[Row("R-1"), Row("R-2")], source="test")
    morning = datetime(2026, 11, 23, 9, 30, tzinfo=KST)
    assert notices.queue_check_alerts(workspace=workspace, now=morning) == 0
    late = datetime(2026, 11, 23, 10, 15, tzinfo=KST)
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.queue_check_alerts(workspace=workspace, now=late) == 3  # lead, manager, ops@ list
    # Urgent: the lead is mailed at once (the manager turned email off); agents are not alerted.
    assert _to(mail.outbox) == sorted([lead.user.email, "ops@shop.kr"])
    assert all("열린 항목 2건" in m.body for m in mail.outbox)
    assert [n.kind for n in selectors.notices_for(membership=lead)] == [ReminderKind.QUEUE_UNCHECKED]
    assert len(selectors.notices_for(membership=manager)) == 1 and selectors.notices_for(membership=agent) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.queue_check_alerts(workspace=workspace, now=late + timedelta(minutes=15)) == 0
        # The next day it alerts again.
        assert notices.queue_check_alerts(workspace=workspace, now=late + timedelta(days=1)) == 3
    assert len(mail.outbox) == 4
    # Checked today: no alert the next time.
    services.queue_mark_checked(queue=queue, by=agent)
    assert selectors.queues_check_missed(workspace=workspace, now=datetime.now(tz=KST)) == []


def test_weekly_summary_goes_to_members_and_the_list_once_per_week(workspace: Workspace, agent: Membership) -> None:
    workspace.settings = {"collaboration": {"weekly_summary_emails": "a@shop.kr; b@shop.kr"}}
    workspace.save()
    services.request_create(workspace=workspace, by=agent, data=services.RequestInput(title="관리 화면"))
    monday = selectors.today_for(workspace) + timedelta(days=7 - selectors.today_for(workspace).weekday())
    assert notices.weekly_summary_send(workspace=workspace, today=monday) == 3
    assert _to(mail.outbox) == ["a@shop.kr", "b@shop.kr"]
    assert "관리 화면" in mail.outbox[0].body and "요청·결정 주간 요약" in mail.outbox[0].subject
    (summary,) = selectors.notices_for(membership=agent)
    assert summary.kind == ReminderKind.WEEKLY_SUMMARY and "관리 화면" in summary.body
    assert summary.dedupe_key.endswith(f":{(monday - timedelta(days=7)).isoformat()}")
    assert notices.weekly_summary_send(workspace=workspace, today=monday + timedelta(days=2)) == 0
    assert notices.weekly_summary_send(workspace=workspace, today=monday + timedelta(days=7)) == 3


def test_the_periodic_jobs_run_every_workspace(workspace: Workspace, other_workspace: Workspace) -> None:
    make_member(workspace, "agent")
    make_member(other_workspace, "lead")
    for job in (
        jobs.checklist_overdue_reminders,
        jobs.change_calendar_reminders,
        jobs.exception_queue_check_alerts,
        jobs.request_weekly_summaries,
    ):
        job.call_local()
    weekly = Notification.objects.filter(kind=ReminderKind.WEEKLY_SUMMARY)
    assert sorted(weekly.values_list("workspace__slug", flat=True)) == ["other", "shop"]
