"""Background jobs of complaint handling (Huey).

* `complaint_escalate`: right after a ticket is flagged by detection, open its tier-1 escalation and
  tell the leads (kept out of the ticket's write transaction).
* `complaint_model_retrain`: after agents flag or unflag, retrain the workspace's scorer.
* periodic: escalation SLA breaches (every 5 minutes) and regulator deadlines (daily).
Each is idempotent.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cxops.complaints import services
from cxops.complaints.models import ComplaintFlag, Escalation, EscalationStatus
from cxops.core.models import Workspace

log = logging.getLogger(__name__)


@db_task()
def complaint_escalate(flag_id: int) -> int | None:
    flag = ComplaintFlag.objects.select_related("ticket", "ticket__workspace", "ticket__team").filter(pk=flag_id).first()
    if flag is None or not flag.is_complaint:
        return None
    ticket = flag.ticket
    if Escalation.objects.filter(ticket=ticket).exclude(status=EscalationStatus.RESOLVED).exists():
        return None
    matched = ", ".join(flag.matched[:5])
    reason = f"민원 자동 감지 (점수 {flag.score:.2f}{'; ' + matched if matched else ''})"
    escalation = services.escalation_open(ticket=ticket, tier=1, reason=reason, flag=flag)
    return escalation.pk if escalation else None


@db_task()
def complaint_model_retrain(workspace_id: int) -> int | None:
    from django.core.cache import cache

    cache.delete(services.retrain_pending_key(workspace_id))  # feedback from now on queues a new run
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return None
    return services.model_retrain(workspace=workspace).pk


@db_periodic_task(crontab(minute="*/5"))
def escalation_breaches() -> int:
    """Every 5 minutes: escalations past their due time are marked breached and go up a tier."""
    total = 0
    for workspace in Workspace.objects.filter(pk__in=Escalation.objects.filter(
            status=EscalationStatus.OPEN, breached=False).values("workspace_id")):
        try:
            total += services.escalations_check_breaches(workspace=workspace)
        except Exception:
            log.exception("escalation breach check failed for workspace %s", workspace.pk)
    return total


@db_periodic_task(crontab(hour="9", minute="7"))
def regulator_deadline_reminders() -> int:
    """Daily at 09:07: reminders before and on a regulator complaint's response deadline."""
    from cxops.complaints.models import REGULATOR_OPEN, RegulatorComplaint

    total = 0
    for workspace in Workspace.objects.filter(pk__in=RegulatorComplaint.objects.filter(
            status__in=REGULATOR_OPEN).values("workspace_id")):
        try:
            total += services.regulator_reminders(workspace=workspace)
        except Exception:
            log.exception("regulator reminders failed for workspace %s", workspace.pk)
    return total
