"""Background jobs of assignment (Huey): hand on an unavailable agent's tickets, give queued
tickets to agents with room, and retry an assignment that met a busy agent. Every job re-reads
the current state, so a doubled or late run does nothing wrong."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cxops.assignment import services
from cxops.assignment.models import Mode, TeamAssignmentConfig
from cxops.core.models import Membership, Workspace
from cxops.core.services import ServiceError
from cxops.tickets.models import Ticket

log = logging.getLogger(__name__)


@db_task()
def member_rebalance(membership_id: int) -> int:
    """An agent went away or offline: move their running tickets as each of their teams says."""
    return services.rebalance_member(membership_id=membership_id)


@db_task()
def member_queues_drain(membership_id: int) -> int:
    """An agent came online: the queues of their automatically assigning teams are handed out."""
    membership = Membership.objects.filter(pk=membership_id).first()
    if membership is None:
        return 0
    assigned = 0
    for config in (TeamAssignmentConfig.objects.filter(team__members=membership).exclude(mode=Mode.MANUAL)
                   .select_related("team__workspace").order_by("pk")):
        assigned += services.drain_team_queue(team=config.team)
    return assigned


@db_task()
def assign_retry(ticket_id: int) -> str:
    """An assignment found only agents that other transactions held: try once more."""
    ticket = Ticket.objects.select_related("workspace").filter(pk=ticket_id, assignee__isnull=True).first()
    if ticket is None:
        return "skipped"
    try:
        choice = services.assign_ticket(ticket=ticket, by=None)
    except ServiceError as exc:
        return f"skipped: {exc}"
    return "assigned" if choice.membership else "queued"


@db_periodic_task(crontab(minute="*/5"))
def assignment_sweep() -> dict[str, int]:
    """Every five minutes: tickets of agents who stopped being available without telling (a shift
    ended, a missed status change) move on, and queued tickets go to agents with room."""
    moved = assigned = 0
    for workspace in Workspace.objects.filter(pk__in=TeamAssignmentConfig.objects.values("workspace_id")):
        try:
            moved += services.rebalance_workspace(workspace=workspace)
            for config in (TeamAssignmentConfig.objects.filter(workspace=workspace).exclude(mode=Mode.MANUAL)
                           .select_related("team__workspace")):
                assigned += services.drain_team_queue(team=config.team)
        except Exception:
            log.exception("assignment sweep failed for workspace %s", workspace.pk)
    return {"moved": moved, "assigned": assigned}
