"""Background jobs of the notification center."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cxops.notifications import services


@db_task(retries=3, retry_delay=60)
def notifications_email(notification_ids: list[int]) -> int:
    """Email notifications made with email_now (escalations and the like) right after they are made."""
    return services.email_now(notification_ids)


@db_periodic_task(crontab(minute="7"))
def notification_digests() -> int:
    """Hourly at :07: digests of unread notifications (hourly members, and daily ones from 08:00)."""
    return services.digests_send()
