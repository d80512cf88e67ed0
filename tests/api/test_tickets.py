"""Ticket list (inbox filters, cursor pages, fixed query count), create, read and update."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxops.core.models import AuditEvent
from cxops.core.services import team_create
from cxops.tickets.models import Category, Customer, Product, Ticket, WorkspaceStatus
from cxops.tickets.services import ticket_update
from tests.api.conftest import error_of
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db


def numbers(response):
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


# --- list ---------------------------------------------------------------------------------------

def test_list_shows_the_inbox_row(agent_api, agent, workspace):
    ticket = make_ticket(workspace, subject="환불 문의", name="김민수")
    category = Category.objects.get(workspace=workspace, name="환불")
    ticket_update(ticket=ticket, by=agent, priority="high", assignee_id=agent.user_id, category_id=category.pk,
                  tags=["VIP", "환불"])
    item = agent_api.get("/workspaces/shop/tickets").json()["items"][0]
    assert item["number"] == ticket.number
    assert item["subject"] == "환불 문의"
    assert item["priority"] == "high"
    assert item["customer"]["name"] == "김민수"
    assert item["assignee"] == {"id": agent.user_id, "name": agent.user.label, "email": agent.user.email}
    assert item["category"]["name"] == "취소/교환/반품 > 환불"
    assert item["tags"] == ["VIP", "환불"]
    assert item["status_label"] == "신규"


def test_list_filters_like_the_inbox(agent_api, agent, workspace):
    other_agent = make_member(workspace, "agent")
    a = make_ticket(workspace, subject="배송이 늦어요", body="택배가 안 와요")
    b = make_ticket(workspace, subject="결제 오류", body="카드 결제가 안 됩니다", channel="phone")
    c = make_ticket(workspace, subject="교환 요청", body="사이즈 교환 원해요")
    ticket_update(ticket=a, by=agent, assignee_id=agent.user_id, priority="urgent", tags=["지연"])
    ticket_update(ticket=b, by=agent, assignee_id=other_agent.user_id, status="pending")
    ticket_update(ticket=c, by=agent, status="solved")

    assert numbers(agent_api.get("/workspaces/shop/tickets", {"assignee": "me"})) == [a.number]
    assert numbers(agent_api.get("/workspaces/shop/tickets", {"assignee": "none"})) == [c.number]
    assert numbers(agent_api.get("/workspaces/shop/tickets", {"assignee": str(other_agent.user_id)})) == [b.number]
    assert sorted(numbers(agent_api.get("/workspaces/shop/tickets", {"status": "new,pending"}))) == [a.number, b.number]
    assert sorted(numbers(agent_api.get("/workspaces/shop/tickets?status=new&status=solved"))) == [a.number, c.number]
    assert numbers(agent_api.get("/workspaces/shop/tickets", {"priority": "urgent"})) == [a.number]
    assert numbers(agent_api.get("/workspaces/shop/tickets", {"channel": "phone"})) == [b.number]
    assert numbers(agent_api.get("/workspaces/shop/tickets", {"tag": "지연"})) == [a.number]
    assert numbers(agent_api.get("/workspaces/shop/tickets", {"q": "결제"})) == [b.number]
    today = timezone.localdate()
    assert len(numbers(agent_api.get("/workspaces/shop/tickets", {"created_from": today.isoformat(),
                                                                  "created_to": today.isoformat()}))) == 3
    assert numbers(agent_api.get("/workspaces/shop/tickets",
                                 {"created_from": (today + timedelta(days=1)).isoformat()})) == []


def test_list_filter_by_parent_category_includes_children(agent_api, agent, workspace):
    ticket = make_ticket(workspace)
    child = Category.objects.get(workspace=workspace, name="배송 지연")
    ticket_update(ticket=ticket, by=agent, category_id=child.pk)
    make_ticket(workspace)
    assert numbers(agent_api.get("/workspaces/shop/tickets", {"category": child.parent_id})) == [ticket.number]


@pytest.mark.parametrize("params", [{"status": "bogus"}, {"assignee": "someone"}, {"limit": 0}, {"limit": 101},
                                    {"created_from": "2026-13-01"}, {"sort": "subject"}])
def test_list_rejects_bad_filters_in_the_error_format(agent_api, workspace, params):
    response = agent_api.get("/workspaces/shop/tickets", params)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["details"] and error["details"][0]["loc"][0] == "query"


@pytest.mark.parametrize("sort", ["-updated_at", "updated_at", "-created_at", "created_at", "number", "-number",
                                  "priority", "-priority"])
def test_cursor_pages_cover_every_ticket_once_in_order(agent_api, agent, workspace, sort):
    tickets = [make_ticket(workspace, subject=f"문의 {i}") for i in range(7)]
    base = timezone.now() - timedelta(days=1)
    for i, ticket in enumerate(tickets):
        # Ties on the sort key (same priority, same minute) must still page correctly.
        Ticket.objects.filter(pk=ticket.pk).update(
            priority=["low", "normal", "urgent"][i % 3], updated_at=base + timedelta(minutes=i // 2),
            created_at=base + timedelta(minutes=i // 3))
    expected = numbers(agent_api.get("/workspaces/shop/tickets", {"sort": sort, "limit": 100}))
    assert len(expected) == 7

    seen, cursor, pages = [], None, 0
    while True:
        params = {"sort": sort, "limit": 3, **({"cursor": cursor} if cursor else {})}
        body = agent_api.get("/workspaces/shop/tickets", params).json()
        seen += [item["number"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert pages == 3


def test_bad_cursor_is_a_bad_request(agent_api, workspace):
    for i in range(3):
        make_ticket(workspace, subject=f"문의 {i}")
    cursor = agent_api.get("/workspaces/shop/tickets", {"limit": 1}).json()["next_cursor"]
    assert cursor
    for params in [{"cursor": "not-a-cursor"}, {"cursor": cursor, "sort": "number"}, {"cursor": "e30"}]:
        response = agent_api.get("/workspaces/shop/tickets", params)
        assert response.status_code == 400
        error = error_of(response)
        assert error["code"] == "bad_request" and "cursor" in error["message"]


def test_list_runs_a_fixed_number_of_queries(agent_api, agent, workspace):
    team = team_create(workspace=workspace, name="1팀", actor=None)
    product = Product.objects.create(workspace=workspace, name="사과 1kg")
    category = Category.objects.get(workspace=workspace, name="배송 지연")
    custom = WorkspaceStatus.objects.filter(workspace=workspace).first()

    def add(count):
        for i in range(count):
            ticket = make_ticket(workspace, subject=f"문의 {i}", phone=f"010-2000-{i:04d}")
            ticket_update(ticket=ticket, by=agent, assignee_id=agent.user_id, team_id=team.pk, product_id=product.pk,
                          category_id=category.pk, custom_status_id=custom.pk, tags=[f"태그{i}", "공통"])

    def count_queries(params):
        agent_api.get("/workspaces/shop/tickets", params)  # token last_used_at is written once
        with CaptureQueriesContext(connection) as ctx:
            response = agent_api.get("/workspaces/shop/tickets", params)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["items"])

    variants = [{"limit": 100}, {"limit": 100, "sort": "-priority"}, {"limit": 100, "q": "문의"},
                {"limit": 100, "tag": "공통", "status": "new,open,on_hold"}]
    add(5)
    small = [count_queries(params) for params in variants]
    assert [rows for _, rows in small] == [5, 5, 5, 5]
    add(35)
    large = [count_queries(params) for params in variants]
    assert [rows for _, rows in large] == [40, 40, 40, 40]
    # The same queries for 40 rows as for 5, whatever the sort and filters.
    assert [n for n, _ in small] == [n for n, _ in large]
    assert large[0][0] <= 6


def test_list_query_count_is_pinned(agent_api, agent, workspace, django_assert_max_num_queries):
    for i in range(40):
        ticket = make_ticket(workspace, subject=f"문의 {i}", phone=f"010-3000-{i:04d}")
        ticket_update(ticket=ticket, by=agent, assignee_id=agent.user_id, tags=["공통"])
    agent_api.get("/workspaces/shop/tickets")
    # token lookup, membership, tickets with their joins, tags
    with django_assert_max_num_queries(4):
        response = agent_api.get("/workspaces/shop/tickets", {"limit": 40})
    assert len(response.json()["items"]) == 40
    with django_assert_max_num_queries(4):
        response = agent_api.get("/workspaces/shop/tickets", {"limit": 5})
    assert len(response.json()["items"]) == 5


# --- create -------------------------------------------------------------------------------------

def test_create_finds_or_creates_the_customer_and_uses_the_api_channel(agent_api, agent, workspace):
    existing = make_ticket(workspace, name="홍길동", phone="010-1111-2222")
    category = Category.objects.get(workspace=workspace, name="배송 조회")
    response = agent_api.post("/workspaces/shop/tickets", {
        "subject": "  배송   조회 ", "body": "언제 오나요?",
        "customer": {"name": "홍길동", "phone": "+82 10-1111-2222"},
        "priority": "high", "category_id": category.pk, "tags": ["연동"], "order_number": "A-1",
        "assignee_id": agent.user_id, "custom_fields": {"mall": "스마트스토어"},
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "api"
    assert body["subject"] == "배송 조회"
    assert body["customer"]["id"] == existing.customer_id
    assert body["priority"] == "high" and body["tags"] == ["연동"] and body["category"]["id"] == category.pk
    assert body["assignee"]["id"] == agent.user_id
    assert body["custom_fields"] == {"mall": "스마트스토어"}
    ticket = Ticket.objects.get(workspace=workspace, number=body["number"])
    first = ticket.messages.get()
    assert first.kind == "customer" and first.body_text == "언제 오나요?" and first.author is None
    assert AuditEvent.objects.filter(action="ticket.create", object_id=str(ticket.pk), actor=agent.user).exists()

    new = agent_api.post("/workspaces/shop/tickets", {
        "body": "처음 문의합니다\n둘째 줄", "channel": "email", "customer": {"name": "새 고객", "email": "New@Example.kr"},
    }).json()
    assert new["channel"] == "email"
    assert new["subject"] == "처음 문의합니다"
    assert Customer.objects.get(pk=new["customer"]["id"]).emails == ["new@example.kr"]


def test_create_without_customer(agent_api, workspace):
    response = agent_api.post("/workspaces/shop/tickets", {"subject": "내부 요청"})
    assert response.status_code == 201
    assert response.json()["customer"] is None


def test_create_is_idempotent_on_external_id(agent_api, workspace):
    body = {"subject": "마켓 문의", "body": "문의 내용", "external_id": "smartstore-778"}
    first = agent_api.post("/workspaces/shop/tickets", body)
    again = agent_api.post("/workspaces/shop/tickets", {**body, "subject": "다시 보냄"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["subject"] == "마켓 문의"
    assert Ticket.objects.filter(workspace=workspace).count() == 1


def test_create_validation_errors(agent_api, workspace):
    cases = [
        ({}, "body"),
        ({"subject": "x" * 251}, "subject"),
        ({"subject": "a", "customer": {"phone": "12"}}, "customer"),
        ({"subject": "a", "customer": {"email": "not-an-email"}}, "customer"),
        ({"subject": "a", "priority": "highest"}, "priority"),
        ({"subject": "a", "tags": ["x" * 61]}, "tags"),
        ({"subject": "a", "unknown": 1}, "unknown"),
        ({"subject": "a\x00b"}, "subject"),
        ({"subject": "a", "custom_fields": {"k": "v\x00"}}, "custom_fields"),
    ]
    for payload, field in cases:
        response = agent_api.post("/workspaces/shop/tickets", payload)
        assert response.status_code == 422, (payload, response.content)
        error = error_of(response)
        assert error["code"] == "validation_error"
        assert any(field in detail["loc"] or detail["loc"] == ["body"] for detail in error["details"]), error
    assert not Ticket.objects.filter(workspace=workspace).exists()


def test_create_with_an_object_of_another_workspace_is_a_bad_request(agent_api, workspace, other_workspace):
    foreign = Category.objects.filter(workspace=other_workspace).first()
    response = agent_api.post("/workspaces/shop/tickets", {"subject": "a", "customer": {"name": "고객"},
                                                            "category_id": foreign.pk})
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"
    # Nothing half-done: the customer was not created either.
    assert not Ticket.objects.filter(workspace=workspace).exists()
    assert not Customer.objects.filter(workspace=workspace).exists()


# --- detail and update --------------------------------------------------------------------------

def test_detail(agent_api, workspace):
    ticket = make_ticket(workspace, subject="상세")
    response = agent_api.get(f"/workspaces/shop/tickets/{ticket.number}")
    assert response.status_code == 200
    assert response.json()["subject"] == "상세"
    missing = agent_api.get("/workspaces/shop/tickets/99999")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_update_changes_only_what_is_sent(agent_api, agent, workspace):
    ticket = make_ticket(workspace)
    ticket_update(ticket=ticket, by=agent, assignee_id=agent.user_id, priority="high", tags=["기존"])
    team = team_create(workspace=workspace, name="2팀", actor=None)
    response = agent_api.patch(f"/workspaces/shop/tickets/{ticket.number}",
                               {"status": "open", "tags": ["VIP", "재문의"], "team_id": team.pk, "assignee_id": None})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "open"
    assert body["tags"] == ["VIP", "재문의"]
    assert body["team"] == {"id": team.pk, "name": "2팀"}
    assert body["assignee"] is None
    assert body["priority"] == "high"  # not sent, not changed
    event = ticket.messages.filter(kind="event").last()
    assert "상태" in event.body_text and "태그" in event.body_text


def test_update_with_custom_status_sets_the_base_status(agent_api, workspace):
    ticket = make_ticket(workspace)
    custom = WorkspaceStatus.objects.get(workspace=workspace, name="회수 대기")
    body = agent_api.patch(f"/workspaces/shop/tickets/{ticket.number}", {"custom_status_id": custom.pk}).json()
    assert body["status"] == "on_hold" and body["status_label"] == "회수 대기" and body["custom_status_id"] == custom.pk


def test_update_errors(agent_api, workspace, other_workspace):
    ticket = make_ticket(workspace)
    url = f"/workspaces/shop/tickets/{ticket.number}"
    for payload in [{"status": None}, {"subject": ""}, {"status": "done"}, {"tags": None}, {"number": 5}]:
        response = agent_api.patch(url, payload)
        assert response.status_code == 422, payload
        assert error_of(response)["code"] == "validation_error"
    outsider = make_member(other_workspace, "agent")
    response = agent_api.patch(url, {"assignee_id": outsider.user_id})
    assert response.status_code == 400
    assert error_of(response)["message"] == "담당자는 이 워크스페이스의 상담원이어야 합니다."
