"""Every write of the assignment package: routing new tickets to a team, choosing an agent by the
team's mode, claiming the next ticket, handing an unavailable agent's tickets on, and the settings.

Concurrency. Capacity must hold when several processes assign at once (ticket intake, "다음 티켓
받기", rebalancing jobs). On PostgreSQL:

* automatic assignment into a team first locks the team's `TeamAssignmentConfig` row: one assigner
  per team at a time, and the round-robin cursor is read and moved under the lock. Fallback teams'
  rows are taken with SKIP LOCKED (never waited for, so teams that fall back to each other cannot
  deadlock); a ticket that found everyone busy that way is retried by a job a moment later;
* the chosen agent's `Membership` row is then locked (SKIP LOCKED: an agent another transaction is
  handing a ticket to right now is passed over rather than waited for, which cannot deadlock) and
  their load is counted again under the lock before the ticket is given; an assigner of another
  team, or the agent's own claim, takes the same row lock, so no two of them both see room;
* claiming locks the agent's own membership row, counts their load, then takes the first queued
  ticket with SKIP LOCKED, so two agents never claim the same ticket and nobody waits on a ticket
  another agent is taking.

Lock order is always ticket → team configs → membership, or membership → ticket with SKIP LOCKED.
Every FOR UPDATE that joins another table names its own (`of=("self",)`): locking the joined
workspace or user row too would serialise every assignment of the workspace.
SQLite has no row locks: it runs one write transaction at a time, which is also correct.

Ticket rows are written only through `cxops.tickets.services.ticket_update` (audit row, timeline
event with the reason, lifecycle hooks).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxops.assignment import ranking, routing, selectors
from cxops.assignment.models import (
    AgentSkill,
    AssignmentSettings,
    AvailabilitySource,
    ClaimOrder,
    FallbackTeam,
    Mode,
    OnOffline,
    RoutingRule,
    TeamAssignmentConfig,
)
from cxops.core import audit
from cxops.core.models import Membership, Role, Team, Workspace
from cxops.core.services import ServiceError
from cxops.tickets.models import Category, Channel, Product, Ticket, TicketType
from cxops.tickets.services import ticket_event_add, ticket_update

log = logging.getLogger(__name__)

MAX_FALLBACKS = 5
MODE_REASONS: dict[str, str] = {
    Mode.ROUND_ROBIN: "순환 배정",
    Mode.LEAST_LOADED: "최소 부하",
    Mode.SKILL: "스킬 우선",
}


def _require_manager(by: Membership, workspace: Workspace) -> None:
    if by.workspace_id != workspace.pk or not by.can_write or not by.has_role(Role.MANAGER):
        raise PermissionError(_("배정 설정은 매니저와 관리자만 바꿀 수 있습니다."))


def _require_writer(by: Membership | None, workspace: Workspace) -> None:
    if by is not None and (by.workspace_id != workspace.pk or not by.can_write):
        raise PermissionError(_("이 워크스페이스에서 변경할 권한이 없습니다."))


# --- routing ----------------------------------------------------------------------------------------

def route(*, ticket: Ticket) -> tuple[int | None, str]:
    """The team a ticket without one belongs to, and why: the first matching routing rule, else the
    workspace's default team (None when the workspace has neither: the workspace-wide queue)."""
    return routing.table_for(ticket.workspace_id).route(channel=ticket.channel, ticket_type=ticket.type,
                                                        category_id=ticket.category_id)


# --- choosing an agent ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    team_id: int | None
    membership: Membership | None
    reason: str
    contended: bool = False  # an agent was passed over because another transaction held them

    @property
    def user_id(self) -> int | None:
        return self.membership.user_id if self.membership else None


def _candidates(*, workspace: Workspace, config: TeamAssignmentConfig, ticket: Ticket,
                exclude_user_ids: Sequence[int]) -> list[ranking.Candidate]:
    members = [m for m in selectors.assignable_members(team_id=config.team_id) if m.user_id not in exclude_user_ids]
    available = selectors.available_ids(workspace=workspace, source=config.availability_source, members=members)
    members = [m for m in members if m.pk in available]
    load = selectors.loads(workspace_id=workspace.pk, user_ids=[m.user_id for m in members])
    skills: dict[int, list[tuple[int | None, int | None, str, int]]] = {}
    parent_id = None
    if config.mode == Mode.SKILL and members:
        skills = selectors.skills_by_member(workspace=workspace, membership_ids=[m.pk for m in members])
        if ticket.category_id:
            parent_id = routing.table_for(ticket.workspace_id).category_parents.get(ticket.category_id)
    return [ranking.Candidate(
        membership_id=m.pk, user_id=m.user_id, load=load.get(m.user_id, 0), capacity=m.capacity,
        skill=ranking.skill_score(skills.get(m.pk, []), category_id=ticket.category_id,
                                  category_parent_id=parent_id, product_id=ticket.product_id,
                                  channel=ticket.channel))
        for m in members]


