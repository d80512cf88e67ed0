"""Migration 0003 copies the old collaboration notices into the notification center; 0004 drops them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from django.utils import timezone

from cxops.collaboration import notices
from cxops.collaboration.models import ReminderKind
from cxops.core.models import Membership, Workspace
from cxops.notifications.models import Notification, OutsideEmail
from tests.factories import make_member, make_workspace

BEFORE = [("collaboration", "0002_reminders_links")]
AFTER = [("collaboration", "0004_delete_notice")]


def _migrate(targets: list[tuple[str, str]]) -> StateApps:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_upgrade(transactional_db: None) -> Iterator[StateApps]:
    old_apps = _migrate(BEFORE)
    try:
        yield old_apps
    finally:  # the rest of the suite runs on the latest schema, whatever happened here
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_old_notices_become_notifications_and_outside_emails(before_upgrade: StateApps) -> None:
    workspace = make_workspace(slug="shop", name="맛있는 식탁")
    agent = make_member(workspace, "agent")
    lead = make_member(workspace, "lead")
    gone = make_member(workspace, "agent")
    Membership.objects.filter(pk=gone.pk).update(is_active=False)
    other = make_workspace(slug="other", name="다른 회사")
    stranger = make_member(other, "agent")
    today = date(2026, 12, 7)
    sent = timezone.now() - timedelta(hours=2)
    notice = before_upgrade.get_model("collaboration", "Notice")

    def old(
        workspace: Workspace,
        kind: str,
        key: str,
        day: date,
        title: str,
        recipient: Membership | None = None,
        email: str = "",
        **extra: object,
    ) -> None:
        notice.objects.create(
            workspace_id=workspace.pk,
            kind=kind,
            day=day,
            recipient_id=recipient.pk if recipient else None,
            email=email,
            dedupe_key=f"{kind}:{key}:{day.isoformat()}:{recipient.pk if recipient else ''}:{email.lower()}",
            title=f"[{workspace.name}] {title}",
            body="본문",
            url=f"http://127.0.0.1:8000/w/{workspace.slug}/collab/x/",
            **extra,
        )

    old(
        workspace,
        "item_overdue",
        "item:7",
        today,
        "기한 지난 체크리스트 항목: 전화번호",
        recipient=agent,
        email=agent.user.email,
        emailed_at=sent,
    )
    old(
        workspace,
        "item_overdue",
        "item:8",
        today,
        "기한 지난 체크리스트 항목: 정책",
        email="MD@partner.example",
        emailed_at=sent,
    )
    old(workspace, "change_upcoming", "change:5:2026-12-10", today, "3일 뒤 시작: 세일")
    old(workspace, "queue_unchecked", "queue:3", today, "예외 큐 미확인: 환불", email=lead.user.email, emailed_at=sent)
    old(other, "weekly_summary", "weekly:2026-11-30", date(2026, 11, 30), "요청·결정 주간 요약")

    _migrate(AFTER)

    assert "collaboration_notice" not in connection.introspection.table_names()
    rows = {(n.recipient_id, n.kind): n for n in Notification.objects.all()}
    assert set(rows) == {
        (agent.pk, "collab.item_overdue"),
        (agent.pk, "collab.change_upcoming"),
        (lead.pk, "collab.change_upcoming"),  # workspace-wide: active members
        (lead.pk, "collab.queue_unchecked"),  # mailed to a member's address: that member's notification
        (stranger.pk, "collab.weekly_summary"),
    }
    overdue = rows[(agent.pk, "collab.item_overdue")]
    assert overdue.title == "기한 지난 체크리스트 항목: 전화번호" and overdue.url == "/w/shop/collab/x/"
    assert overdue.emailed_at == sent and overdue.read_at is not None and overdue.body == "본문"
    assert overdue.dedupe_key == "collab.item_overdue:item:7:2026-12-07"
    assert rows[(lead.pk, "collab.change_upcoming")].emailed_at is None
    (outside,) = OutsideEmail.objects.all()
    assert (outside.address, outside.workspace_id, outside.sent_at) == ("md@partner.example", workspace.pk, sent)
    assert outside.dedupe_key == "collab.item_overdue:item:8:2026-12-07"
    # The copies arrive read: the bell counts only new reminders.
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    # The keys are the ones the reminders use now: what was sent that period is not sent again.
    assert overdue.dedupe_key == notices.dedupe_key(ReminderKind.ITEM_OVERDUE, "item:7", today)
    weekly = rows[(stranger.pk, "collab.weekly_summary")]
    assert weekly.dedupe_key == notices.dedupe_key(ReminderKind.WEEKLY_SUMMARY, "weekly:2026-11-30", date(2026, 11, 30))
