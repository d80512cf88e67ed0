"""The foundation journey in a real browser (headless Debian Chromium through Playwright):
a customer submits a board inquiry → an agent signs in, finds it in the inbox and replies →
the customer reads the reply through the private link and writes back."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from cxops.tickets.models import Message, MessageKind, Status, Ticket
from tests.factories import make_member, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
PASSWORD = "journey-pass-2026"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CXOPS_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Debian Chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            yield instance
        finally:
            instance.close()


def _page(browser: Any, width: int, height: int) -> tuple[Any, list[str]]:
    context = browser.new_context(locale="ko-KR", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def test_board_inquiry_to_agent_reply_to_customer(live_server, browser, workspace, settings):
    settings.CXOPS_PORTAL_MIN_FILL_SECONDS = 0
    agent = make_member(workspace, "agent", user=make_user(email="minji@hanbit.kr", password=PASSWORD, name="김민지"))

    # 1. The customer asks on their phone.
    customer, customer_errors = _page(browser, 390, 844)
    customer.goto(f"{live_server.url}/p/{workspace.slug}/inquiry/")
    customer.get_by_label("이름").fill("박서연")
    customer.get_by_label("휴대폰 번호").fill("010-2468-1357")
    customer.get_by_label("주문번호").fill("20261120-0004512")
    customer.select_option("#id_category", label="배송 > 배송 지연")
    customer.get_by_label("제목").fill("샤인머스캣 선물세트 배송 문의")
    customer.get_by_label("문의 내용").fill("추석 선물로 주문했는데 배송이너무늦어요. 언제 도착하나요?")
    customer.get_by_label("개인정보 수집·이용에 동의합니다. (필수)").check()
    customer.get_by_role("button", name="문의 접수").click()
    customer.wait_for_url(re.compile(r"/inquiry/thanks/$"))
    ticket = Ticket.objects.get(workspace=workspace)
    assert customer.locator(".receipt-number").inner_text().endswith(f"#{ticket.number}")
    customer.get_by_role("link", name="내 문의 보기").click()
    customer.wait_for_load_state()
    private_link = customer.url
    assert "/inquiry/" in private_link and "thanks" not in private_link

    # 2. The agent signs in with the real form, finds the inquiry by a Korean word, and replies.
    desk, desk_errors = _page(browser, 1280, 900)
    desk.goto(f"{live_server.url}/login/")
    desk.get_by_label("이메일").fill("minji@hanbit.kr")
    desk.get_by_label("비밀번호").fill(PASSWORD)
    desk.get_by_role("button", name="로그인").click()
    desk.wait_for_url(re.compile(r"/w/[^/]+/inbox/"))
    desk.goto(f"{live_server.url}/w/{workspace.slug}/inbox/?view=unassigned")
    row = desk.locator(".inbox-table tbody tr", has_text="샤인머스캣 선물세트 배송 문의")
    assert row.count() == 1
    desk.fill("#global-search", "배송")
    desk.wait_for_function("() => location.search.includes('q=')")
    desk.locator(".inbox-table tbody tr a", has_text="샤인머스캣 선물세트 배송 문의").first.click()
    desk.wait_for_url(f"**/tickets/{ticket.number}/")
    assert desk.locator("#timeline").inner_text().count("배송이너무늦어요") == 1
    desk.fill("#composer-body", "박서연님, 택배사 확인 결과 내일 오전 중 도착 예정입니다. 불편을 드려 죄송합니다.")
    desk.click("#composer-form button[type=submit]")
    desk.wait_for_selector(".toast:has-text('답변을 등록했습니다.')")
    desk.wait_for_selector("#timeline .msg-reply:has-text('내일 오전 중 도착 예정')")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and ticket.assignee_id == agent.user_id
    assert ticket.first_response_at is not None

    # 3. The customer reads the answer on the private link and writes back.
    customer.goto(private_link)
    assert "내일 오전 중 도착 예정" in customer.locator("body").inner_text()
    customer.get_by_label("추가 문의 내용").fill("감사합니다. 경비실에 맡겨 주세요.")
    customer.get_by_role("button", name=re.compile("보내기|등록|남기기")).click()
    customer.wait_for_selector("text=경비실에 맡겨 주세요.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER).count() == 2

    # The agent's open page picks the follow-up up without a reload (presence poll).
    desk.wait_for_selector("#timeline :text('경비실에 맡겨 주세요.')", timeout=30_000)
    assert not customer_errors and not desk_errors, customer_errors + desk_errors
