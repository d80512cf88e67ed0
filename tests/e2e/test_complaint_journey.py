"""The complaint journey in a real browser (headless Debian Chromium through Playwright):
an email complaint arrives → it is flagged → the lead is notified → the agent proposes a ₩50,000 refund
over their ₩30,000 limit → the lead approves → the agent's reply goes out by SMTP (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Iterator
from email.utils import format_datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cxops.complaints import services as complaint_services
from cxops.complaints.models import ComplaintFlag, Escalation, Remedy, RemedyStatus
from cxops.mail import services as mail_services
from cxops.mail.models import Security
from cxops.notifications.models import Notification
from cxops.tickets.models import Ticket
from tests.e2e.test_board_journey import PASSWORD, _page, browser  # noqa: F401  (fixture)
from tests.factories import make_member, make_user
from tests.mail.servers import SmtpSink, smtp_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

COMPLAINT = (
    b"From: =?utf-8?b?6rmA7ZWY64qY?= <haneul.kim@daum.example>\r\n"
    b"To: cs@shop.example\r\n"
    b"Subject: =?utf-8?b?7ZmY67aIIOyalOyyrSDshLgg67KI7Ke4?=\r\n"
    b"Message-ID: <complaint-0001@daum.example>\r\n"
    b"Date: %DATE%\r\n"  # filled with the current time: older mail is backfill, which pages nobody
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
) + (
    "한우 선물세트가 상한 채로 왔습니다. 환불을 세 번이나 요청했는데 아직도 답이 없네요.\r\n"
    "이번 주 안에 처리되지 않으면 소비자원에 신고하겠습니다.\r\n"
).encode()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server("cs@shop.example", "smtp-pass") as sink:
        yield sink


def _login(page: Any, base: str, email_addr: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("이메일").fill(email_addr)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(re.compile(r"/w/[^/]+/"))


def test_email_complaint_to_approved_refund_and_smtp_reply(live_server, browser, workspace, smtp):  # noqa: F811
    agent = make_member(workspace, "agent", user=make_user(email="jisu@hanbit.kr", password=PASSWORD, name="이지수"))
    lead = make_member(workspace, "lead", user=make_user(email="lead.park@hanbit.kr", password=PASSWORD, name="박팀장"))
    complaint_services.policy_add(workspace=workspace, by=None, kind="refund", max_amount=100_000)
    mailbox = mail_services.mailbox_save(
        workspace=workspace, by=None, address="cs@shop.example", name="고객센터", imap_host="127.0.0.1", imap_port=1,
        imap_security=Security.NONE, imap_user="cs@shop.example", smtp_host="127.0.0.1", smtp_port=smtp.port,
        smtp_security=Security.NONE, smtp_user="cs@shop.example", imap_password="x", smtp_password="smtp-pass")

    # 1. The complaint mail arrives (the parse/ingest path the IMAP poller uses) and is flagged at once.
    raw = COMPLAINT.replace(b"%DATE%", format_datetime(timezone.localtime()).encode())
    result = mail_services.email_ingest(workspace=workspace, raw=raw, mailbox=mailbox)
    assert result.status == "created"
    ticket = Ticket.objects.get(pk=result.ticket_id)
    flag = ComplaintFlag.objects.get(ticket=ticket)
    assert flag.is_complaint and "threat:소비자원" in flag.matched

    # 2. The lead has an escalation with a due time, in the app and by email.
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.tier == 1 and escalation.owner == lead
    assert Notification.objects.filter(recipient=lead, kind="complaint.escalation").exists()
    assert any(f"[민원 1차] #{ticket.number}" in m.subject and "lead.park@hanbit.kr" in m.to for m in mail.outbox)

    # 3. The agent opens the ticket, sees the complaint panel and proposes a ₩50,000 refund.
    desk, desk_errors = _page(browser, 1280, 900)
    _login(desk, live_server.url, "jisu@hanbit.kr")
    desk.goto(f"{live_server.url}/w/{workspace.slug}/tickets/{ticket.number}/")
    panel = desk.locator("#panel-complaint")
    panel.locator("#complaint-badge").wait_for()
    assert "소비자원" in panel.inner_text() and "₩30,000" in panel.inner_text()
    desk.select_option("#remedy-kind", "refund")
    desk.fill("#remedy-amount", "50000")
    desk.fill("#remedy-reason", "상한 한우 선물세트 전액 환불")
    desk.click("#remedy-form button[type=submit]")
    panel.locator(".remedy-row:has-text('승인 대기')").wait_for()
    remedy = Remedy.objects.get(ticket=ticket)
    assert remedy.status == RemedyStatus.PENDING and remedy.amount == 50_000 and remedy.proposer_limit == 30_000
    assert remedy.proposer == agent.user
    assert Notification.objects.filter(recipient=lead, kind="complaint.remedy_approval").exists()

    # 4. The lead approves it from the complaints page, with a reason.
    lead_page, lead_errors = _page(browser, 1280, 900)
    _login(lead_page, live_server.url, "lead.park@hanbit.kr")
    lead_page.goto(f"{live_server.url}/w/{workspace.slug}/complaints/")
    row = lead_page.locator("#pending-table tbody tr", has_text=f"#{ticket.number}")
    assert "₩50,000" in row.inner_text()
    row.get_by_label("사유").fill("상품 상태 사진 확인, 전액 환불 승인")
    row.get_by_role("button", name="승인").click()
    lead_page.wait_for_selector("text=승인 대기 중인 보상이 없습니다.")
    remedy.refresh_from_db()
    assert remedy.status == RemedyStatus.APPROVED and remedy.approver == lead.user

    # 5. The agent sees the approval and answers the customer; the reply goes out through SMTP.
    desk.reload()
    desk.locator("#panel-complaint .remedy-row:has-text('승인')").wait_for()
    desk.fill("#composer-body", "김하늘 고객님, 불편을 드려 죄송합니다. 50,000원 전액 환불을 승인했습니다.")
    desk.click("#composer-form button[type=submit]")
    desk.wait_for_selector(".toast:has-text('답변을 등록했습니다.')")
    deadline = time.monotonic() + 15
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(smtp.messages) == 1 and smtp.messages[0]["to"] == ["haneul.kim@daum.example"]
    sent = email.message_from_bytes(smtp.messages[0]["data"], policy=email.policy.default)
    assert sent["In-Reply-To"] == "<complaint-0001@daum.example>"
    assert "50,000원 전액 환불을 승인했습니다" in sent.get_body(("plain",)).get_content()
    assert not desk_errors and not lead_errors, desk_errors + lead_errors
