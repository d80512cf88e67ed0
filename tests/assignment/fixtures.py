"""Teams, agents and configs for the assignment tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxops.assignment import services
from cxops.assignment.models import RoutingRule
from cxops.core.models import Membership, Team, Workspace
from cxops.core.services import team_create
from tests.factories import make_member


def online_agents(workspace: Workspace, n: int, capacity: int = 0) -> list[Membership]:
    agents = []
    for _ in range(n):
        agent = make_member(workspace, "agent")
        Membership.objects.filter(pk=agent.pk).update(availability="online", capacity=capacity)
        agent.refresh_from_db()
        agents.append(agent)
    return agents


def auto_team(workspace: Workspace, manager: Membership, name: str, agents: list[Membership],
              mode: str = "least_loaded", **config: Any) -> Team:
    team = team_create(workspace=workspace, name=name, actor=None, members=agents)
    services.team_config_save(team=team, by=manager, mode=mode, **config)
    return team


@dataclass
class AssignmentIds:
    team_id: int
    rule_id: int

    def as_values(self) -> dict[str, Any]:
        return dict(self.__dict__)


def make_assignment_objects(workspace: Workspace, owner: Membership) -> AssignmentIds:
    """One team with a config and one routing rule (the API permission walk)."""
    team = auto_team(workspace, owner, f"배송팀 {workspace.pk}", [], mode="manual")
    rule = services.routing_rule_save(workspace=workspace, by=owner, name="채팅", team_id=team.pk, channels=["chat"])
    return AssignmentIds(team_id=team.pk, rule_id=rule.pk)


def assignment_snapshot(workspace: Workspace) -> tuple[Any, ...]:
    from cxops.assignment.models import TeamAssignmentConfig

    return (list(TeamAssignmentConfig.objects.filter(workspace=workspace).order_by("pk")
                 .values_list("pk", "mode", "on_offline", "rr_last_membership_id")),
            list(RoutingRule.objects.filter(workspace=workspace).order_by("pk")
                 .values_list("pk", "name", "position", "team_id", "is_active")))
