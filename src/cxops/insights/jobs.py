"""Background jobs: tag suggestions for new tickets and calls, weekly retraining, trend alerts, report emails."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cxops.core.models import Workspace
from cxops.core.services import ServiceError
from cxops.insights.labels import FIELDS
from cxops.tickets.models import Call, Ticket

log = logging.getLogger(__name__)


@db_task()
def suggest_for_ticket(ticket_id: int) -> int:
    from cxops.insights.services import suggestions_refresh_ticket

    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    return len(suggestions_refresh_ticket(ticket=ticket))


@db_task()
def suggest_for_call(call_id: int) -> int:
    from cxops.insights.services import suggestions_refresh_call

    call = Call.objects.filter(pk=call_id).first()
    if call is None or call.ticket_id is not None:
        return 0
    return len(suggestions_refresh_call(call=call))


@db_task()
def train_field(workspace_id: int, field: str) -> str:
    """On-demand training (the button on the model page)."""
    from cxops.insights.services import model_train

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return "gone"
    try:
        model, _report = model_train(workspace=workspace, field=field)
    except ServiceError as exc:
        log.info("training %s of workspace %s skipped: %s", field, workspace.slug, exc)
        return "skipped"
    return model.version


@db_periodic_task(crontab(day_of_week="0", hour="4", minute="23"))
def retrain_weekly() -> int:
    """Every Sunday night: retrain each field of each workspace that has trained one before or has
    enough labelled tickets (the service says when it has not)."""
    from cxops.insights.services import model_train

    trained = 0
    for workspace in Workspace.objects.order_by("pk"):
        for field in FIELDS:
            try:
                model_train(workspace=workspace, field=field)
                trained += 1
            except ServiceError:
                continue
            except Exception:
                log.exception("weekly training of %s for workspace %s failed", field, workspace.slug)
    return trained


@db_periodic_task(crontab(minute="11"))
def alerts_scan() -> int:
    """Every hour: new trend alerts of every workspace (stored once per key and period, then emailed)."""
    from cxops.insights.alerts import scan_workspace

    found = 0
    for workspace in Workspace.objects.order_by("pk"):
        try:
            found += len(scan_workspace(workspace=workspace))
        except Exception:
            log.exception("trend alert scan of workspace %s failed", workspace.slug)
    return found


@db_periodic_task(crontab(day_of_week="1", hour="8", minute="3"))
def weekly_reports() -> int:
    """Monday morning: last week's product feedback reports to their mailing lists."""
    from cxops.insights.models import ReportSubscription
    from cxops.insights.sharing import send_weekly

    sent = 0
    for subscription in ReportSubscription.objects.filter(is_active=True).select_related("workspace", "product"):
        try:
            sent += send_weekly(subscription)
        except Exception:
            log.exception("weekly report %s failed", subscription.pk)
    return sent
