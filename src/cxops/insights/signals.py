"""Suggest tags for every new ticket and logged call, after the creating transaction commits.

The tickets package knows nothing of insights: a post_save receiver enqueues a job on commit, so
creating a ticket never waits for the classifier. Bulk imports (historical tickets) send no
post_save and get no suggestions.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from cxops.tickets.models import Call, Ticket

log = logging.getLogger(__name__)


def _ticket_created(sender: type[Ticket], instance: Ticket, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    ticket_id = instance.pk

    def enqueue() -> None:
        from cxops.insights import jobs

        try:
            jobs.suggest_for_ticket(ticket_id)
        except Exception:  # the queue being down must never break ticket creation
            log.exception("could not enqueue tag suggestions for ticket %s", ticket_id)

    transaction.on_commit(enqueue)


def _call_created(sender: type[Call], instance: Call, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # A call that opened or joined a ticket is tagged through its ticket.
    if not created or raw or instance.ticket_id is not None:
        return
    call_id = instance.pk

    def enqueue() -> None:
        from cxops.insights import jobs

        # The call may get its follow-up ticket later in the same transaction: the job checks.
        try:
            jobs.suggest_for_call(call_id)
        except Exception:
            log.exception("could not enqueue tag suggestions for call %s", call_id)

    transaction.on_commit(enqueue)


def connect() -> None:
    post_save.connect(_ticket_created, sender=Ticket, dispatch_uid="insights_ticket_created")
    post_save.connect(_call_created, sender=Call, dispatch_uid="insights_call_created")
