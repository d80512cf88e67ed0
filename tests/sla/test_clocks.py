"""SLA clocks on tickets: deadlines stored by the lifecycle hook, pauses, met targets, bulk compute,
the recompute after a setup change and the minute job's warnings and breaches."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxops.core.models import Membership, Workspace
from cxops.notifications.models import Notification
from cxops.sla import clocks
from cxops.sla.models import SlaEvent
from cxops.sla.selectors import ticket_badge, ticket_sla
from cxops.sla.services import (
    calendar_save,
    policy_save,
    sla_check_due,
    tickets_sla_compute,
    workspace_sla_defaults_install,
    workspace_sla_recompute,
)
from cxops.tickets.models import Message, MessageKind, Ticket
from cxops.tickets.services import TicketFields, ticket_create, ticket_customer_message, ticket_reply, ticket_update
from tests.factories import make_member

KST = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


def kst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KST)  # type: ignore[misc]


def new_ticket(workspace: Workspace, at: dt.datetime, channel: str = "board", priority: str = "normal",
               tags: tuple[str, ...] = (), assignee: Membership | None = None) -> Ticket:
    return ticket_create(workspace=workspace, channel=channel, subject="배송 문의", body_text="언제 오나요",
                         created_at=at, fields=TicketFields(priority=priority, tags=tags,
                                                            assignee_id=assignee.user_id if assignee else None))


def reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


class Clock:
    def __init__(self, monkeypatch: Any) -> None:
        self.at = dt.datetime.now(dt.UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.at)
        monkeypatch.setattr("cxops.sla.services.now", lambda: self.at)

    def move_to(self, at: dt.datetime) -> None:
        self.at = at.astimezone(dt.UTC)


@pytest.fixture
def freezer(monkeypatch: Any) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def defaults(workspace: Workspace) -> Any:
    return workspace_sla_defaults_install(workspace=workspace)


def test_board_inquiry_after_cutoff_before_chuseok(workspace: Workspace, defaults: Any) -> None:
    # Wed 2026-09-23 17:30 KST: after the 17:00 cutoff; Thu–Sat is Chuseok → due Mon 28 18:00.
    ticket = reload(new_ticket(workspace, kst(2026, 9, 23, 17, 30)))
    assert ticket.sla_policy_id == defaults.policies[1].pk  # 기본 SLA
    assert ticket.first_response_due_at == kst(2026, 9, 28, 18, 0)
    assert ticket.next_reply_due_at is None
    # 1440 business minutes = 24 h of 9-h days... 3 business days minus lunch: from Mon 28 09:00.
    assert ticket.resolution_due_at is not None and ticket.resolution_due_at > ticket.first_response_due_at
    assert ticket.sla_next_due_at == ticket.first_response_due_at
    assert ticket.sla_next_check_at is not None and ticket.sla_next_check_at < ticket.first_response_due_at


def test_urgent_policy_and_priority_change_recompute(workspace: Workspace, defaults: Any, agent: Membership) -> None:
    ticket = new_ticket(workspace, kst(2026, 11, 2, 10, 0))  # Monday
    assert reload(ticket).first_response_due_at == kst(2026, 11, 2, 18, 0)  # board: cutoff rule
    ticket_update(ticket=ticket, by=agent, priority="urgent")
    ticket = reload(ticket)
    assert ticket.sla_policy_id == defaults.policies[0].pk
    assert ticket.first_response_due_at == kst(2026, 11, 2, 12, 0)  # 2 business hours, no cutoff
    assert ticket.resolution_due_at == kst(2026, 11, 3, 10, 0)  # 8 business hours (lunch skipped)


def test_first_reply_meets_first_response_in_both_forms(workspace: Workspace, defaults: Any,
                                                         agent: Membership, freezer: Any) -> None:
    freezer.move_to(kst(2026, 11, 2, 18, 30))
    ticket = new_ticket(workspace, kst(2026, 11, 2, 11, 0))
    ticket_reply(ticket=ticket, by=agent, body_text="확인해 드리겠습니다")
    ticket = reload(ticket)
    event = SlaEvent.objects.get(ticket=ticket, target="first_response", kind="met")
    assert event.wall_seconds == int(7.5 * 3600)
    assert event.business_seconds == 6 * 3600  # 11–12 and 13–18
    assert event.within_target is False  # due 18:00 that day
    assert ticket.status == "pending" and ticket.sla_paused_at is not None
    assert ticket.sla_next_due_at is None and ticket.resolution_due_at is None  # resolution clock stopped
    summary = ticket_sla(ticket=ticket, at=kst(2026, 11, 2, 18, 30))
    assert summary.first_response is not None
    assert summary.first_response.wall == dt.timedelta(hours=7, minutes=30)
    assert summary.first_response.business == dt.timedelta(hours=6)
    assert {c.target: c.state for c in summary.clocks}["first_response"] == "missed"
    assert ticket_badge(ticket, kst(2026, 11, 2, 18, 30)).state == "paused"  # type: ignore[union-attr]


def test_pause_shifts_resolution_and_next_reply_runs(workspace: Workspace, defaults: Any, agent: Membership,
                                                     freezer: Any) -> None:
    freezer.move_to(kst(2026, 11, 2, 10, 0))
    ticket = new_ticket(workspace, kst(2026, 11, 2, 9, 0))
    original = reload(ticket).resolution_due_at
    ticket_reply(ticket=ticket, by=agent, body_text="주문번호를 알려 주세요")  # → pending, paused 10:00
    freezer.move_to(kst(2026, 11, 2, 15, 0))
    message = ticket_customer_message(ticket=ticket, body_text="12345 입니다", received_at=kst(2026, 11, 2, 15, 0))
    assert message.kind == MessageKind.CUSTOMER
    ticket = reload(ticket)
    assert ticket.status == "open" and ticket.sla_paused_at is None
    assert ticket.sla_paused_seconds == 4 * 3600  # 10–12, 13–15
    assert original is not None and ticket.resolution_due_at is not None
    assert ticket.resolution_due_at > original
    assert ticket.sla_reply_from == kst(2026, 11, 2, 15, 0)
    assert ticket.next_reply_due_at == kst(2026, 11, 2, 18, 0)  # board: before 17:00 → today's close
    assert ticket.sla_next_due_at == ticket.next_reply_due_at
    freezer.move_to(kst(2026, 11, 2, 16, 0))
    ticket_reply(ticket=ticket, by=agent, body_text="발송되었습니다", set_status="solved")
    ticket = reload(ticket)
    assert ticket.next_reply_due_at is None and ticket.sla_next_due_at is None
    kinds = set(SlaEvent.objects.filter(ticket=ticket).values_list("target", "kind"))
    assert kinds == {("first_response", "met"), ("next_reply", "met"), ("resolution", "met")}
    resolution = SlaEvent.objects.get(ticket=ticket, target="resolution")
    assert resolution.wall_seconds == 7 * 3600
    assert resolution.business_seconds == 2 * 3600  # 6 business hours minus 4 paused
    assert resolution.within_target is True


def test_tag_policy_matches_on_create_and_update(workspace: Workspace, agent: Membership) -> None:
    calendar_save(workspace=workspace, actor=None, name="평일", weekly_hours={
        k: ["09:00-18:00"] for k in ("mon", "tue", "wed", "thu", "fri")}, use_korean_holidays=False)
    vip = policy_save(workspace=workspace, actor=None, name="VIP", position=1, tags=["vip"],
                      first_response_minutes=30, use_cutoff=False)
    ticket = new_ticket(workspace, kst(2026, 11, 2, 10, 0), tags=("vip",))
    assert reload(ticket).sla_policy_id == vip.pk
    assert reload(ticket).first_response_due_at == kst(2026, 11, 2, 10, 30)
    ticket_update(ticket=ticket, by=agent, tags=[])
    assert reload(ticket).sla_policy_id is None
    assert reload(ticket).first_response_due_at == kst(2026, 11, 2, 18, 0)


def test_hook_is_cheap(workspace: Workspace, defaults: Any) -> None:
    new_ticket(workspace, kst(2026, 11, 2, 10, 0))  # warm the setup
    with CaptureQueriesContext(connection) as plain:
        ticket_create(workspace=workspace, channel="board", subject="a", body_text="b",
                      created_at=kst(2026, 11, 2, 10, 0))
    updates = [q for q in plain.captured_queries if "sla_" in q["sql"].lower() and "UPDATE" in q["sql"]]
    assert updates == []  # the deadlines go in with the INSERT (prepare hook), no UPDATE after it
    ticket = Ticket.objects.order_by("-pk").first()
    assert ticket is not None and ticket.first_response_due_at is not None and ticket.sla_next_due_at is not None
    assert not [q for q in plain.captured_queries if "sla_slapolicy" in q["sql"] or "sla_businesscal" in q["sql"]]


def test_calendar_change_recomputes_open_tickets(workspace: Workspace, defaults: Any) -> None:
    ticket = new_ticket(workspace, kst(2026, 11, 2, 10, 0), channel="phone")
    assert reload(ticket).first_response_due_at == kst(2026, 11, 3, 10, 0)  # 8 business hours
    calendar_save(workspace=workspace, actor=None, name=defaults.calendar.name, calendar=defaults.calendar,
                  weekly_hours={k: ["09:00-18:00"] for k in ("mon", "tue", "wed", "thu", "fri")})
    assert workspace_sla_recompute(workspace_id=workspace.pk) == 1
    assert reload(ticket).first_response_due_at == kst(2026, 11, 2, 18, 0)  # no lunch break now


def test_bulk_compute_for_imports(workspace: Workspace, defaults: Any, freezer: Any) -> None:
    freezer.move_to(kst(2026, 11, 10, 10, 0))
    ids = [Ticket.objects.create(workspace=workspace, number=100 + i, subject="가져옴", channel="phone",
                                 status="open", created_at=kst(2026, 11, 2 + i, 10, 0)).pk for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        assert tickets_sla_compute(workspace_id=workspace.pk, ticket_ids=ids, quiet_past=True) == 5
    assert len(queries.captured_queries) <= 6
    rows = {t.pk: t for t in Ticket.objects.filter(pk__in=ids)}
    assert all(rows[i].first_response_due_at is not None for i in ids)
    # Monday's ticket is long overdue: counted as already alerted, so the minute job stays quiet.
    old = rows[ids[0]]
    assert old.sla_flags & clocks.bit("first_response", "breach")
    assert sla_check_due(at=kst(2026, 11, 10, 10, 0)) == 0


def test_minute_job_warns_then_breaches_once(workspace: Workspace, defaults: Any, freezer: Any) -> None:
    agent = make_member(workspace, "agent")
    lead = make_member(workspace, "lead")
    freezer.move_to(kst(2026, 11, 2, 9, 0))
    ticket = new_ticket(workspace, kst(2026, 11, 2, 9, 0), channel="phone", assignee=agent)
    due = reload(ticket).first_response_due_at
    assert due == kst(2026, 11, 2, 18, 0)  # 8 business hours over lunch
    warn_at = reload(ticket).sla_next_check_at
    assert warn_at == kst(2026, 11, 2, 16, 0)  # 75 % of 8 h = 6 h → 16:00
    assert sla_check_due(at=kst(2026, 11, 2, 15, 59)) == 0
    assert sla_check_due(at=kst(2026, 11, 2, 16, 1)) == 1
    assert sla_check_due(at=kst(2026, 11, 2, 16, 2)) == 0  # idempotent
    warning = SlaEvent.objects.get(ticket=ticket, kind="warning")
    assert warning.target == "first_response" and warning.at == warn_at
    assert Notification.objects.filter(recipient=agent, kind="sla.warning").count() == 1
    assert not Notification.objects.filter(recipient=lead).exists()
    assert reload(ticket).sla_next_check_at == due
    assert ticket_badge(reload(ticket), kst(2026, 11, 2, 17, 0)).state == "warning"  # type: ignore[union-attr]
    assert sla_check_due(at=kst(2026, 11, 2, 18, 5)) >= 1
    assert SlaEvent.objects.filter(ticket=ticket, kind="breach", target="first_response").count() == 1
    assert Notification.objects.filter(recipient=lead, kind="sla.breach").count() == 1
    assert Notification.objects.filter(recipient=agent, kind="sla.breach").count() == 1
    timeline = list(Message.objects.filter(ticket=ticket, kind=MessageKind.EVENT).values_list("body_text", flat=True))
    assert any("SLA 임박" in t for t in timeline) and any("SLA 초과" in t for t in timeline)
    assert sla_check_due(at=kst(2026, 11, 2, 18, 6)) == 0
    badge = ticket_badge(reload(ticket), kst(2026, 11, 3, 10, 0))
    assert badge is not None and badge.state == "breached"


def test_imported_tickets_get_deadlines_in_bulk(workspace: Workspace, defaults: Any, tmp_path: Any) -> None:
    from cxops.tickets.importer import import_tickets_file
    from tests.factories import make_user
    from tests.tickets.test_importer import rows_sample, write_csv

    make_member(workspace, "agent", user=make_user(email="kim@cx.example.kr"))
    summary = import_tickets_file(workspace=workspace, path=write_csv(tmp_path / "t.csv", rows_sample()))
    assert summary.created == 3
    board = Ticket.objects.get(workspace=workspace, external_id="A-2")  # Sun 2026-03-15 14:05, open
    assert board.sla_policy_id == defaults.policies[1].pk
    assert board.first_response_due_at == kst(2026, 3, 16, 18, 0)  # next business day's close
    assert board.sla_next_due_at == board.first_response_due_at
    # Long past: the alerts count as sent, so the minute job stays quiet about history.
    assert board.sla_flags & clocks.bit("first_response", "breach")
    solved = Ticket.objects.get(workspace=workspace, external_id="A-1")
    assert solved.sla_next_due_at is None and solved.first_response_due_at is not None


def test_minute_job_runs_the_check(workspace: Workspace, defaults: Any, freezer: Any) -> None:
    from cxops.sla import jobs

    freezer.move_to(kst(2026, 11, 2, 9, 0))
    ticket = new_ticket(workspace, kst(2026, 11, 2, 9, 0), channel="phone")
    freezer.move_to(kst(2026, 11, 2, 18, 1))
    jobs.sla_check()
    assert SlaEvent.objects.filter(ticket=ticket, kind="breach").count() == 1
    assert reload(ticket).sla_next_check_at is not None  # the resolution clock still runs
