"""The ticket page: timeline, reply box, side panel, subject, presence, history, macros, files."""

from __future__ import annotations

import json
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cxops.core.models import PiiAccessLog
from cxops.tickets.models import Attachment, Macro, Message, MessageKind
from tests.factories import make_member
from tests.web.conftest import client_for, htmx

pytestmark = pytest.mark.django_db


def url(world, name: str = "ticket_detail", **extra) -> str:
    return reverse(name, kwargs={"slug": world.workspace.slug, "number": world.ticket.number, **extra})


def test_ticket_page_shows_conversation_panel_and_customer(world):
    response = client_for(world.agent).get(url(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "배송이 너무 늦어요" in html and "일주일째 안 와요" in html
    assert 'class="msg msg-customer"' in html and 'class="msg msg-note"' in html  # note styled apart
    assert "택배사 확인 필요" in html
    assert "영수증.png" in html and reverse("attachment_download", kwargs={
        "slug": world.workspace.slug, "attachment_id": world.attachment.pk}) in html
    # customer panel: full data for agents, phone formatted, order number, past calls
    assert "010-3333-4444" in html and "minji@example.kr" in html and "A-1001" in html
    assert "배송 지연 문의 통화" in html
    # reply box with tabs, status after reply, attachments and the macro picker
    assert 'name="mode" value="reply"' in html and 'name="mode" value="note"' in html
    assert 'name="set_status"' in html and 'type="file" name="attachments"' in html and "배송 지연 안내" in html
    assert 'data-page="ticket"' in html


def test_viewing_customer_data_is_logged(world):
    client_for(world.agent).get(url(world))
    log = PiiAccessLog.objects.get()
    assert (log.user_id, log.subject_type, log.subject_id) == (world.agent.user_id, "customer", str(world.customer.pk))
    assert log.purpose == "티켓 상담"
    # htmx partials and presence polls do not count as new look-ups
    client_for(world.agent).get(url(world) + "?part=timeline", **htmx("timeline"))
    assert PiiAccessLog.objects.count() == 1


def test_client_viewer_sees_masked_data_and_no_internal_notes(world):
    viewer = make_member(world.workspace, "client_viewer")
    html = client_for(viewer).get(url(world)).content.decode()
    assert "010-****-4444" in html and "010-3333-4444" not in html
    assert "minji@example.kr" not in html and "mi***@example.kr" in html
    assert "김*지" in html and "김민지" not in html
    assert "택배사 확인 필요" not in html  # internal note hidden
    assert 'id="composer-form"' not in html and 'id="props-form"' not in html and "<form" not in html.split(
        'id="main"')[1].split("</main>")[0]
    assert not PiiAccessLog.objects.exists()


def test_partials(world):
    client = client_for(world.agent)
    for part, marker in (("timeline", "msg-customer"), ("panel", 'id="props-form"'), ("header", "ticket-subject")):
        response = client.get(url(world) + f"?part={part}", **htmx())
        html = response.content.decode()
        assert response.status_code == 200 and marker in html and "<html" not in html


def test_reply_through_htmx(world):
    client = client_for(world.agent)
    response = client.post(url(world, "ticket_compose"), {"mode": "reply", "body": "내일 출고됩니다.",
                                                          "set_status": "solved"}, **htmx("composer"))
    assert response.status_code == 200
    triggers = json.loads(response["HX-Trigger"])
    assert "ticket-changed" in triggers and triggers["cx-toast"]["message"] == "답변을 등록했습니다."
    assert 'id="composer-form"' in response.content.decode() and "내일 출고됩니다." not in response.content.decode()
    reply = Message.objects.get(ticket=world.ticket, kind=MessageKind.REPLY)
    assert reply.body_text == "내일 출고됩니다." and reply.author_id == world.agent.user_id
    world.ticket.refresh_from_db()
    assert world.ticket.status == "solved" and world.ticket.first_response_at is not None
    timeline = client.get(url(world) + "?part=timeline").content.decode()
    assert "내일 출고됩니다." in timeline and "msg-reply" in timeline


def test_reply_without_javascript_redirects_back(world):
    response = client_for(world.agent).post(url(world, "ticket_compose"), {"mode": "reply", "body": "확인했습니다."},
                                            follow=True)
    assert response.redirect_chain[-1][0] == url(world)
    assert "답변을 등록했습니다." in response.content.decode()
    world.ticket.refresh_from_db()
    assert world.ticket.status == "pending"  # the default after a reply


def test_empty_reply_explains_what_to_do(world):
    response = client_for(world.agent).post(url(world, "ticket_compose"), {"mode": "reply", "body": "  "},
                                            **htmx("composer"))
    html = response.content.decode()
    assert "답변 내용을 입력해 주세요." in html and 'role="alert"' in html
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()


def test_internal_note(world):
    client = client_for(world.agent)
    response = client.post(url(world, "ticket_compose"), {"mode": "note", "body": "환불 승인 대기"}, **htmx("composer"))
    assert json.loads(response["HX-Trigger"])["cx-toast"]["message"] == "내부 메모를 남겼습니다."
    assert Message.objects.filter(kind=MessageKind.NOTE, body_text="환불 승인 대기").exists()
    # the mode is kept for the next message
    assert 'value="note" checked' in response.content.decode()
    upload = SimpleUploadedFile("a.txt", b"x", content_type="text/plain")
    response = client.post(url(world, "ticket_compose"), {"mode": "note", "body": "첨부", "attachments": upload},
                           **htmx("composer"))
    assert "내부 메모에는 파일을 첨부할 수 없습니다" in response.content.decode()


def test_reply_with_attachment_and_download(world):
    client = client_for(world.agent)
    upload = SimpleUploadedFile("송장.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(url(world, "ticket_compose"), {"mode": "reply", "body": "송장 보내드립니다.", "attachments": upload},
                **htmx("composer"))
    attachment = Attachment.objects.get(filename="송장.pdf")
    assert attachment.size == len(b"%PDF-1.4 test")
    response = client.get(reverse("attachment_download", kwargs={"slug": world.workspace.slug,
                                                                 "attachment_id": attachment.pk}))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert response["Content-Type"] == "application/pdf" and "sandbox" in response["Content-Security-Policy"]


def test_attachment_limits_are_explained(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    client = client_for(world.agent)
    big = SimpleUploadedFile("큰파일.png", b"x" * 11, content_type="image/png")
    response = client.post(url(world, "ticket_compose"), {"mode": "reply", "body": "파일", "attachments": big},
                           **htmx("composer"))
    assert "'큰파일.png' 파일이 너무 큽니다" in unescape(response.content.decode())
    exe = SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")
    response = client.post(url(world, "ticket_compose"), {"mode": "reply", "body": "파일", "attachments": exe},
                           **htmx("composer"))
    assert "첨부할 수 없습니다" in response.content.decode() and "파일" in response.content.decode()
    assert not Message.objects.filter(kind=MessageKind.REPLY).exists()


def test_side_panel_update(world):
    client = client_for(world.agent)
    category = world.workspace.categories.get(name="배송 지연")
    data = {"status": "open", "priority": "urgent", "type": "complaint", "category": category.pk, "product": "",
            "team": "", "assignee": world.agent.user_id, "tags": "VIP, 재문의"}
    response = client.post(url(world, "ticket_update"), data, **htmx("ticket-panel"))
    assert response.status_code == 200
    triggers = json.loads(response["HX-Trigger"])
    assert {"timeline-changed", "header-changed"} <= set(triggers)
    world.ticket.refresh_from_db()
    assert (world.ticket.status, world.ticket.priority, world.ticket.type) == ("open", "urgent", "complaint")
    assert world.ticket.category_id == category.pk and world.ticket.assignee_id == world.agent.user_id
    assert sorted(world.ticket.tags.values_list("name", flat=True)) == ["VIP", "재문의"]
    event = Message.objects.filter(ticket=world.ticket, kind=MessageKind.EVENT).last()
    assert "우선순위: 보통 → 긴급" in event.body_text
    # posting the same values again changes nothing and adds no event
    events = Message.objects.filter(kind=MessageKind.EVENT).count()
    response = client.post(url(world, "ticket_update"), data, **htmx("ticket-panel"))
    assert "HX-Trigger" not in response and Message.objects.filter(kind=MessageKind.EVENT).count() == events


def test_side_panel_custom_status_and_errors(world, other_world):
    client = client_for(world.agent)
    custom = world.workspace.statuses.get(name="회수 대기")
    base = {"priority": "normal", "type": "inquiry", "category": "", "product": "", "team": "", "assignee": "",
            "tags": ""}
    client.post(url(world, "ticket_update"), {**base, "status": f"custom-{custom.pk}"}, **htmx("ticket-panel"))
    world.ticket.refresh_from_db()
    assert world.ticket.custom_status_id == custom.pk and world.ticket.status == "on_hold"
    foreign = other_world.workspace.categories.first()
    response = client.post(url(world, "ticket_update"), {**base, "status": "open", "category": foreign.pk},
                           **htmx("ticket-panel"))
    assert "선택한 값이 올바르지 않습니다" in response.content.decode()
    world.ticket.refresh_from_db()
    assert world.ticket.category_id is None


def test_subject_edit(world):
    client = client_for(world.agent)
    form = client.get(url(world, "ticket_subject"), **htmx("ticket-header-content")).content.decode()
    assert 'name="subject"' in form and "배송이 너무 늦어요" in form
    response = client.post(url(world, "ticket_subject"), {"subject": "배송 지연 (A-1001)"}, **htmx())
    assert "배송 지연 (A-1001)" in response.content.decode()
    world.ticket.refresh_from_db()
    assert world.ticket.subject == "배송 지연 (A-1001)"
    response = client.post(url(world, "ticket_subject"), {"subject": ""}, **htmx())
    assert "제목을 입력해 주세요." in response.content.decode()
    assert "ticket-subject" in client.get(url(world, "ticket_subject") + "?cancel=1").content.decode()


def test_presence_across_agents(world):
    first, second = client_for(world.agent), client_for(world.member)
    first.get(url(world))
    html = second.get(url(world, "ticket_presence"), **htmx("presence")).content.decode()
    assert f"{world.agent.user.label}님이 이 티켓을 보고 있습니다" in html
    first.get(url(world, "ticket_presence") + "?state=replying", **htmx("presence"))
    html = second.get(url(world, "ticket_presence"), **htmx("presence")).content.decode()
    assert f"{world.agent.user.label}님이 답변 작성 중입니다" in html
    # nobody sees themselves
    assert world.agent.user.label not in first.get(url(world, "ticket_presence")).content.decode()


def test_presence_poll_reports_new_activity(world):
    client = client_for(world.agent)
    html = client.get(url(world, "ticket_presence")).content.decode()
    version = html.split('"v": "')[1].split('"')[0]
    response = client.get(url(world, "ticket_presence") + f"?v={version}")
    assert "HX-Trigger" not in response
    client_for(world.member).post(url(world, "ticket_compose"), {"mode": "note", "body": "확인 중"})
    response = client.get(url(world, "ticket_presence") + f"?v={version}")
    assert "ticket-changed" in json.loads(response["HX-Trigger"])


def test_history_page(world):
    client = client_for(world.agent)
    client.post(url(world, "ticket_update"), {"status": "open", "priority": "high", "type": "inquiry", "tags": ""},
                **htmx())
    html = client.get(url(world, "ticket_history")).content.decode()
    assert "티켓 생성" in html and "티켓 변경" in html and "우선순위" in html and "높음" in html


def test_macro_is_filled_in_and_counted(world):
    response = client_for(world.agent).post(url(world, "macro_apply", macro_id=world.macro.pk))
    data = response.json()
    assert data["body"] == f"김민지님, 문의 #{world.ticket.number} 확인했습니다. 상담원 {world.agent.user.label} 드림"
    assert Macro.objects.get(pk=world.macro.pk).usage_count == 1


def test_customer_notes_from_the_ticket_page(world):
    notes_url = reverse("customer_notes", kwargs={"slug": world.workspace.slug, "customer_id": world.customer.pk})
    response = client_for(world.agent).post(notes_url, {"notes": "부재 시 문자 선호"}, **htmx("customer-notes"))
    assert "저장됨" in response.content.decode()
    world.customer.refresh_from_db()
    assert world.customer.notes == "부재 시 문자 선호"


def test_unknown_ticket_is_404(world):
    response = client_for(world.agent).get(reverse("ticket_detail", kwargs={"slug": world.workspace.slug,
                                                                            "number": 99999}))
    assert response.status_code == 404
