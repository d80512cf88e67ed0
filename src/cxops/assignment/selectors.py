"""Every read of the assignment package, scoped by workspace: who is available, how loaded they
are, the routing rules and team settings, and a team's queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from cxops.assignment.models import (
    AgentSkill,
    AssignmentSettings,
    AvailabilitySource,
    ClaimOrder,
    RoutingRule,
    TeamAssignmentConfig,
)
from cxops.core.models import Availability, Membership, Role, Team, Workspace
from cxops.tickets.models import Status, Ticket, priority_rank_expression
from cxops.workforce.models import ScheduleStatus, ShiftAssignment

# --- what counts as load ----------------------------------------------------------------------------

# The statuses in which a ticket's SLA clock runs: the agent owes work on it now. Waiting for the
# customer (pending), parked (on hold), solved and closed tickets do not count.
CLOCK_RUNNING_STATUSES: tuple[str, ...] = (Status.NEW, Status.OPEN)


def clock_running_statuses(workspace_id: int) -> tuple[str, ...]:
    """The statuses in which tickets of this workspace keep an agent busy: least-loaded ranking,
    capacity checks and the claim queue all count only these. The one place to change when the
    workspace's SLA policies name their own pause statuses."""
    del workspace_id  # the same for every workspace until SLA policies say otherwise
    return CLOCK_RUNNING_STATUSES


def loads(*, workspace_id: int, user_ids: Iterable[int]) -> dict[int, int]:
    """Running tickets per assignee (user id), across the whole workspace."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = (Ticket.objects.filter(workspace_id=workspace_id, assignee_id__in=ids,
                                  status__in=clock_running_statuses(workspace_id))
            .values("assignee_id").annotate(n=Count("id")).order_by())
    found = {row["assignee_id"]: row["n"] for row in rows}
    return {uid: found.get(uid, 0) for uid in ids}


# --- availability -----------------------------------------------------------------------------------

def _shift_windows(day: dt.date, start: dt.time, length_min: int, breaks: Sequence[Sequence[int]],
                   tz: ZoneInfo) -> list[tuple[dt.datetime, dt.datetime]]:
    """Working windows of a shift (aware datetimes), its unpaid breaks cut out."""
    begin = dt.datetime.combine(day, start, tzinfo=tz)
    cuts = sorted((int(offset), int(length)) for offset, length in breaks)
    windows: list[tuple[dt.datetime, dt.datetime]] = []
    cursor = 0
    for offset, length in cuts:
        if offset > cursor:
            windows.append((begin + dt.timedelta(minutes=cursor), begin + dt.timedelta(minutes=offset)))
        cursor = max(cursor, offset + length)
    if cursor < length_min:
        windows.append((begin + dt.timedelta(minutes=cursor), begin + dt.timedelta(minutes=length_min)))
    return windows


def rostered_now(*, workspace: Workspace, membership_ids: Iterable[int], at: dt.datetime | None = None) -> set[int]:
    """Members working a shift of a published schedule at `at` (now), outside their breaks.
    Yesterday's shifts are read too: a night shift runs past midnight."""
    ids = list(membership_ids)
    if not ids:
        return set()
    at = at or timezone.now()
    tz = ZoneInfo(workspace.timezone or "Asia/Seoul")
    today = at.astimezone(tz).date()
    rows = (ShiftAssignment.objects
            .filter(workspace=workspace, membership_id__in=ids, schedule__status=ScheduleStatus.PUBLISHED,
                    date__in=[today - dt.timedelta(days=1), today])
            .values_list("membership_id", "date", "shift__start", "shift__length_min", "shift__breaks"))
    working: set[int] = set()
    for membership_id, day, start, length_min, breaks in rows:
        if membership_id in working:
            continue
        if any(lo <= at < hi for lo, hi in _shift_windows(day, start, length_min, breaks or [], tz)):
            working.add(membership_id)
    return working


def available_ids(*, workspace: Workspace, source: str, members: Sequence[Membership],
                  at: dt.datetime | None = None) -> set[int]:
    """The members of `members` who take new work now, by the team's availability source."""
    if source == AvailabilitySource.SCHEDULE:
        return rostered_now(workspace=workspace, membership_ids=[m.pk for m in members], at=at)
    return {m.pk for m in members if m.availability == Availability.ONLINE}


def is_available(*, membership: Membership, source: str, at: dt.datetime | None = None) -> bool:
    return membership.pk in available_ids(workspace=membership.workspace, source=source, members=[membership], at=at)


# --- configuration ----------------------------------------------------------------------------------

def team_get(*, workspace: Workspace, team_id: int) -> Team:
    team = Team.objects.filter(workspace=workspace, pk=team_id).first()
    if team is None:
        raise Http404
    return team


