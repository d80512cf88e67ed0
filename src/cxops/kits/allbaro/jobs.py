"""Background jobs of the Allbaro kit."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cxops.kits.allbaro.services import reminders_send


@db_periodic_task(crontab(hour="9", minute="7"))
def ledger_reminders() -> int:
    """Daily at 09:07: each enabled workspace reminds its customers once a month, from its reminder day on."""
    return reminders_send(today=timezone.localdate())
