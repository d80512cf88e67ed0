"""Customers (find, read with the PII access log, update, merge) and the phone call log."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxops.core.models import PiiAccessLog
from cxops.tickets.channels.base import CustomerRef
from cxops.tickets.models import Call, Category, Customer, Ticket
from cxops.tickets.services import call_log, customer_find_or_create, ticket_note
from tests.api.conftest import error_of
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_customer_list_and_search(agent_api, workspace):
    a = customer_find_or_create(workspace=workspace, ref=CustomerRef(name="김민수", phone="010-1234-5678"))
    b = customer_find_or_create(workspace=workspace, ref=CustomerRef(name="이영희", email="lee@example.kr"))
    ids = [c["id"] for c in agent_api.get("/workspaces/shop/customers").json()["items"]]
    assert sorted(ids) == sorted([a.pk, b.pk])
    def found(q):
        return [c["id"] for c in agent_api.get("/workspaces/shop/customers", {"q": q}).json()["items"]]

    assert found("010 1234 5678") == [a.pk]
    assert found("lee@example.kr") == [b.pk]
    assert found("영희") == [b.pk]
    page = agent_api.get("/workspaces/shop/customers", {"limit": 1}).json()
    rest = agent_api.get("/workspaces/shop/customers", {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert {page["items"][0]["id"], rest["items"][0]["id"]} == {a.pk, b.pk} and rest["next_cursor"] is None


def test_customer_detail_is_logged_as_pii_access(agent_api, agent, workspace):
    ticket = make_ticket(workspace, name="김민수", phone="010-1234-5678")
    call_log(workspace=workspace, by=agent, phone="010-1234-5678", summary="배송 문의 전화", ticket=ticket)
    response = agent_api.get(f"/workspaces/shop/customers/{ticket.customer_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["phones"] == ["01012345678"] and body["name"] == "김민수"
    assert [t["number"] for t in body["recent_tickets"]] == [ticket.number]
    assert body["recent_calls"][0]["ticket_number"] == ticket.number
    log = PiiAccessLog.objects.get()
    assert (log.user_id, log.subject_type, log.subject_id) == (agent.user_id, "customer", str(ticket.customer_id))


def test_customer_update(agent_api, workspace):
    customer = customer_find_or_create(workspace=workspace, ref=CustomerRef(name="김", phone="010-1234-5678"))
    response = agent_api.patch(f"/workspaces/shop/customers/{customer.pk}",
                               {"name": "김민수", "tier": "VIP", "add_email": "kim@example.kr"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "김민수" and body["tier"] == "VIP" and body["emails"] == ["kim@example.kr"]
    bad = agent_api.patch(f"/workspaces/shop/customers/{customer.pk}", {"add_phone": "123"})
    assert bad.status_code == 400 and "전화번호" in error_of(bad)["message"]
    assert agent_api.patch(f"/workspaces/shop/customers/{customer.pk}", {"name": None}).status_code == 422


def test_customer_merge(agent_api, workspace):
    target_ticket = make_ticket(workspace, name="김민수", phone="010-1234-5678")
    source_ticket = make_ticket(workspace, name="김민수", phone="010-9999-0000")
    target, source = target_ticket.customer_id, source_ticket.customer_id
    response = agent_api.post(f"/workspaces/shop/customers/{target}/merge", {"source_id": source})
    assert response.status_code == 200, response.content
    assert sorted(response.json()["phones"]) == ["01012345678", "01099990000"]
    assert Ticket.objects.get(pk=source_ticket.pk).customer_id == target
    assert Customer.objects.get(pk=source).merged_into_id == target

    again = agent_api.post(f"/workspaces/shop/customers/{target}/merge", {"source_id": source})
    assert again.status_code == 400 and error_of(again)["code"] == "bad_request"
    itself = agent_api.post(f"/workspaces/shop/customers/{target}/merge", {"source_id": target})
    assert itself.status_code == 400


def test_call_log_and_list(agent_api, agent, workspace):
    category = Category.objects.get(workspace=workspace, name="배송 조회")
    response = agent_api.post("/workspaces/shop/calls", {
        "phone": "010-5555-6666", "customer_name": "박지성", "summary": "배송 언제 오는지 문의\n내일 도착 안내",
        "duration_seconds": 95, "outcome": "follow_up", "category_id": category.pk,
        "started_at": "2026-11-23T10:15:00+09:00",
    })
    assert response.status_code == 201, response.content
    call = response.json()
    assert call["phone"] == "01055556666" and call["customer"]["name"] == "박지성"
    assert call["agent"]["id"] == agent.user_id and call["category"]["name"] == "배송 > 배송 조회"
    ticket = Ticket.objects.get(workspace=workspace, number=call["ticket_number"])
    assert ticket.channel == "phone" and ticket.subject == "[전화] 배송 언제 오는지 문의"

    existing = make_ticket(workspace)
    attached = agent_api.post("/workspaces/shop/calls", {"summary": "추가 통화", "ticket_number": existing.number})
    assert attached.status_code == 201 and attached.json()["ticket_number"] == existing.number

    items = agent_api.get("/workspaces/shop/calls").json()["items"]
    assert [c["id"] for c in items] == [attached.json()["id"], call["id"]]  # latest first
    assert Call.objects.filter(workspace=workspace).count() == 2


def test_call_log_errors(agent_api, workspace):
    assert agent_api.post("/workspaces/shop/calls", {"summary": ""}).status_code == 422
    bad_phone = agent_api.post("/workspaces/shop/calls", {"summary": "통화", "phone": "12"})
    assert bad_phone.status_code == 400 and "전화번호" in error_of(bad_phone)["message"]
    missing_ticket = agent_api.post("/workspaces/shop/calls", {"summary": "통화", "ticket_number": 99999})
    assert missing_ticket.status_code == 404


def test_other_lists_run_a_fixed_number_of_queries(agent_api, agent, workspace):
    def add(count):
        for i in range(count):
            ticket = make_ticket(workspace, subject=f"문의 {i}", phone=f"010-6{count:03d}-{i:04d}")
            call_log(workspace=workspace, by=agent, phone=f"010-6{count:03d}-{i:04d}", summary="통화",
                     ticket=ticket, category_id=Category.objects.get(workspace=workspace, name="환불").pk)
            ticket_note(ticket=first_ticket, by=agent, body_text=f"메모 {i}")

    def counts():
        result = []
        for path in ["/workspaces/shop/customers", "/workspaces/shop/calls",
                     f"/workspaces/shop/tickets/{first_ticket.number}/messages", "/workspaces/shop/macros"]:
            agent_api.get(path)
            with CaptureQueriesContext(connection) as ctx:
                assert agent_api.get(path, {"limit": 100} if path.endswith(("customers", "calls")) else None).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    first_ticket = make_ticket(workspace, subject="처음")
    add(3)
    small = counts()
    add(12)
    assert counts() == small