def _take(*, workspace: Workspace, config: TeamAssignmentConfig, candidate: ranking.Candidate) -> Membership | None:
    """Lock the candidate's membership row and check again, under the lock, that they still take
    work and have room. None when they do not (or another transaction holds them right now)."""
    locked = (Membership.objects.select_for_update(skip_locked=True, of=("self",)).select_related("user")
              .filter(pk=candidate.membership_id, is_active=True).first())
    if locked is None:
        return None
    if config.availability_source == AvailabilitySource.STATUS and locked.availability != "online":
        return None
    if locked.capacity:
        load = selectors.loads(workspace_id=workspace.pk, user_ids=[locked.user_id])[locked.user_id]
        if load >= locked.capacity:
            return None
    return locked


def _pick_in_team(*, workspace: Workspace, config: TeamAssignmentConfig, ticket: Ticket,
                  exclude_user_ids: Sequence[int]) -> tuple[Membership | None, bool]:
    ranked = ranking.rank(_candidates(workspace=workspace, config=config, ticket=ticket,
                                      exclude_user_ids=exclude_user_ids),
                          mode=config.mode, rr_last=config.rr_last_membership_id, require_skill=config.require_skill)
    passed_over = False
    for candidate in ranked:
        taken = _take(workspace=workspace, config=config, candidate=candidate)
        if taken is not None:
            config.rr_last_membership_id = taken.pk
            config.save(update_fields=["rr_last_membership_id"])
            return taken, passed_over
        passed_over = True
    return None, passed_over


def choose(*, ticket: Ticket, team_id: int, exclude_user_ids: Sequence[int] = ()) -> Choice:
    """Who in `team_id` (or, when nobody there fits, in its fallback teams in order) gets the
    ticket. A manual fallback team takes the ticket into its queue. Must run inside a transaction:
    it takes the team locks. Nobody anywhere → the ticket stays unassigned in `team_id`'s queue.

    The team's own config row is locked and waited for; fallback teams' rows are taken with SKIP
    LOCKED (a fallback busy with its own assignment counts as contended, and the ticket is retried
    later), so two teams that fall back to each other never wait on each other."""
    workspace = ticket.workspace
    first = TeamAssignmentConfig.objects.select_for_update().filter(team_id=team_id, workspace=workspace).first()
    if first is None or first.mode == Mode.MANUAL:
        return Choice(team_id, None, "")
    taken, contended = _pick_in_team(workspace=workspace, config=first, ticket=ticket,
                                     exclude_user_ids=exclude_user_ids)
    if taken is not None:
        return Choice(team_id, taken, f"자동 배정 ({MODE_REASONS.get(first.mode, first.mode)})", contended)
    chain = [t for t in selectors.fallback_team_ids(config=first) if t != team_id][:MAX_FALLBACKS]
    if chain:
        configured = set(TeamAssignmentConfig.objects.filter(workspace=workspace, team_id__in=chain)
                         .values_list("team_id", flat=True))
        locked = {c.team_id: c for c in TeamAssignmentConfig.objects.select_for_update(skip_locked=True)
                  .filter(workspace=workspace, team_id__in=chain).order_by("pk")}
        for tid in chain:
            config = locked.get(tid)
            if config is None and tid in configured:
                contended = True  # another assigner holds this team right now
                continue
            if config is None or config.mode == Mode.MANUAL:
                return Choice(tid, None, "대체 팀 큐로 이동", contended)
            taken, passed_over = _pick_in_team(workspace=workspace, config=config, ticket=ticket,
                                               exclude_user_ids=exclude_user_ids)
            contended = contended or passed_over
            if taken is not None:
                return Choice(tid, taken, f"자동 배정 ({MODE_REASONS.get(config.mode, config.mode)}) · 대체 팀",
                              contended)
    return Choice(team_id, None, "배정 가능한 상담원 없음 · 팀 큐에서 대기", contended)


