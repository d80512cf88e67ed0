"""Huey jobs: poll every active mailbox each minute (one job per mailbox, never two at once)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from cxops.mail.models import Mailbox
from cxops.mail.poll import poll_mailbox


@db_task()
def mailbox_poll(mailbox_id: int) -> dict[str, object]:
    mailbox = Mailbox.objects.select_related("workspace").filter(pk=mailbox_id, is_active=True).first()
    if mailbox is None:
        return {"mailbox": mailbox_id, "skipped": True}
    try:
        with HUEY.lock_task(f"mail-poll-{mailbox_id}"):
            return poll_mailbox(mailbox).as_dict()
    except TaskLockedException:
        return {"mailbox": mailbox_id, "skipped": True, "reason": "already polling"}


@db_periodic_task(crontab(minute="*"))
def mailboxes_poll_all() -> int:
    ids = list(Mailbox.objects.filter(is_active=True).values_list("pk", flat=True))
    for mailbox_id in ids:
        mailbox_poll(mailbox_id)
    return len(ids)
