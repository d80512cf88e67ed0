from __future__ import annotations

import datetime as dt

import pytest

from cxops.core.models import AuditEvent
from cxops.core.services import ServiceError
from cxops.workforce import selectors, services
from cxops.workforce.models import ScheduleStatus, ShiftAssignment, SolveStatus
from tests.factories import make_member, make_ticket
from tests.workforce.fixtures import day_shift, make_schedule

pytestmark = pytest.mark.django_db


def test_settings_save_validates_and_audits(workspace, lead):
    row = services.settings_save(workspace=workspace, by=lead, channel="phone", data=services.SettingsInput(
        interval_min=30, aht_s=200, target_sl="0.8", shrinkage="0.3", max_occupancy="0.85"))
    assert row.aht_s == 200
    assert AuditEvent.objects.filter(workspace=workspace, action="workforce.settings_save").exists()
    with pytest.raises(ServiceError):
        services.settings_save(workspace=workspace, by=lead, channel="phone",
                               data=services.SettingsInput(shrinkage="1.5"))
    with pytest.raises(ServiceError):
        services.settings_save(workspace=workspace, by=lead, channel="phone", data=services.SettingsInput(
            interval_min=20))


def test_agents_may_not_change_planning(workspace, agent):
    with pytest.raises(PermissionError):
        services.settings_save(workspace=workspace, by=agent, channel="phone", data=services.SettingsInput())


def test_shift_template_rules(workspace, lead):
    shift = day_shift(workspace, lead)
    assert shift.paid_min == 480
    with pytest.raises(ServiceError):
        services.shift_template_save(workspace=workspace, by=lead, name="주간", start="10:00", length_min=480)
    with pytest.raises(ServiceError):
        services.shift_template_save(workspace=workspace, by=lead, name="x", start="10:00", length_min=480,
                                     breaks="470+30")
    with pytest.raises(ServiceError):
        services.shift_template_save(workspace=workspace, by=lead, name="y", start="25:00", length_min=480)


def test_schedule_is_solved_edited_swapped_and_published(workspace, lead):
    a, b = make_member(workspace, "agent"), make_member(workspace, "agent")
    schedule = make_schedule(workspace, lead, [a, b])
    assert schedule.solve_status == SolveStatus.DONE, schedule.solve_message
    assert sum(schedule.requirements["phone"]) > 0
    rows = ShiftAssignment.objects.filter(schedule=schedule)
    assert rows.count() == 10  # two agents × five days of 8 paid hours (40 h contracts)
    day = schedule.start_date
    late = services.shift_template_save(workspace=workspace, by=lead, name="야간", start="22:00", length_min=480)
    # a late shift followed by the 09:00 shift next morning leaves 3 h of rest: refused, nothing written.
    # The day is one that a works (and the next too): once it is off, a works 4 days and b 5, so the
    # swap below always finds a day where exactly one of them works.
    target_day = next(
        d for d in (day + dt.timedelta(days=i) for i in range(6))
        if rows.filter(membership=a, date=d).exists() and rows.filter(membership=a, date=d + dt.timedelta(days=1)).exists())
    with pytest.raises(ServiceError, match="휴식"):
        services.assignment_set(schedule=schedule, by=lead, membership_id=a.pk, date=target_day, shift_id=late.pk)
    # off → fine
    services.assignment_set(schedule=schedule, by=lead, membership_id=a.pk, date=target_day, shift_id=None)
    assert not rows.filter(membership=a, date=target_day).exists()
    # swap a day where exactly one of them works
    swap_day = next(d for d in (day + dt.timedelta(days=i) for i in range(7))
                    if rows.filter(membership=b, date=d).exists() != rows.filter(membership=a, date=d).exists())
    had_b = rows.filter(membership=b, date=swap_day).exists()
    try:
        services.assignments_swap(schedule=schedule, by=lead, first_id=a.pk, second_id=b.pk, date=swap_day)
    except ServiceError as exc:  # the swap may break the consecutive-day rule; then nothing changes
        assert "연속" in str(exc)
    else:
        assert rows.filter(membership=a, date=swap_day).exists() == had_b
    assert AuditEvent.objects.filter(workspace=workspace, action__startswith="workforce.assign").exists()
    services.schedule_publish(schedule=schedule, by=lead)
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.PUBLISHED
    mine = selectors.my_assignments(membership=b, start=schedule.start_date)
    assert mine and all(x.membership_id == b.pk for x in mine)
    assert selectors.my_assignments(membership=lead, start=schedule.start_date) == []


def test_consecutive_days_rule():
    from cxops.workforce.models import ShiftTemplate

    shift = ShiftTemplate(name="d", start=dt.time(9), length_min=540)
    days = [(dt.date(2026, 1, 1) + dt.timedelta(days=i), shift) for i in range(7)]
    assert services.rule_violations(days, max_consecutive_days=6)
    assert not services.rule_violations(days[:6], max_consecutive_days=6)


def test_schedule_without_templates_is_refused(workspace, lead, agent):
    with pytest.raises(ServiceError, match="근무 유형"):
        services.schedule_create(workspace=workspace, by=lead, name="", start_date=dt.date(2026, 12, 7), weeks=1)


def test_qa_scorecard(workspace, lead, agent):
    c1 = services.qa_criterion_save(workspace=workspace, by=lead, name="인사", weight=1)
    c2 = services.qa_criterion_save(workspace=workspace, by=lead, name="정확성", weight=3)
    ticket = make_ticket(workspace)
    with pytest.raises(ServiceError, match="담당자"):
        services.qa_scorecard_create(workspace=workspace, by=lead, ticket_number=ticket.number, scores={})
    ticket.assignee = agent.user
    ticket.save()
    with pytest.raises(ServiceError, match="모든 항목"):
        services.qa_scorecard_create(workspace=workspace, by=lead, ticket_number=ticket.number, scores={c1.pk: 5})
    card = services.qa_scorecard_create(workspace=workspace, by=lead, ticket_number=ticket.number,
                                        scores={c1.pk: 5, c2.pk: 3})
    assert card.total == pytest.approx((5 * 1 + 3 * 3) / 20 * 100)
    assert card.agent_id == agent.pk