def _apply(*, ticket: Ticket, team_id: int | None, assignee_id: int | None, reason: str,
           by: Membership | None = None) -> Ticket:
    """Write team and owner through the tickets service, and keep the caller's object in step."""
    changes: dict[str, Any] = {}
    if team_id != ticket.team_id:
        changes["team_id"] = team_id
    if assignee_id != ticket.assignee_id:
        changes["assignee_id"] = assignee_id
    if not changes:
        return ticket
    updated = ticket_update(ticket=ticket, by=by, reason=reason, **changes)
    ticket.team_id, ticket.assignee_id, ticket.updated_at = updated.team_id, updated.assignee_id, updated.updated_at
    return ticket


def _schedule_retry(ticket: Ticket) -> None:
    from cxops.assignment import jobs

    ticket_id = ticket.pk
    transaction.on_commit(lambda: jobs.assign_retry.schedule((ticket_id,), delay=2))


def auto_assign(*, ticket: Ticket, route_first: bool = True) -> Choice:
    """Route a ticket to a team (when it has none) and give it to an agent by the team's mode.
    Runs inside the caller's transaction (the lifecycle hook of a new ticket)."""
    team_id, why = ticket.team_id, ""
    if team_id is None and route_first:
        team_id, why = route(ticket=ticket)
    running = ticket.status in selectors.clock_running_statuses(ticket.workspace_id)
    if team_id is None or ticket.assignee_id is not None or not running or ticket.channel == Channel.IMPORT:
        choice = Choice(team_id, None, why)
        _apply(ticket=ticket, team_id=team_id, assignee_id=ticket.assignee_id, reason=why)
        return choice
    choice = choose(ticket=ticket, team_id=team_id)
    reason = " · ".join(part for part in (why, choice.reason) if part)
    if choice.team_id == ticket.team_id and choice.membership is None and choice.reason:
        ticket_event_add(ticket=ticket, text=choice.reason, data={"assignment": "queued"})
    _apply(ticket=ticket, team_id=choice.team_id, assignee_id=choice.user_id, reason=reason)
    if choice.membership is None and choice.contended:
        _schedule_retry(ticket)
    return choice


def assign_ticket(*, ticket: Ticket, by: Membership | None) -> Choice:
    """Run automatic assignment again for one unassigned ticket (API, CLI, retry job)."""
    _require_writer(by, ticket.workspace)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update(of=("self",)).select_related("workspace").get(pk=ticket.pk)
        if locked.assignee_id is not None:
            raise ServiceError(_("이미 담당자가 있는 티켓입니다. 담당자를 비운 뒤 다시 배정해 주세요."))
        if locked.status not in selectors.clock_running_statuses(locked.workspace_id):
            raise ServiceError(_("진행 중인 티켓만 자동 배정할 수 있습니다."))
        team_id = locked.team_id
        why = ""
        if team_id is None:
            team_id, why = route(ticket=locked)
        if team_id is None:
            return Choice(None, None, "")
        choice = choose(ticket=locked, team_id=team_id)
        reason = " · ".join(part for part in (why, choice.reason) if part)
        _apply(ticket=locked, team_id=choice.team_id, assignee_id=choice.user_id, reason=reason, by=by)
        ticket.team_id, ticket.assignee_id = locked.team_id, locked.assignee_id
    return choice


def claim_next(*, membership: Membership) -> Ticket | None:
    """The agent takes the next ticket of their teams' queues (or of the workspace queue): the most
    urgent first by default, else the oldest. None when the queue is empty."""
    if not membership.can_write:
        raise PermissionError(_("이 워크스페이스에서 변경할 권한이 없습니다."))
    workspace = membership.workspace
    with transaction.atomic():
        me = Membership.objects.select_for_update().get(pk=membership.pk)
        if me.capacity:
            load = selectors.loads(workspace_id=workspace.pk, user_ids=[me.user_id])[me.user_id]
            if load >= me.capacity:
                raise ServiceError(_("처리 중인 티켓이 한도(%(n)s건)에 찼습니다. 진행 중인 티켓을 먼저 처리해 주세요.")
                                   % {"n": me.capacity})
        order = selectors.settings_for(workspace=workspace).claim_order
        ticket = (selectors.claim_queue(membership=me, order=order)
                  .select_for_update(skip_locked=True, of=("self",)).first())
        if ticket is None:
            return None
        ticket.workspace = workspace
        team_id = ticket.team_id
        if team_id is None:
            team_id, _why = route(ticket=ticket)
        _apply(ticket=ticket, team_id=team_id, assignee_id=me.user_id, reason="다음 티켓 받기", by=me)
    return ticket


