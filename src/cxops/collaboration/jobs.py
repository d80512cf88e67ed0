"""Background jobs of the collaboration tools (Huey periodic tasks).

Thin: each runs one step of `cxops.collaboration.notices` for every workspace. Every step is
idempotent (a reminder is made once per object, recipient and day, or week), so a retried or doubled run
sends nothing twice.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cxops.collaboration import notices


@db_periodic_task(crontab(hour="9", minute="3"))
def checklist_overdue_reminders() -> int:
    """Daily at 09:03: remind assignees and outside teams of checklist items past their due date."""
    return notices.for_every_workspace(notices.overdue_item_reminders)


@db_periodic_task(crontab(hour="9", minute="5"))
def change_calendar_reminders() -> int:
    """Daily at 09:05: changes starting in N days (per change, else the workspace default)."""
    return notices.for_every_workspace(notices.change_reminders)


@db_periodic_task(crontab(minute="*/15"))
def exception_queue_check_alerts() -> int:
    """Every 15 minutes: alert once a day for each queue not checked by its set time."""
    return notices.for_every_workspace(notices.queue_check_alerts)


@db_periodic_task(crontab(day_of_week="1", hour="8", minute="30"))
def request_weekly_summaries() -> int:
    """Mondays at 08:30: last week's request and decision summary to each workspace's list."""
    return notices.for_every_workspace(notices.weekly_summary_send)
