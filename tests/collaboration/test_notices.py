"""Reminders and alerts: who gets what, and each job is idempotent per day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from cxops.collaboration import jobs, notices, selectors, services
from cxops.collaboration.models import ChecklistItem, Notice, NoticeKind
from cxops.collaboration.rows import Row
from cxops.collaboration.specs import ItemSpec, TemplateSpec
from cxops.core.models import Membership, Workspace
from tests.factories import make_member

pytestmark = pytest.mark.django_db

KST = ZoneInfo("Asia/Seoul")
SPEC = TemplateSpec(name="오픈", items=(ItemSpec("전화번호", "IT", -5), ItemSpec("정책", "MD", -3),
                                       ItemSpec("교육", "교육팀", 2)))


def test_overdue_items_remind_the_assignee_or_the_outside_team_once_a_day(workspace: Workspace,
                                                                           agent: Membership) -> None:
    checklist = services.checklist_instantiate(workspace=workspace, spec=SPEC, launch_date=date(2026, 10, 12),
                                               actor=None)
    phone, policy, training = checklist.items.order_by("position")
    services.item_update(item=phone, by=agent, status="todo", assignee_id=agent.pk, outside_team="")
    services.item_update(item=policy, by=agent, status="in_progress", assignee_id=None, outside_team="MD팀",
                         outside_team_email="md@partner.example")
    today = date(2026, 10, 13)  # phone, policy overdue; training (due after launch) not yet
    assert notices.overdue_item_reminders(workspace=workspace, today=today) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.user.email, "md@partner.example"])
    outside = next(m for m in mail.outbox if m.to == ["md@partner.example"])
    assert f"/s/{workspace.slug}/checklist/" in outside.body  # the team's share link, no account needed
    own = Notice.objects.get(recipient=agent)
    assert own.kind == NoticeKind.ITEM_OVERDUE and own.emailed_at is not None
    assert own in selectors.notices_for(membership=agent)
    # A second run the same day sends nothing; the next day reminds again.
    assert notices.overdue_item_reminders(workspace=workspace, today=today) == 0
    assert len(mail.outbox) == 2
    services.item_update(item=ChecklistItem.objects.get(pk=phone.pk), by=agent, status="done",
                         assignee_id=agent.pk, outside_team="")
    assert notices.overdue_item_reminders(workspace=workspace, today=today + timedelta(days=1)) == 1
    assert training.due_date > today


def test_change_reminders_n_days_before_per_event_or_workspace_default(workspace: Workspace,
                                                                        agent: Membership) -> None:
    workspace.settings = {"collaboration": {"change_reminder_days": 2, "change_reminder_emails": ["cs@shop.kr"]}}
    workspace.save()
    today = date(2026, 11, 2)
    default = services.change_save(workspace=workspace, actor=None, data=services.ChangeInput(
        kind="promotion", title="블랙프라이데이", starts_on=today + timedelta(days=2), expected_impact="high",
        prepared_answer="쿠폰 중복 사용 불가"))
    own = services.change_save(workspace=workspace, actor=None, data=services.ChangeInput(
        kind="maintenance", title="결제 점검", starts_on=today + timedelta(days=5), remind_days_before=5))
    services.change_save(workspace=workspace, actor=None, data=services.ChangeInput(
        kind="marketing", title="문자 발송", starts_on=today + timedelta(days=3)))
    # One in-app notice and one mail per reminded change.
    assert notices.change_reminders(workspace=workspace, today=today) == 4
    titles = sorted(m.subject for m in mail.outbox)
    assert len(titles) == 2 and "2일 뒤 시작: 블랙프라이데이" in titles[0] + titles[1]
    assert any("쿠폰 중복 사용 불가" in m.body for m in mail.outbox)
    workspace_wide = Notice.objects.filter(recipient__isnull=True, email="")
    assert {n.url.rsplit("/", 2)[-2] for n in workspace_wide} == {str(default.pk), str(own.pk)}
    assert notices.change_reminders(workspace=workspace, today=today) == 0
    assert notices.change_reminder_days(own, workspace) == 5
    assert len(selectors.notices_for(membership=agent)) == 2


def test_a_queue_not_checked_by_its_time_alerts_leads_once(workspace: Workspace, agent: Membership,
                                                           lead: Membership) -> None:
    queue = services.queue_save(workspace=workspace, by=agent, name="환불 실패", check_by=time(10, 0))
    services.queue_items_add(queue=queue, by=None, rows=[Row("R-1"), Row("R-2")], source="test")
    morning = datetime(2026, 11, 23, 9, 30, tzinfo=KST)
    assert notices.queue_check_alerts(workspace=workspace, now=morning) == 0
    late = datetime(2026, 11, 23, 10, 15, tzinfo=KST)
    assert notices.queue_check_alerts(workspace=workspace, now=late) == 2  # in-app + the lead's mail
    assert [m.to for m in mail.outbox] == [[lead.user.email]]  # agents are not alerted
    assert "열린 항목 2건" in mail.outbox[0].body
    assert notices.queue_check_alerts(workspace=workspace, now=late + timedelta(minutes=15)) == 0
    # Checked today: no alert the next time either.
    services.queue_mark_checked(queue=queue, by=agent)
    queue.refresh_from_db()
    assert selectors.queues_check_missed(workspace=workspace, now=timezone.now()) in ([], [queue])


def test_weekly_summary_goes_to_the_list_once_per_week(workspace: Workspace, agent: Membership) -> None:
    workspace.settings = {"collaboration": {"weekly_summary_emails": "a@shop.kr; b@shop.kr"}}
    workspace.save()
    services.request_create(workspace=workspace, by=agent, data=services.RequestInput(title="관리 화면"))
    monday = selectors.today_for(workspace) + timedelta(days=7 - selectors.today_for(workspace).weekday())
    assert notices.weekly_summary_send(workspace=workspace, today=monday) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["a@shop.kr", "b@shop.kr"]
    assert "관리 화면" in mail.outbox[0].body and "요청·결정 주간 요약" in mail.outbox[0].subject
    assert notices.weekly_summary_send(workspace=workspace, today=monday + timedelta(days=2)) == 0


def test_the_periodic_jobs_run_every_workspace(workspace: Workspace, other_workspace: Workspace) -> None:
    make_member(other_workspace, "lead")
    for job in (jobs.checklist_overdue_reminders, jobs.change_calendar_reminders,
                jobs.exception_queue_check_alerts, jobs.request_weekly_summaries):
        job.call_local()
    assert Notice.objects.filter(kind=NoticeKind.WEEKLY_SUMMARY).count() == 2