# --- agents who stop taking work --------------------------------------------------------------------

def rebalance_member(*, membership_id: int, at: dt.datetime | None = None) -> int:
    """Hand on the running tickets of an agent who no longer takes work, team by team as each team
    says: back to the team queue, or to another agent (else the queue). Teams that keep tickets with
    their owner, and teams in which the agent is still available, are left alone. Returns how many
    tickets moved."""
    membership = Membership.objects.select_related("workspace", "user").filter(pk=membership_id).first()
    if membership is None:
        return 0
    workspace = membership.workspace
    moved = 0
    configs = (TeamAssignmentConfig.objects.filter(workspace=workspace, team__members=membership)
               .exclude(on_offline=OnOffline.KEEP).order_by("pk"))
    for config in configs:
        if membership.is_active and selectors.is_available(membership=membership, source=config.availability_source,
                                                           at=at):
            continue
        with transaction.atomic():
            tickets = list(Ticket.objects.select_for_update(skip_locked=True, of=("self",)).select_related("workspace")
                           .filter(workspace=workspace, team_id=config.team_id, assignee_id=membership.user_id,
                                   status__in=selectors.clock_running_statuses(workspace.pk))
                           .order_by("created_at", "id"))
            for ticket in tickets:
                if config.on_offline == OnOffline.REASSIGN:
                    choice = choose(ticket=ticket, team_id=config.team_id, exclude_user_ids=[membership.user_id])
                    reason = f"{membership.user.label} 상담 불가 · " + (choice.reason or "팀 큐로 되돌림")
                    _apply(ticket=ticket, team_id=choice.team_id, assignee_id=choice.user_id, reason=reason)
                else:
                    _apply(ticket=ticket, team_id=config.team_id, assignee_id=None,
                           reason=f"{membership.user.label} 상담 불가 · 팀 큐로 되돌림")
                moved += 1
    if moved:
        log.info("assignment: moved %s tickets of membership %s", moved, membership_id)
    return moved


def rebalance_workspace(*, workspace: Workspace, at: dt.datetime | None = None) -> int:
    """Every owner of a running ticket in a team that hands tickets on, who is not available in
    that team now (went offline, shift ended): their tickets move. The periodic safety net."""
    moved = 0
    configs = TeamAssignmentConfig.objects.filter(workspace=workspace).exclude(on_offline=OnOffline.KEEP)
    owners: set[int] = set()
    for config in configs:
        user_ids = set(Ticket.objects.filter(workspace=workspace, team_id=config.team_id, assignee__isnull=False,
                                             status__in=selectors.clock_running_statuses(workspace.pk))
                       .values_list("assignee_id", flat=True).distinct())
        members = [m for m in selectors.assignable_members(team_id=config.team_id) if m.user_id in user_ids]
        available = selectors.available_ids(workspace=workspace, source=config.availability_source, members=members,
                                            at=at)
        owners.update(m.pk for m in members if m.pk not in available)
    for membership_id in sorted(owners):
        moved += rebalance_member(membership_id=membership_id, at=at)
    return moved


