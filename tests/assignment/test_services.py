from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cxops.assignment import selectors, services
from cxops.assignment.models import AssignmentSettings
from cxops.core.models import Membership
from cxops.core.services import ServiceError, team_create
from cxops.tickets.models import Category, Message, MessageKind, Ticket
from cxops.tickets.services import TicketFields, agent_availability_set, ticket_create, ticket_update
from cxops.workforce.models import Schedule, ScheduleStatus, ShiftAssignment, ShiftTemplate, SolveStatus
from tests.assignment.fixtures import auto_team, online_agents
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(workspace):
    return make_member(workspace, "manager")


def new_ticket(workspace, channel="board", **fields):
    return ticket_create(workspace=workspace, channel=channel, subject="문의", body_text="내용",
                         fields=TicketFields(**fields))


def give(ticket_count, workspace, agent, status="open"):
    for _ in range(ticket_count):
        ticket = new_ticket(workspace)
        Ticket.objects.filter(pk=ticket.pk).update(assignee=agent.user, status=status)


def events(ticket):
    return list(Message.objects.filter(ticket=ticket, kind=MessageKind.EVENT).values_list("body_text", flat=True))


# --- routing --------------------------------------------------------------------------------------

def test_rules_route_by_channel_category_parent_and_type_first_match_wins(workspace, manager):
    chat = team_create(workspace=workspace, name="채팅팀", actor=None)
    delivery = team_create(workspace=workspace, name="배송팀", actor=None)
    complaints = team_create(workspace=workspace, name="불만팀", actor=None)
    parent = Category.objects.get(workspace=workspace, name="배송", parent=None)
    child = Category.objects.get(workspace=workspace, name="배송 지연")
    services.routing_rule_save(workspace=workspace, by=manager, name="불만", team_id=complaints.pk,
                               types=["complaint"], position=1)
    services.routing_rule_save(workspace=workspace, by=manager, name="채팅", team_id=chat.pk, channels=["chat"],
                               position=2)
    services.routing_rule_save(workspace=workspace, by=manager, name="배송", team_id=delivery.pk,
                               category_ids=[parent.pk], position=3)
    assert new_ticket(workspace, channel="chat", type="complaint").team_id == complaints.pk
    assert new_ticket(workspace, channel="chat").team_id == chat.pk
    routed = new_ticket(workspace, category_id=child.pk)
    assert routed.team_id == delivery.pk
    assert Ticket.objects.get(pk=routed.pk).team_id == delivery.pk
    assert any("라우팅 규칙 '배송'" in e for e in events(routed))
    # No rule, no default team: the workspace-wide queue.
    assert new_ticket(workspace).team_id is None


def test_a_ticket_no_rule_matches_goes_to_the_default_team(workspace, manager):
    general = team_create(workspace=workspace, name="일반", actor=None)
    services.settings_save(workspace=workspace, by=manager, default_team_id=general.pk)
    assert new_ticket(workspace).team_id == general.pk
    assert make_ticket(workspace).team_id == general.pk  # through the channel intake too
    # A team given by the caller is kept.
    other = team_create(workspace=workspace, name="다른팀", actor=None)
    assert new_ticket(workspace, team_id=other.pk).team_id == other.pk