def assignable_members(*, team_id: int) -> list[Membership]:
    """Active members of the team who may own tickets (client viewers never do)."""
    return list(Membership.objects.filter(teams__id=team_id, is_active=True).exclude(role=Role.CLIENT_VIEWER)
                .select_related("user").order_by("pk"))


def settings_for(*, workspace: Workspace) -> AssignmentSettings:
    """The workspace's routing settings (unsaved defaults when never set)."""
    found = AssignmentSettings.objects.filter(workspace=workspace).select_related("default_team").first()
    return found or AssignmentSettings(workspace=workspace)


def config_for(*, team: Team) -> TeamAssignmentConfig:
    """The team's assignment settings (unsaved manual defaults when never set)."""
    found = TeamAssignmentConfig.objects.filter(team=team).first()
    return found or TeamAssignmentConfig(workspace_id=team.workspace_id, team=team)


def fallback_team_ids(*, config: TeamAssignmentConfig) -> list[int]:
    if config.pk is None:
        return []
    return list(config.fallbacks.order_by("position", "id").values_list("team_id", flat=True))


def configs_list(*, workspace: Workspace) -> dict[int, TeamAssignmentConfig]:
    """Team id → saved config, with fallback teams prefetched."""
    return {c.team_id: c for c in TeamAssignmentConfig.objects.filter(workspace=workspace)
            .prefetch_related("fallbacks__team")}


def routing_rules(*, workspace: Workspace, active_only: bool = False) -> QuerySet[RoutingRule]:
    qs = RoutingRule.objects.filter(workspace=workspace).select_related("team").prefetch_related("categories")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("position", "id")


def routing_rule_get(*, workspace: Workspace, rule_id: int) -> RoutingRule:
    rule = routing_rules(workspace=workspace).filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


def skills_list(*, workspace: Workspace, membership_ids: Iterable[int] | None = None) -> QuerySet[AgentSkill]:
    qs = AgentSkill.objects.filter(workspace=workspace).select_related("membership__user", "category__parent",
                                                                       "product")
    if membership_ids is not None:
        qs = qs.filter(membership_id__in=list(membership_ids))
    return qs.order_by("membership_id", "id")


def skills_by_member(*, workspace: Workspace, membership_ids: Iterable[int]
                     ) -> dict[int, list[tuple[int | None, int | None, str, int]]]:
    result: dict[int, list[tuple[int | None, int | None, str, int]]] = {}
    rows = AgentSkill.objects.filter(workspace=workspace, membership_id__in=list(membership_ids)).values_list(
        "membership_id", "category_id", "product_id", "channel", "level")
    for membership_id, category_id, product_id, channel, level in rows:
        result.setdefault(membership_id, []).append((category_id, product_id, channel, level))
    return result


# --- queues -----------------------------------------------------------------------------------------

def member_team_ids(*, membership: Membership) -> list[int]:
    return list(Team.objects.filter(workspace_id=membership.workspace_id, members=membership)
                .values_list("pk", flat=True))


def claim_queue(*, membership: Membership, order: str = ClaimOrder.URGENT_FIRST) -> QuerySet[Ticket]:
    """Unassigned running tickets the member may take: their teams' queues and the tickets no team
    holds yet, most urgent (or oldest) first."""
    from django.db.models import Q

    team_ids = member_team_ids(membership=membership)
    qs = Ticket.objects.filter(workspace_id=membership.workspace_id, assignee__isnull=True,
                               status__in=clock_running_statuses(membership.workspace_id))
    qs = qs.filter(Q(team_id__in=team_ids) | Q(team__isnull=True))
    if order == ClaimOrder.OLDEST_FIRST:
        return qs.order_by("created_at", "id")
    return qs.order_by(priority_rank_expression().desc(), "created_at", "id")


def team_queue(*, team: Team) -> QuerySet[Ticket]:
    """The team's unassigned running tickets, oldest first."""
    return Ticket.objects.filter(workspace_id=team.workspace_id, team=team, assignee__isnull=True,
                                 status__in=clock_running_statuses(team.workspace_id)).order_by("created_at", "id")


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    available: bool
    load: int

    @property
    def full(self) -> bool:
        return bool(self.membership.capacity) and self.load >= self.membership.capacity


@dataclass(frozen=True)
class TeamOverview:
    team: Team
    config: TeamAssignmentConfig
    fallback_ids: list[int]
    members: list[MemberRow]
    queued: int


def team_overview(*, workspace: Workspace, team: Team) -> TeamOverview:
    config = config_for(team=team)
    members = assignable_members(team_id=team.pk)
    available = available_ids(workspace=workspace, source=config.availability_source, members=members)
    load = loads(workspace_id=workspace.pk, user_ids=[m.user_id for m in members])
    rows = [MemberRow(m, m.pk in available, load.get(m.user_id, 0)) for m in members]
    return TeamOverview(team=team, config=config, fallback_ids=fallback_team_ids(config=config), members=rows,
                        queued=team_queue(team=team).count())
