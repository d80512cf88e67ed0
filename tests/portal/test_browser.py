"""Customer and sign-in journeys in a real browser (headless Debian Chromium through Playwright).

The Django test client sends no Origin header; a browser does, and under some referrer policies
it sends "null", which Django's CSRF check refuses. Only a browser catches that.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from cxops.tickets.models import Status, Ticket
from cxops.tickets.services import ticket_reply

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


def _png() -> bytes:
    raw = b"".join(b"\x00" + bytes((47, 111, 237)) * 8 for _ in range(8))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CXOPS_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Debian Chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(locale="ko-KR", viewport={"width": 390, "height": 844})
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()


def test_customer_asks_reads_the_answer_and_writes_back(live_server, browser_page, workspace, agent, settings):
    settings.CXOPS_PORTAL_MIN_FILL_SECONDS = 0
    page = browser_page
    page.goto(f"{live_server.url}/p/{workspace.slug}/inquiry/")
    page.get_by_label("이름").fill("김민수")
    page.get_by_label("휴대폰 번호").fill("010-1234-5678")
    page.select_option("#id_category", label="배송 > 배송 지연")
    page.get_by_label("제목").fill("주문한 김치가 아직 안 왔어요")
    page.get_by_label("문의 내용").fill("11월 20일에 주문했는데 아직 배송이 시작되지 않았습니다.")
    page.set_input_files("#id_attachments", files=[{"name": "송장.png", "mimeType": "image/png", "buffer": _png()}])
    page.get_by_label("개인정보 수집·이용에 동의합니다. (필수)").check()
    page.get_by_role("button", name="문의 접수").click()

    page.wait_for_url(re.compile(r"/inquiry/thanks/$"))
    assert page.locator(".receipt-number").inner_text().endswith("#1001")
    ticket = Ticket.objects.get(workspace=workspace)
    assert ticket.messages.get().attachments.get().filename == "송장.png"

    page.get_by_role("link", name="내 문의 보기").click()
    page.wait_for_load_state()
    assert "접수됨" in page.locator(".status__badge").inner_text()

    ticket_reply(ticket=ticket, by=agent, body_text="내일 도착 예정입니다. 불편을 드려 죄송합니다.")
    page.reload()
    assert "답변 완료" in page.locator(".status__badge").inner_text()
    assert "내일 도착 예정입니다." in page.content()

    page.get_by_label("추가 문의 내용").fill("네, 기다려 보겠습니다.")
    page.get_by_role("button", name="보내기").click()
    page.wait_for_url(re.compile(r"#latest$"))
    assert "추가 문의가 등록되었습니다." in page.content()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN

    image = page.request.get(live_server.url + page.locator(".files a").first.get_attribute("href"))
    assert image.status == 200 and image.body() == _png()


def test_agent_resets_the_password_and_signs_in(live_server, browser_page, agent, mailoutbox, settings):
    settings.SITE_URL = live_server.url
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="비밀번호를 잊으셨나요?").click()
    page.get_by_label("가입한 이메일").fill(agent.user.email)
    page.get_by_role("button", name="재설정 링크 받기").click()
    page.wait_for_url(re.compile(r"/password-reset/done/$"))

    link = re.search(r"http://\S+/reset/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.fill("#id_new_password1", "새-비밀번호-2026!")
    page.fill("#id_new_password2", "새-비밀번호-2026!")
    page.get_by_role("button", name="비밀번호 변경").click()
    page.wait_for_url(re.compile(r"/reset/done/$"))

    page.get_by_role("link", name="로그인").click()
    page.fill("#id_username", agent.user.email)
    page.fill("#id_password", "새-비밀번호-2026!")
    page.get_by_role("button", name="로그인").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url


def test_invited_agent_creates_the_account(live_server, browser_page, workspace, admin):
    from cxops.core.models import Membership
    from cxops.core.services import invitation_create

    _invitation, raw = invitation_create(workspace=workspace, email="newbie@example.kr", role="agent",
                                         actor=admin.user)
    page = browser_page
    page.goto(f"{live_server.url}/invite/{raw}/")
    assert "맛있는 식탁 고객센터에 초대되었습니다" in page.content()
    page.fill("#id_display_name", "신입 상담원")
    page.fill("#id_password1", "튼튼한-비번-2026")
    page.fill("#id_password2", "튼튼한-비번-2026")
    page.get_by_role("button", name="가입하고 초대 수락").click()
    page.wait_for_load_state()
    assert "/invite/" not in page.url
    assert Membership.objects.get(workspace=workspace, user__email="newbie@example.kr").role == "agent"
