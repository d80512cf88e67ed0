"""The launch-checklist journey in a real browser (headless Debian Chromium through Playwright):
a manager instantiates a checklist from the built-in template → creates and copies a share link for
an outside team → the outside team, without an account, marks its item done through the link →
the manager sees it done."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cxops.collaboration.models import Checklist, ItemStatus
from tests.e2e.test_board_journey import _page, browser  # noqa: F401  (the shared Chromium fixture)
from tests.factories import make_member, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "journey-pass-2026"
TEAM = "제휴사"


def test_manager_instantiates_and_an_outside_team_completes_through_the_share_link(
        live_server: Any, browser: Any, workspace: Any) -> None:  # noqa: F811
    make_member(workspace, "manager", user=make_user(email="jiho@hanbit.kr", password=PASSWORD, name="이지호"))
    launch = (timezone.localdate() + timedelta(days=45)).isoformat()

    # 1. The manager signs in and instantiates the built-in partner-mall template.
    desk, desk_errors = _page(browser, 1280, 900)
    desk.goto(f"{live_server.url}/login/")
    desk.get_by_label("이메일").fill("jiho@hanbit.kr")
    desk.get_by_label("비밀번호").fill(PASSWORD)
    desk.get_by_role("button", name="로그인").click()
    desk.wait_for_url(re.compile(r"/w/[^/]+/inbox/"))
    desk.goto(f"{live_server.url}/w/{workspace.slug}/collab/checklists/")
    desk.get_by_label("이름").fill("11번가 입점 오픈")
    desk.get_by_label("오픈일").fill(launch)
    desk.get_by_role("button", name="체크리스트 만들기").click()
    desk.wait_for_url(re.compile(r"/collab/checklists/\d+/$"))
    checklist = Checklist.objects.get(workspace=workspace)
    assert checklist.name == "11번가 입점 오픈" and checklist.items.count() == 9
    item = checklist.items.get(title="제휴사 관리자 계정 발급")
    assert item.owner_team == TEAM
    assert desk.locator(f"#item-{item.pk} .badge").first.inner_text().startswith("D-")

    # 2. A share link for the outside team; the manager copies it from the read-only field.
    desk.get_by_label("팀 이름").fill(TEAM)
    desk.get_by_role("button", name="공유 링크 만들기").click()
    share = desk.get_by_label("공유 링크")
    share.wait_for()
    share.click()  # selects the whole link, as a manager does before copying
    share_url = share.input_value()
    assert f"/s/{workspace.slug}/checklist/" in share_url

    # 3. The outside team opens the link in its own browser (no account, no cookies) and completes its item.
    partner_context = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844})
    partner = partner_context.new_page()
    partner.set_default_timeout(15_000)
    partner_errors: list[str] = []
    partner.on("pageerror", lambda exc: partner_errors.append(str(exc)))
    partner.goto(share_url)
    assert f"‘{TEAM}’ 팀으로 공유받은 체크리스트" in partner.locator("body").inner_text()
    card = partner.locator(f"#item-{item.pk}")
    card.get_by_label("상태").select_option(ItemStatus.DONE.value)
    card.get_by_role("button", name="상태 저장").click()
    partner.wait_for_selector(f"#item-{item.pk} .status-done")
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.done_by_label == f"{TEAM} (공유 링크)"
    # Items of other teams have no form on the shared page.
    other = checklist.items.exclude(owner_team=TEAM).first()
    assert partner.locator(f"#item-{other.pk} form").count() == 0

    # 4. The manager reloads and sees the item done, with who did it.
    desk.goto(f"{live_server.url}/w/{workspace.slug}/collab/checklists/{checklist.pk}/")
    done_card = desk.locator(f"#item-{item.pk}")
    assert "완료" in done_card.locator(".status-done").inner_text()
    assert f"{TEAM} (공유 링크)" in done_card.inner_text()
    partner_context.close()
    assert not desk_errors and not partner_errors, desk_errors + partner_errors