def test_routing_reads_no_table_when_warm_and_sees_every_change(workspace, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chat = team_create(workspace=workspace, name="채팅팀", actor=None)
    rule = services.routing_rule_save(workspace=workspace, by=manager, name="채팅", team_id=chat.pk,
                                      channels=["chat"])
    assert new_ticket(workspace, channel="chat").team_id == chat.pk  # warms the compiled routing table
    with CaptureQueriesContext(connection) as queries:
        assert new_ticket(workspace, channel="chat").team_id == chat.pk
    read = [q["sql"] for q in queries.captured_queries
            if "assignment_routingrule" in q["sql"] or "assignment_assignmentsettings" in q["sql"]
            or 'FROM "tickets_category"' in q["sql"]]
    assert read == []
    # A rule edited, a default team set, a category moved, a team deleted: each seen on the next ticket.
    services.routing_rule_save(workspace=workspace, by=manager, name="채팅", team_id=chat.pk, channels=["email"],
                               rule=rule)
    assert new_ticket(workspace, channel="chat").team_id is None
    general = team_create(workspace=workspace, name="일반", actor=None)
    services.settings_save(workspace=workspace, by=manager, default_team_id=general.pk)
    assert new_ticket(workspace, channel="chat").team_id == general.pk
    parent = Category.objects.get(workspace=workspace, name="배송", parent=None)
    other = Category.objects.get(workspace=workspace, name="상품", parent=None)
    services.routing_rule_save(workspace=workspace, by=manager, name="배송", team_id=chat.pk,
                               category_ids=[parent.pk], position=1)
    moved = Category.objects.get(workspace=workspace, name="배송 지연")
    moved.parent = other
    moved.save()
    assert new_ticket(workspace, category_id=moved.pk).team_id == general.pk
    general.delete()
    assert new_ticket(workspace, channel="chat").team_id is None


def test_inactive_rules_are_skipped(workspace, manager):
    team = team_create(workspace=workspace, name="채팅팀", actor=None)
    services.routing_rule_save(workspace=workspace, by=manager, name="채팅", team_id=team.pk, channels=["chat"],
                               is_active=False)
    assert new_ticket(workspace, channel="chat").team_id is None


# --- modes ----------------------------------------------------------------------------------------

def test_least_loaded_counts_only_tickets_whose_sla_clock_runs(workspace, manager):
    busy, idle = online_agents(workspace, 2)
    team = auto_team(workspace, manager, "배송팀", [busy, idle])
    give(2, workspace, busy, status="open")
    give(5, workspace, idle, status="pending")  # waiting for the customer: no load
    give(3, workspace, idle, status="solved")
    assert selectors.clock_running_statuses(workspace.pk) == ("new", "open")
    ticket = new_ticket(workspace, team_id=team.pk)
    assert ticket.assignee_id == idle.user_id
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == idle.user_id
    assert any("자동 배정 (최소 부하)" in e for e in events(ticket))
    # Now 1 each vs busy's 2: the next goes to idle again, then they alternate.
    assert new_ticket(workspace, team_id=team.pk).assignee_id == idle.user_id
    picks = {new_ticket(workspace, team_id=team.pk).assignee_id for _ in range(2)}
    assert picks == {busy.user_id, idle.user_id}


def test_round_robin_takes_turns_and_respects_capacity(workspace, manager):
    a, b, c = online_agents(workspace, 3)
    Membership.objects.filter(pk=c.pk).update(capacity=1)
    team = auto_team(workspace, manager, "상담팀", [a, b, c], mode="round_robin")
    got = [new_ticket(workspace, team_id=team.pk).assignee_id for _ in range(6)]
    assert got[:3] == [a.user_id, b.user_id, c.user_id]
    assert got[3:] == [a.user_id, b.user_id, a.user_id]  # c is full after one


def test_skill_mode_prefers_the_skilled_agent(workspace, manager):
    generalist, specialist = online_agents(workspace, 2)
    team = auto_team(workspace, manager, "교환팀", [generalist, specialist], mode="skill")
    exchange = Category.objects.get(workspace=workspace, name="교환")
    services.skill_set(membership=specialist, by=manager, level=4, category_id=exchange.pk)
    give(3, workspace, specialist)
    assert new_ticket(workspace, team_id=team.pk, category_id=exchange.pk).assignee_id == specialist.user_id
    # Without a matching skill the least loaded wins.
    assert new_ticket(workspace, team_id=team.pk).assignee_id == generalist.user_id
    # Required skill: nobody skilled for a refund → queue.
    services.team_config_save(team=team, by=manager, mode="skill", require_skill=True)
    refund = Category.objects.get(workspace=workspace, name="환불")
    queued = new_ticket(workspace, team_id=team.pk, category_id=refund.pk)
    assert queued.assignee_id is None and queued.team_id == team.pk


def test_only_online_agents_get_tickets_and_manual_teams_queue(workspace, manager):
    online, away, offline = online_agents(workspace, 3)
    Membership.objects.filter(pk=away.pk).update(availability="away")
    Membership.objects.filter(pk=offline.pk).update(availability="offline")
    team = auto_team(workspace, manager, "팀", [online, away, offline], mode="round_robin")
    assert {new_ticket(workspace, team_id=team.pk).assignee_id for _ in range(3)} == {online.user_id}
    manual = auto_team(workspace, manager, "수동팀", [online], mode="manual")
    ticket = new_ticket(workspace, team_id=manual.pk)
    assert ticket.assignee_id is None and ticket.team_id == manual.pk


def _rostered(workspace, manager, membership, now):
    tz = ZoneInfo(workspace.timezone)
    local = now.astimezone(tz) - dt.timedelta(hours=1)
    shift = ShiftTemplate.objects.create(workspace=workspace, name="지금", start=local.time().replace(second=0,
                                         microsecond=0), length_min=180, breaks=[[90, 30]])
    schedule = Schedule.objects.create(workspace=workspace, name="이번 주", start_date=local.date(), weeks=1,
                                       status=ScheduleStatus.PUBLISHED, solve_status=SolveStatus.DONE)
    ShiftAssignment.objects.create(workspace=workspace, schedule=schedule, membership=membership, date=local.date(),
                                   shift=shift)
    return schedule


def test_schedule_availability_uses_published_shifts_and_breaks(workspace, manager):
    rostered, free = online_agents(workspace, 2)
    Membership.objects.filter(pk=rostered.pk).update(availability="offline")  # status does not matter here
    team = auto_team(workspace, manager, "전화팀", [rostered, free], availability_source="schedule")
    now = timezone.now()
    schedule = _rostered(workspace, manager, rostered, now)
    assert selectors.rostered_now(workspace=workspace, membership_ids=[rostered.pk, free.pk], at=now) == {rostered.pk}
    # 90 minutes into the shift a 30-minute break starts: not working then; after it, working again.
    start = now - dt.timedelta(hours=1)
    assert selectors.rostered_now(workspace=workspace, membership_ids=[rostered.pk],
                                  at=start + dt.timedelta(minutes=100)) == set()
    assert selectors.rostered_now(workspace=workspace, membership_ids=[rostered.pk],
                                  at=start + dt.timedelta(minutes=125)) == {rostered.pk}
    assert new_ticket(workspace, team_id=team.pk).assignee_id == rostered.user_id
    Schedule.objects.filter(pk=schedule.pk).update(status=ScheduleStatus.DRAFT)
    assert new_ticket(workspace, team_id=team.pk).assignee_id is None


# --- fallbacks ------------------------------------------------------------------------------------

def test_fallback_teams_in_order_then_the_queue(workspace, manager):
    a1, b1 = online_agents(workspace, 2, capacity=1)
    b_team = auto_team(workspace, manager, "B팀", [b1])
    manual = auto_team(workspace, manager, "수동팀", [], mode="manual")
    a_team = auto_team(workspace, manager, "A팀", [a1], fallback_team_ids=[b_team.pk, manual.pk])
    first = new_ticket(workspace, team_id=a_team.pk)
    assert (first.team_id, first.assignee_id) == (a_team.pk, a1.user_id)
    second = new_ticket(workspace, team_id=a_team.pk)
    assert (second.team_id, second.assignee_id) == (b_team.pk, b1.user_id)
    assert any("대체 팀" in e for e in events(second))
    third = new_ticket(workspace, team_id=a_team.pk)  # B is full too: the manual team's queue
    assert (third.team_id, third.assignee_id) == (manual.pk, None)
    services.team_config_save(team=a_team, by=manager, mode="least_loaded", fallback_team_ids=[b_team.pk])
    fourth = new_ticket(workspace, team_id=a_team.pk)
    assert (fourth.team_id, fourth.assignee_id) == (a_team.pk, None)
    assert any("배정 가능한 상담원 없음" in e for e in events(fourth))


def test_config_validation(workspace, manager, agent, other_workspace):
    team = team_create(workspace=workspace, name="팀", actor=None)
    foreign = team_create(workspace=other_workspace, name="남의 팀", actor=None)
    with pytest.raises(ServiceError):
        services.team_config_save(team=team, by=manager, mode="least_loaded", fallback_team_ids=[team.pk])
    with pytest.raises(ServiceError):
        services.team_config_save(team=team, by=manager, mode="least_loaded", fallback_team_ids=[foreign.pk])
    with pytest.raises(ServiceError):
        services.team_config_save(team=team, by=manager, mode="fastest")
    with pytest.raises(PermissionError):
        services.team_config_save(team=team, by=agent, mode="least_loaded")
    with pytest.raises(ServiceError):
        services.routing_rule_save(workspace=workspace, by=manager, name="x", team_id=foreign.pk)
    with pytest.raises(ServiceError):
        services.settings_save(workspace=workspace, by=manager, default_team_id=foreign.pk)


# --- claiming -------------------------------------------------------------------------------------

def test_claim_next_takes_the_most_urgent_then_the_oldest(workspace, manager):
    (me,) = online_agents(workspace, 1, capacity=2)
    team = auto_team(workspace, manager, "팀", [me], mode="manual")
    other_team = auto_team(workspace, manager, "남의팀", [], mode="manual")
    old = new_ticket(workspace, team_id=team.pk)
    urgent = new_ticket(workspace, team_id=team.pk, priority="urgent")
    new_ticket(workspace, team_id=other_team.pk, priority="urgent")  # not my queue
    claimed = services.claim_next(membership=me)
    assert claimed.pk == urgent.pk and Ticket.objects.get(pk=urgent.pk).assignee_id == me.user_id
    assert any("다음 티켓 받기" in e for e in events(urgent))
    assert services.claim_next(membership=me).pk == old.pk
    new_ticket(workspace, team_id=team.pk)
    with pytest.raises(ServiceError, match="한도"):
        services.claim_next(membership=me)


def test_claim_next_oldest_first_and_empty_queue(workspace, manager):
    (me,) = online_agents(workspace, 1)
    team = auto_team(workspace, manager, "팀", [me], mode="manual")
    services.settings_save(workspace=workspace, by=manager, default_team_id=None, claim_order="oldest_first")
    old = new_ticket(workspace, team_id=team.pk)
    new_ticket(workspace, team_id=team.pk, priority="urgent")
    assert services.claim_next(membership=me).pk == old.pk
    services.claim_next(membership=me)
    assert services.claim_next(membership=me) is None


def test_viewers_cannot_claim(workspace, viewer):
    with pytest.raises(PermissionError):
        services.claim_next(membership=viewer)


# --- going offline, coming online -----------------------------------------------------------------

def test_going_offline_returns_running_tickets_to_the_queue(workspace, manager, django_capture_on_commit_callbacks):
    (leaving,) = online_agents(workspace, 1)
    team = auto_team(workspace, manager, "팀", [leaving], on_offline="queue")
    running = new_ticket(workspace, team_id=team.pk)
    waiting = new_ticket(workspace, team_id=team.pk)
    ticket_update(ticket=waiting, by=None, status="pending")
    assert Ticket.objects.get(pk=running.pk).assignee_id == leaving.user_id
    with django_capture_on_commit_callbacks(execute=True):
        agent_availability_set(membership=leaving, availability="offline")
    assert Ticket.objects.get(pk=running.pk).assignee_id is None
    assert Ticket.objects.get(pk=waiting.pk).assignee_id == leaving.user_id  # not running: stays
    assert any("상담 불가" in e for e in events(running))


def test_going_offline_hands_tickets_to_others_and_coming_online_drains_the_queue(
        workspace, manager, django_capture_on_commit_callbacks):
    leaving, staying = online_agents(workspace, 2)
    Membership.objects.filter(pk=staying.pk).update(capacity=1)
    team = auto_team(workspace, manager, "팀", [leaving, staying], mode="round_robin", on_offline="reassign")
    tickets = [new_ticket(workspace, team_id=team.pk) for _ in range(3)]
    owners = [Ticket.objects.get(pk=t.pk).assignee_id for t in tickets]
    assert owners.count(leaving.user_id) == 2
    with django_capture_on_commit_callbacks(execute=True):
        agent_availability_set(membership=leaving, availability="away")
    after = [Ticket.objects.get(pk=t.pk).assignee_id for t in tickets]
    assert leaving.user_id not in after
    assert after.count(staying.user_id) == 1 and after.count(None) == 2  # staying is full: the rest queue
    with django_capture_on_commit_callbacks(execute=True):
        agent_availability_set(membership=Membership.objects.get(pk=leaving.pk), availability="online")
    assert [Ticket.objects.get(pk=t.pk).assignee_id for t in tickets].count(leaving.user_id) == 2


def test_keep_leaves_tickets_and_the_sweep_catches_ended_shifts(workspace, manager):
    (agent,) = online_agents(workspace, 1)
    team = auto_team(workspace, manager, "팀", [agent], on_offline="keep")
    ticket = new_ticket(workspace, team_id=team.pk)
    Membership.objects.filter(pk=agent.pk).update(availability="offline")
    assert services.rebalance_workspace(workspace=workspace) == 0
    services.team_config_save(team=team, by=manager, mode="least_loaded", on_offline="queue")
    assert services.rebalance_workspace(workspace=workspace) == 1
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None


# --- other triggers -------------------------------------------------------------------------------

def test_moving_an_unowned_ticket_to_an_auto_team_assigns_it(workspace, manager, lead):
    (agent,) = online_agents(workspace, 1)
    team = auto_team(workspace, manager, "팀", [agent])
    ticket = new_ticket(workspace)
    moved = ticket_update(ticket=ticket, by=lead, team_id=team.pk)
    assert moved.assignee_id == agent.user_id
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == agent.user_id


def test_imports_and_closed_tickets_are_routed_but_not_assigned(workspace, manager):
    (agent,) = online_agents(workspace, 1)
    team = auto_team(workspace, manager, "팀", [agent])
    services.settings_save(workspace=workspace, by=manager, default_team_id=team.pk)
    imported = new_ticket(workspace, channel="import")
    closed = new_ticket(workspace, status="closed")
    assert (imported.team_id, imported.assignee_id) == (team.pk, None)
    assert (closed.team_id, closed.assignee_id) == (team.pk, None)


def test_assign_ticket_reruns_assignment_for_a_queued_ticket(workspace, manager):
    (agent,) = online_agents(workspace, 1)
    Membership.objects.filter(pk=agent.pk).update(availability="offline")
    team = auto_team(workspace, manager, "팀", [agent])
    ticket = new_ticket(workspace, team_id=team.pk)
    assert ticket.assignee_id is None
    Membership.objects.filter(pk=agent.pk).update(availability="online")
    choice = services.assign_ticket(ticket=ticket, by=manager)
    assert choice.user_id == agent.user_id and Ticket.objects.get(pk=ticket.pk).assignee_id == agent.user_id
    with pytest.raises(ServiceError):
        services.assign_ticket(ticket=ticket, by=manager)


def test_settings_are_audited(workspace, manager):
    team = team_create(workspace=workspace, name="팀", actor=None)
    services.settings_save(workspace=workspace, by=manager, default_team_id=team.pk)
    assert AssignmentSettings.objects.get(workspace=workspace).default_team_id == team.pk
    from cxops.core.models import AuditEvent
    assert AuditEvent.objects.filter(workspace=workspace, action="assignment.settings").exists()
