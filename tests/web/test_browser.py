"""An agent's day in a real browser (headless Debian Chromium through Playwright): htmx swaps,
keyboard shortcuts, bulk changes, the reply box with a macro, the side panel and the call log."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cxops.tickets.models import Call, Message, MessageKind, Ticket
from tests.factories import make_ticket
from tests.web.conftest import World

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


@pytest.fixture
def agent_page(monkeypatch: pytest.MonkeyPatch, live_server: Any, world: World) -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CXOPS_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Debian Chromium is not installed")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client = Client()
    client.force_login(world.agent.user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            yield page
        finally:
            browser.close()
        assert not errors, errors


def test_inbox_bulk_change_and_reply_with_a_macro(live_server, agent_page, world):
    page = agent_page
    second = make_ticket(world.workspace, subject="교환 요청드립니다", phone="010-8282-1004", name="이서준")
    base = f"{live_server.url}/w/{world.workspace.slug}"
    page.goto(f"{base}/inbox/?view=open")
    assert page.locator(".inbox-table tbody tr").count() == 2

    # Filtering swaps the table without a page load and pushes the URL.
    page.fill("#global-search", "교환")
    page.wait_for_function("() => location.search.includes('q=')")
    page.wait_for_function("() => document.querySelectorAll('.inbox-table tbody tr').length === 1")
    page.fill("#global-search", "")
    page.wait_for_function("() => document.querySelectorAll('.inbox-table tbody tr').length === 2")

    # j / x select rows; the bulk bar assigns them to me and the table refreshes itself.
    page.locator("h1").click()
    for key in ("j", "x", "j", "x"):
        page.keyboard.press(key)
    assert page.inner_text("#bulk-count") == "2"
    page.select_option("#bulk-assignee", "me")
    page.click("#bulkbar button[type=submit]")
    page.wait_for_selector(".toast:has-text('티켓 2건을 변경했습니다.')")
    assert Ticket.objects.filter(assignee=world.agent.user).count() == 2
    page.wait_for_function("() => document.querySelectorAll('.assignee').length >= 2")

    # Open the second ticket with the keyboard.
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"**/tickets/{second.number}/")

    # The macro picker fills the variables into the reply box; sending swaps the timeline.
    page.select_option("#macro-select", label="배송 지연 안내")
    page.wait_for_function("() => document.querySelector('#composer-body').value.includes('이서준님')")
    page.click("#composer-form button[type=submit]")
    page.wait_for_selector(".toast:has-text('답변을 등록했습니다.')")
    page.wait_for_selector(f"#timeline .msg-reply:has-text('#{second.number} 확인했습니다')")
    assert page.input_value("#composer-body") == ""
    assert Message.objects.filter(ticket=second, kind=MessageKind.REPLY).count() == 1

    # n switches to an internal note.
    page.locator("h1").click()
    page.keyboard.press("n")
    page.fill("#composer-body", "교환 회수 접수함")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#timeline .msg-note:has-text('교환 회수 접수함')")

    # The side panel saves on change and the header follows.
    page.select_option("#id_priority", "urgent")
    page.wait_for_selector(".ticket-meta .prio-urgent")
    page.wait_for_selector("#timeline .msg-event:has-text('우선순위: 보통 → 긴급')")
    second.refresh_from_db()
    assert second.priority == "urgent"


def test_phone_call_log_looks_up_the_caller(live_server, agent_page, world):
    page = agent_page
    page.goto(f"{live_server.url}/w/{world.workspace.slug}/calls/new/")
    page.fill("#call-phone", "010-3333-4444")
    page.wait_for_selector("#call-lookup:has-text('김민지')")
    page.click("[data-fill='call-ticket']")
    assert page.input_value("#call-ticket") == str(world.ticket.number)
    page.fill("#id_duration", "2:10")
    page.fill("#id_summary", "배송 일정 다시 안내")
    page.click("button.btn-primary:has-text('통화 기록 저장')")
    page.wait_for_url("**/calls/")
    call = Call.objects.get(summary="배송 일정 다시 안내")
    assert call.duration_seconds == 130 and call.ticket_id == world.ticket.pk
