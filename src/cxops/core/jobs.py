"""Background jobs of the core package."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, task

from cxops.core.models import Invitation


@task()
def probe(token: str) -> dict[str, Any]:
    """Returns the consumer's process id: `cxops jobs probe` and the tests use it to prove that a
    job enqueued by one process runs in another."""
    return {"token": token, "pid": os.getpid()}


@db_periodic_task(crontab(hour="3", minute="17"))
def invitations_purge() -> int:
    """Forget invitations that expired more than 30 days ago."""
    cutoff = timezone.now() - timedelta(days=30)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted
