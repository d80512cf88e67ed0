"""How assignment plugs into tickets: the lifecycle hook (order 20, after the SLA deadlines) that
routes and assigns new tickets, and the availability hook that hands an agent's work on.

Assignment of a new ticket runs synchronously inside the ticket's own transaction: the ticket is
never seen unassigned by a team that assigns automatically, and a failure rolls back with it. It is
kept short: a few indexed reads, then two row locks (the team's config row, the chosen agent's
membership row) held until the ticket's transaction commits.
"""

from __future__ import annotations

from django.db import transaction

from cxops.core.models import Availability, Membership
from cxops.tickets import extensions
from cxops.tickets.extensions import ChangeKind, TicketChange

LIFECYCLE_ORDER = 20


def on_ticket_change(change: TicketChange) -> None:
    from cxops.assignment import services

    ticket = change.ticket
    if change.kind == ChangeKind.CREATED:
        services.auto_assign(ticket=ticket)
    elif (change.kind == ChangeKind.UPDATED and "team_id" in change.changes and ticket.team_id is not None
          and ticket.assignee_id is None):
        # Moved to another team without an owner: that team's mode decides who takes it.
        services.auto_assign(ticket=ticket, route_first=False)


def on_availability_change(membership: Membership, before: str, after: str) -> None:
    """After the change commits, a job hands the agent's tickets on (offline, away) or gives queued
    tickets to them (online). Not in this transaction: it would hold the agent's row while waiting
    for team locks that other assigners hold while waiting for that row."""
    from cxops.assignment import jobs

    membership_id = membership.pk
    if after == Availability.ONLINE:
        transaction.on_commit(lambda: jobs.member_queues_drain(membership_id))
    elif before == Availability.ONLINE:
        transaction.on_commit(lambda: jobs.member_rebalance(membership_id))


def install() -> None:
    extensions.register_ticket_lifecycle(on_ticket_change, order=LIFECYCLE_ORDER)
    extensions.register_availability_hook(on_availability_change)