def drain_team_queue(*, team: Team, limit: int = 200) -> int:
    """Assign a team's queued tickets (oldest first) while its agents have room: after an agent
    comes online or finishes work. Returns how many were assigned."""
    config = TeamAssignmentConfig.objects.filter(team=team).first()
    if config is None or config.mode == Mode.MANUAL:
        return 0
    assigned = 0
    for ticket_id in list(selectors.team_queue(team=team).values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            ticket = (Ticket.objects.select_for_update(skip_locked=True, of=("self",)).select_related("workspace")
                      .filter(pk=ticket_id, assignee__isnull=True).first())
            if ticket is None:
                continue
            choice = choose(ticket=ticket, team_id=team.pk)
            if choice.membership is None:
                break
            _apply(ticket=ticket, team_id=choice.team_id, assignee_id=choice.user_id, reason=choice.reason)
            assigned += 1
    return assigned


# --- settings ---------------------------------------------------------------------------------------

def settings_save(*, workspace: Workspace, by: Membership, default_team_id: int | None,
                  claim_order: str = ClaimOrder.URGENT_FIRST) -> AssignmentSettings:
    _require_manager(by, workspace)
    if claim_order not in ClaimOrder.values:
        raise ServiceError(_("알 수 없는 티켓 순서입니다: %(v)s") % {"v": claim_order})
    if default_team_id is not None and not Team.objects.filter(workspace=workspace, pk=default_team_id).exists():
        raise ServiceError(_("이 워크스페이스에 없는 팀입니다."))
    with transaction.atomic():
        current, _created = AssignmentSettings.objects.select_for_update().get_or_create(workspace=workspace)
        before = {"default_team_id": current.default_team_id, "claim_order": current.claim_order}
        current.default_team_id, current.claim_order = default_team_id, claim_order
        current.updated_at = timezone.now()
        current.save()
        audit.record(workspace=workspace, actor=by.user, action="assignment.settings", obj=current,
                     changes=audit.diff(before, {"default_team_id": default_team_id, "claim_order": claim_order}))
    return current


def team_config_save(*, team: Team, by: Membership, mode: str, availability_source: str = AvailabilitySource.STATUS,
                     on_offline: str = OnOffline.QUEUE, require_skill: bool = False,
                     fallback_team_ids: Sequence[int] = ()) -> TeamAssignmentConfig:
    workspace = team.workspace
    _require_manager(by, workspace)
    if mode not in Mode.values:
        raise ServiceError(_("알 수 없는 배정 방식입니다: %(v)s") % {"v": mode})
    if availability_source not in AvailabilitySource.values:
        raise ServiceError(_("알 수 없는 상담 가능 판단 방식입니다: %(v)s") % {"v": availability_source})
    if on_offline not in OnOffline.values:
        raise ServiceError(_("알 수 없는 오프라인 처리 방식입니다: %(v)s") % {"v": on_offline})
    fallbacks = list(dict.fromkeys(fallback_team_ids))
    if team.pk in fallbacks:
        raise ServiceError(_("팀 자신을 대체 팀으로 지정할 수 없습니다."))
    if len(fallbacks) > MAX_FALLBACKS:
        raise ServiceError(_("대체 팀은 %(n)s개까지 지정할 수 있습니다.") % {"n": MAX_FALLBACKS})
    if len(set(Team.objects.filter(workspace=workspace, pk__in=fallbacks).values_list("pk", flat=True))) != len(fallbacks):
        raise ServiceError(_("이 워크스페이스에 없는 팀이 대체 팀에 들어 있습니다."))
    with transaction.atomic():
        config, _created = TeamAssignmentConfig.objects.select_for_update().get_or_create(
            team=team, defaults={"workspace": workspace})
        before = {"mode": config.mode, "availability_source": config.availability_source,
                  "on_offline": config.on_offline, "require_skill": config.require_skill,
                  "fallback_team_ids": selectors.fallback_team_ids(config=config)}
        after = {"mode": mode, "availability_source": availability_source, "on_offline": on_offline,
                 "require_skill": require_skill, "fallback_team_ids": fallbacks}
        config.mode, config.availability_source = mode, availability_source
        config.on_offline, config.require_skill = on_offline, require_skill
        config.updated_at = timezone.now()
        config.save()
        if before["fallback_team_ids"] != fallbacks:
            config.fallbacks.all().delete()
            FallbackTeam.objects.bulk_create([FallbackTeam(config=config, team_id=tid, position=i)
                                              for i, tid in enumerate(fallbacks)])
        delta = audit.diff(before, after)
        if delta:
            audit.record(workspace=workspace, actor=by.user, action="assignment.team_config", obj=team, changes=delta)
    return config


def _clean_rule(workspace: Workspace, *, name: str, channels: Sequence[str], types: Sequence[str],
                category_ids: Sequence[int], team_id: int) -> tuple[str, list[str], list[str], list[int]]:
    name = " ".join(name.split())[:80]
    if not name:
        raise ServiceError(_("규칙 이름을 입력해 주세요."))
    bad = [c for c in channels if c not in Channel.values]
    if bad:
        raise ServiceError(_("알 수 없는 채널입니다: %(v)s") % {"v": ", ".join(bad)})
    bad = [t for t in types if t not in TicketType.values]
    if bad:
        raise ServiceError(_("알 수 없는 유형입니다: %(v)s") % {"v": ", ".join(bad)})
    categories = list(dict.fromkeys(category_ids))
    if len(set(Category.objects.filter(workspace=workspace, pk__in=categories).values_list("pk", flat=True))) \
            != len(categories):
        raise ServiceError(_("이 워크스페이스에 없는 분류가 들어 있습니다."))
    if not Team.objects.filter(workspace=workspace, pk=team_id).exists():
        raise ServiceError(_("이 워크스페이스에 없는 팀입니다."))
    return name, list(dict.fromkeys(channels)), list(dict.fromkeys(types)), categories


def routing_rule_save(*, workspace: Workspace, by: Membership, name: str, team_id: int,
                      channels: Sequence[str] = (), types: Sequence[str] = (), category_ids: Sequence[int] = (),
                      position: int = 100, is_active: bool = True, rule: RoutingRule | None = None) -> RoutingRule:
    _require_manager(by, workspace)
    if rule is not None and rule.workspace_id != workspace.pk:
        raise PermissionError(_("이 워크스페이스의 규칙이 아닙니다."))
    name, channel_list, type_list, categories = _clean_rule(workspace, name=name, channels=channels, types=types,
                                                             category_ids=category_ids, team_id=team_id)
    with transaction.atomic():
        created = rule is None
        rule = rule or RoutingRule(workspace=workspace)
        rule.name, rule.team_id, rule.channels, rule.types = name, team_id, channel_list, type_list
        rule.position, rule.is_active = position, is_active
        rule.save()
        rule.categories.set(categories)
        audit.record(workspace=workspace, actor=by.user, action="assignment.rule_create" if created
                     else "assignment.rule_update", obj=rule,
                     changes={"name": name, "team_id": team_id, "channels": channel_list, "types": type_list,
                              "category_ids": categories, "position": position, "is_active": is_active})
    return rule


def routing_rule_delete(*, rule: RoutingRule, by: Membership) -> None:
    _require_manager(by, rule.workspace)
    with transaction.atomic():
        audit.record(workspace=rule.workspace, actor=by.user, action="assignment.rule_delete", obj=rule,
                     changes={"name": [rule.name, None]})
        rule.delete()


def skill_set(*, membership: Membership, by: Membership, level: int, category_id: int | None = None,
              product_id: int | None = None, channel: str = "") -> AgentSkill:
    workspace = membership.workspace
    _require_manager(by, workspace)
    if membership.workspace_id != by.workspace_id:
        raise PermissionError(_("이 워크스페이스의 구성원이 아닙니다."))
    if not 1 <= level <= 5:
        raise ServiceError(_("스킬 수준은 1~5 사이여야 합니다."))
    if category_id is None and product_id is None and not channel:
        raise ServiceError(_("분류, 상품, 채널 중 하나는 골라 주세요."))
    if channel and channel not in Channel.values:
        raise ServiceError(_("알 수 없는 채널입니다: %(v)s") % {"v": channel})
    if category_id is not None and not Category.objects.filter(workspace=workspace, pk=category_id).exists():
        raise ServiceError(_("이 워크스페이스에 없는 분류입니다."))
    if product_id is not None and not Product.objects.filter(workspace=workspace, pk=product_id).exists():
        raise ServiceError(_("이 워크스페이스에 없는 상품입니다."))
    with transaction.atomic():
        skill, _created = AgentSkill.objects.update_or_create(
            workspace=workspace, membership=membership, category_id=category_id, product_id=product_id,
            channel=channel, defaults={"level": level})
        audit.record(workspace=workspace, actor=by.user, action="assignment.skill_set", obj=skill,
                     changes={"membership_id": membership.pk, "category_id": category_id, "product_id": product_id,
                              "channel": channel, "level": level})
    return skill


def skill_delete(*, skill: AgentSkill, by: Membership) -> None:
    _require_manager(by, skill.workspace)
    with transaction.atomic():
        audit.record(workspace=skill.workspace, actor=by.user, action="assignment.skill_delete", obj=skill,
                     changes={"membership_id": skill.membership_id, "level": [skill.level, None]})
        skill.delete()
