"""The inbox home's "다가오는 변경" block (loaded by htmx) and the in-app notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cxops.collaboration import notices, selectors, services
from cxops.core.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def _change(workspace: Workspace, title: str, days: int, **kwargs: str) -> None:
    services.change_save(workspace=workspace, actor=None, data=services.ChangeInput(
        kind="promotion", title=title, starts_on=selectors.today_for(workspace) + timedelta(days=days), **kwargs))


def test_the_inbox_loads_the_block_and_the_block_lists_the_next_7_days(workspace: Workspace, viewer: Membership,
                                                                       other_workspace: Workspace) -> None:
    _change(workspace, "가을 세일", 2, expected_impact="high", prepared_answer="쿠폰은 1인 1매", channels="앱 푸시")
    _change(workspace, "연말 점검", 9)
    _change(other_workspace, "다른 회사 행사", 1)
    client = Client()
    client.force_login(viewer.user)
    inbox = client.get(reverse("inbox", kwargs={"slug": workspace.slug})).content.decode()
    block_url = reverse("collab_changes_upcoming", kwargs={"slug": workspace.slug})
    assert f'hx-get="{block_url}"' in inbox and 'hx-trigger="load"' in inbox
    assert "가을 세일" not in inbox  # rendered later, by the block's own request
    block = client.get(block_url).content.decode()
    assert "가을 세일" in block and "앱 푸시" in block and "준비된 답변 보기" in block
    assert "연말 점검" not in block and "다른 회사 행사" not in block


def test_the_block_is_empty_without_changes_and_cheap(workspace: Workspace, agent: Membership) -> None:
    client = Client()
    client.force_login(agent.user)
    url = reverse("collab_changes_upcoming", kwargs={"slug": workspace.slug})
    assert client.get(url).content == b""
    for n in range(5):
        _change(workspace, f"행사 {n}", n)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) <= 8


def test_notices_show_on_the_checklists_page(workspace: Workspace, agent: Membership) -> None:
    _change(workspace, "블랙프라이데이", 3)
    assert notices.change_reminders(workspace=workspace) == 1
    client = Client()
    client.force_login(agent.user)
    page = client.get(reverse("collab_checklists", kwargs={"slug": workspace.slug})).content.decode()
    assert "3일 뒤 시작: 블랙프라이데이" in page
    # The same reminder is in the notification center; the page's link marks it read on the way.
    center = client.get(reverse("notifications", kwargs={"slug": workspace.slug})).content.decode()
    assert "3일 뒤 시작: 블랙프라이데이" in center
    (notice,) = selectors.notices_for(membership=agent)
    assert reverse("notification_open", kwargs={"slug": workspace.slug, "notification_id": notice.pk}) in page
