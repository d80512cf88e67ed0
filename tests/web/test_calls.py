"""Phone-call log: list with filters, the quick form, caller look-up."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from cxops.core.models import PiiAccessLog
from cxops.tickets.models import Call, Message, MessageKind, Ticket
from cxops.tickets.services import call_log
from tests.web.conftest import client_for, htmx

pytestmark = pytest.mark.django_db


def u(world, name: str) -> str:
    return reverse(name, kwargs={"slug": world.workspace.slug})


def test_call_list_and_filters(world):
    call_log(workspace=world.workspace, by=world.member, phone="02-123-4567", summary="부재중 콜백",
             outcome="no_answer", direction="outbound")
    client = client_for(world.agent)
    html = client.get(u(world, "calls")).content.decode()
    assert "배송 지연 문의 통화" in html and "부재중 콜백" in html and "1:15" in html and "010-3333-4444" in html
    html = client.get(u(world, "calls") + "?outcome=no_answer").content.decode()
    assert "부재중 콜백" in html and "배송 지연 문의 통화" not in html
    html = client.get(u(world, "calls") + f"?agent={world.agent.user_id}").content.decode()
    assert "배송 지연 문의 통화" in html and "부재중 콜백" not in html
    html = client.get(u(world, "calls") + "?direction=outbound&date_from=2000-01-01&date_to=2999-12-31").content.decode()
    assert "부재중 콜백" in html and "배송 지연 문의 통화" not in html
    html = client.get(u(world, "calls") + "?date_from=2000-01-01&date_to=2000-01-02").content.decode()
    assert "기록된 통화가 없습니다" in html
    html = client.get(u(world, "calls") + "?date_from=어제").content.decode()
    assert "날짜는 2026-11-23 형식으로 입력해 주세요" in html
    partial = client.get(u(world, "calls") + "?outcome=resolved", **htmx("calls-results")).content.decode()
    assert "<html" not in partial and "배송 지연 문의 통화" in partial


def test_log_a_resolved_call(world):
    client = client_for(world.agent)
    assert client.get(u(world, "call_new") + "?phone=010-3333-4444").status_code == 200
    category = world.workspace.categories.get(name="배송 조회")
    response = client.post(u(world, "call_new"), {
        "phone": "010 3333 4444", "customer_name": "", "direction": "inbound", "category": category.pk,
        "product": "", "duration": "3:25", "outcome": "resolved", "summary": "송장번호 안내", "ticket_number": "",
        "started_at": "2026-11-23T14:05"})
    assert response.status_code == 302 and response["Location"] == u(world, "calls")
    call = Call.objects.get(summary="송장번호 안내")
    assert call.duration_seconds == 205 and call.customer_id == world.customer.pk and call.category_id == category.pk
    assert call.started_at.isoformat() == "2026-11-23T05:05:00+00:00"  # typed in Seoul time
    assert call.ticket_id is None


def test_follow_up_call_opens_a_ticket(world):
    response = client_for(world.agent).post(u(world, "call_new"), {
        "phone": "010-2468-1357", "customer_name": "신규고객", "direction": "inbound", "duration": "95",
        "outcome": "follow_up", "summary": "환불 요청\n카드 취소 확인 필요"})
    call = Call.objects.get(phone="01024681357")
    assert call.ticket is not None and call.ticket.channel == "phone" and call.customer.name == "신규고객"
    assert response["Location"] == reverse("ticket_detail", kwargs={"slug": world.workspace.slug,
                                                                    "number": call.ticket.number})


def test_call_linked_to_an_existing_ticket(world):
    client_for(world.agent).post(u(world, "call_new"), {
        "phone": "010-3333-4444", "direction": "outbound", "duration": "1분 30초", "outcome": "resolved",
        "summary": "콜백 완료", "ticket_number": f"#{world.ticket.number}", "then": "new"})
    call = Call.objects.get(summary="콜백 완료")
    assert call.ticket_id == world.ticket.pk and call.duration_seconds == 90
    assert Message.objects.filter(ticket=world.ticket, kind=MessageKind.NOTE, body_text__contains="콜백 완료").exists()


def test_call_form_errors_say_what_to_fix(world):
    client = client_for(world.agent)
    base = {"direction": "inbound", "outcome": "resolved", "summary": "내용"}
    html = unescape(client.post(u(world, "call_new"), {**base, "phone": "12"}).content.decode())
    assert "전화번호 형식이 올바르지 않습니다: 12" in html
    html = client.post(u(world, "call_new"), {**base, "phone": "010-1111-2222", "duration": "3분반"}).content.decode()
    assert "통화 시간은 3:25(분:초)나 초 단위 숫자로 입력해 주세요." in html
    html = unescape(client.post(u(world, "call_new"), {**base, "ticket_number": "99999"}).content.decode())
    assert "티켓 #99999을(를) 찾을 수 없습니다" in html
    html = client.post(u(world, "call_new"), {**base, "summary": ""}).content.decode()
    assert "상담 내용을 입력해 주세요." in html
    assert Call.objects.count() == 1  # only the one from the fixture


def test_caller_lookup(world):
    client = client_for(world.agent)
    lookup = u(world, "call_lookup")
    html = client.get(lookup + "?phone=01033334444", **htmx("call-lookup")).content.decode()
    assert "김민지" in html and f"#{world.ticket.number}" in html and "배송 지연 문의 통화" in html
    assert 'data-fill="call-ticket"' in html and 'data-fill="call-name"' in html
    assert PiiAccessLog.objects.filter(purpose="전화 상담 고객 조회").exists()
    html = client.get(lookup + "?phone=010-9999-0000").content.decode()
    assert "처음 연락한 번호입니다" in html
    html = client.get(lookup + "?phone=12").content.decode()
    assert "전화번호 형식을 확인하세요" in html
    assert Ticket.objects.filter(workspace=world.workspace).count() == 1
