"""Copy the collaboration reminders (`Notice`) into the notification center before `Notice` goes.

- A notice to a member becomes that member's notification.
- A workspace-wide notice (no recipient, no address) was shown to every member: it becomes a
  notification for each active member.
- A notice mailed to an address becomes a notification when the address is an active member's,
  else an `OutsideEmail` row.
The dedupe key becomes the one `cxops.collaboration.notices` makes now (`collab.<kind>:<object>:<day>`),
so a reminder already sent today (or this week) is not sent again after the upgrade. The old notices
had no unread state (nothing marked them read), so the copies arrive read: the bell counts only new
reminders and no digest mails history. Links become site paths, titles lose the "[workspace] " prefix
(the notification center adds it to emails). The reverse is a no-op: the copies stay.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone

BATCH = 500
PREFIX = "collab."


def new_dedupe_key(old: str) -> str:
    """`<kind>:<object>:<day>:<recipient id>:<address>` → `collab.<kind>:<object>:<day>`."""
    return (PREFIX + old.rsplit(":", 2)[0])[:200]


def site_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme and parts.path.startswith(("/w/", "/s/")):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url


def copy_notices(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    notice_model = apps.get_model("collaboration", "Notice")
    notification_model = apps.get_model("notifications", "Notification")
    outside_model = apps.get_model("notifications", "OutsideEmail")
    membership_model = apps.get_model("core", "Membership")
    alias = schema_editor.connection.alias
    now = timezone.now()
    active: dict[int, list[tuple[int, str]]] = {}  # workspace id → (membership id, lower-cased email)
    notifications: list[Any] = []
    outside: list[Any] = []

    def members(workspace_id: int) -> list[tuple[int, str]]:
        if workspace_id not in active:
            active[workspace_id] = [(pk, (email or "").lower()) for pk, email in membership_model.objects.using(alias)
                                    .filter(workspace_id=workspace_id, is_active=True).order_by("id")
                                    .values_list("id", "user__email")]
        return active[workspace_id]

    def flush(force: bool = False) -> None:
        for model, rows in ((notification_model, notifications), (outside_model, outside)):
            if rows and (force or len(rows) >= BATCH):
                # A repeated (recipient, key) or (address, key) keeps the first copy.
                model.objects.using(alias).bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
                rows.clear()

    for notice in notice_model.objects.using(alias).select_related("workspace").order_by("id").iterator(
            chunk_size=BATCH):
        title = notice.title.removeprefix(f"[{notice.workspace.name}] ") or notice.title
        common = {"workspace_id": notice.workspace_id, "kind": (PREFIX + notice.kind)[:60], "title": title[:200],
                  "body": notice.body, "url": site_path(notice.url)[:300],
                  "dedupe_key": new_dedupe_key(notice.dedupe_key), "created_at": notice.created_at,
                  "read_at": notice.read_at or now}
        if notice.recipient_id is not None:
            notifications.append(notification_model(recipient_id=notice.recipient_id, emailed_at=notice.emailed_at,
                                                    **common))
        elif not notice.email:
            notifications.extend(notification_model(recipient_id=pk, **common)
                                 for pk, _email in members(notice.workspace_id))
        else:
            address = notice.email.strip().lower()
            member = next((pk for pk, email in members(notice.workspace_id) if email == address), None)
            if member is not None:
                notifications.append(notification_model(recipient_id=member, emailed_at=notice.emailed_at, **common))
            else:
                outside.append(outside_model(workspace_id=notice.workspace_id, address=address[:254],
                                             kind=common["kind"], title=common["title"],
                                             dedupe_key=common["dedupe_key"], sent_at=notice.emailed_at,
                                             created_at=notice.created_at))
        flush()
    flush(force=True)


class Migration(migrations.Migration):

    dependencies = [
        ("collaboration", "0002_reminders_links"),
        ("notifications", "0002_outside_email"),
    ]

    operations = [
        migrations.RunPython(copy_notices, migrations.RunPython.noop, elidable=True),
    ]
