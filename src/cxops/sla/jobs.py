"""Background jobs of SLA clocks (Huey): the minute check and the recompute after a setup change."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cxops.sla import services


@db_periodic_task(crontab(minute="*"))
def sla_check() -> int:
    """Every minute: record warnings and breaches whose moment has passed (idempotent)."""
    return services.sla_check_due(limit=5000)


@db_task()
def sla_recompute_workspace(workspace_id: int) -> int:
    """Recompute the deadlines of every open ticket of a workspace (after a calendar or policy save)."""
    return services.workspace_sla_recompute(workspace_id=workspace_id)
