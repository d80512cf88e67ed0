"""A ticket's timeline through the API: read, reply, note, and customer messages from integrations."""

from __future__ import annotations

import pytest

from cxops.tickets.models import Message, Ticket
from cxops.tickets.services import ticket_note, ticket_update
from tests.api.conftest import error_of
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_timeline_in_order_with_authors(agent_api, agent, workspace):
    ticket = make_ticket(workspace, body="상품이 안 왔어요")
    ticket_note(ticket=ticket, by=agent, body_text="택배사 확인 필요")
    items = agent_api.get(f"/workspaces/shop/tickets/{ticket.number}/messages").json()
    assert [m["kind"] for m in items] == ["customer", "note"]
    assert items[0]["body_text"] == "상품이 안 왔어요" and items[0]["author"] is None
    assert items[1]["author"]["id"] == agent.user_id
    assert items[0]["attachments"] == []


def test_client_viewers_do_not_see_internal_notes(viewer_api, agent, workspace):
    ticket = make_ticket(workspace)
    ticket_note(ticket=ticket, by=agent, body_text="고객사에는 비밀")
    kinds = [m["kind"] for m in viewer_api.get(f"/workspaces/shop/tickets/{ticket.number}/messages").json()]
    assert kinds == ["customer"]


def test_reply_waits_for_the_customer_and_can_set_a_status(agent_api, agent, workspace):
    ticket = make_ticket(workspace)
    response = agent_api.post(f"/workspaces/shop/tickets/{ticket.number}/replies", {"body": "확인해 보겠습니다."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "reply" and body["author"]["id"] == agent.user_id
    assert "확인해 보겠습니다." in body["body_html"]
    ticket.refresh_from_db()
    assert ticket.status == "pending" and ticket.first_response_at is not None

    agent_api.post(f"/workspaces/shop/tickets/{ticket.number}/replies", {"body": "처리했습니다.", "set_status": "solved"})
    ticket.refresh_from_db()
    assert ticket.status == "solved"


def test_empty_reply_is_a_bad_request_with_the_service_message(agent_api, workspace):
    ticket = make_ticket(workspace)
    response = agent_api.post(f"/workspaces/shop/tickets/{ticket.number}/replies", {"body": "   "})
    assert response.status_code == 400
    assert error_of(response) == {"code": "bad_request", "message": "답변 내용을 입력해 주세요.", "details": []}


def test_note(agent_api, workspace):
    ticket = make_ticket(workspace)
    response = agent_api.post(f"/workspaces/shop/tickets/{ticket.number}/notes", {"body": "내부 메모"})
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert agent_api.post(f"/workspaces/shop/tickets/{ticket.number}/notes", {"body": ""}).status_code == 422


def test_customer_message_reopens_and_is_idempotent(agent_api, agent, workspace):
    ticket = make_ticket(workspace)
    ticket_update(ticket=ticket, by=agent, status="solved")
    url = f"/workspaces/shop/tickets/{ticket.number}/customer-messages"
    payload = {"body": "아직 해결이 안 됐어요", "external_id": "talk-msg-1", "received_at": "2026-11-20T10:00:00+09:00"}
    first = agent_api.post(url, payload)
    assert first.status_code == 201, first.content
    assert first.json()["kind"] == "customer" and first.json()["external_id"] == "talk-msg-1"
    ticket.refresh_from_db()
    assert ticket.status == "open"

    again = agent_api.post(url, payload)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Message.objects.filter(ticket=ticket, kind="customer").count() == 2

    other = make_ticket(workspace)
    clash = agent_api.post(f"/workspaces/shop/tickets/{other.number}/customer-messages", payload)
    assert clash.status_code == 400 and f"#{ticket.number}" in error_of(clash)["message"]


def test_customer_message_validation(agent_api, workspace):
    ticket = make_ticket(workspace)
    url = f"/workspaces/shop/tickets/{ticket.number}/customer-messages"
    for payload in [{"body": ""}, {"body": "x", "received_at": "2026-11-20T10:00:00"}, {"body": "x", "channel": "fax"}]:
        response = agent_api.post(url, payload)
        assert response.status_code == 422, payload
        assert error_of(response)["code"] == "validation_error"
    assert Ticket.objects.get(pk=ticket.pk).message_count == 1
