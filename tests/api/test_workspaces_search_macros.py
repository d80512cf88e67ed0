"""Workspaces, ticket search and macros."""

from __future__ import annotations

import pytest

from cxops.core.services import team_create
from cxops.tickets.models import Category, Product
from cxops.tickets.services import macro_save, ticket_note
from tests.api.conftest import error_of
from tests.factories import make_member, make_ticket, make_workspace

pytestmark = pytest.mark.django_db


def test_workspace_list_with_roles(api_as, agent, workspace):
    second = make_workspace(slug="abc", name="가나다 상사")
    make_member(second, "client_viewer", user=agent.user)
    body = api_as(agent).get("/workspaces").json()
    assert [(w["slug"], w["role"], w["can_write"]) for w in body] == [
        ("abc", "client_viewer", False), ("shop", "agent", True)]


def test_workspace_detail_lists_the_ids_integrations_need(agent_api, agent, workspace):
    team = team_create(workspace=workspace, name="1팀", actor=None, members=[agent])
    product = Product.objects.create(workspace=workspace, name="사과 1kg", code="APL-1")
    make_member(workspace, "client_viewer")
    body = agent_api.get("/workspaces/shop").json()
    assert body["slug"] == "shop" and body["role"] == "agent" and body["timezone"] == "Asia/Seoul"
    child = Category.objects.get(workspace=workspace, name="배송 지연")
    assert {"id": child.pk, "name": "배송 > 배송 지연", "parent_id": child.parent_id} in body["categories"]
    assert body["products"] == [{"id": product.pk, "name": "사과 1kg", "code": "APL-1"}]
    assert {s["name"] for s in body["statuses"]} == {"배송사 확인 중", "회수 대기", "고객 회신 대기"}
    assert body["teams"] == [{"id": team.pk, "name": "1팀"}]
    assert [m["user_id"] for m in body["members"]] == [agent.user_id]  # viewers cannot be assignees


def test_search_best_first(agent_api, agent, workspace, other_workspace):
    refund = make_ticket(workspace, subject="환불 요청", body="환불해 주세요. 환불 계좌는 국민은행")
    make_ticket(workspace, subject="배송 문의", body="배송이 늦어요")
    mention = make_ticket(workspace, subject="교환 문의", body="교환이 안 되면 환불도 괜찮아요")
    make_ticket(other_workspace, subject="환불 요청", body="다른 회사 환불")
    hits = agent_api.get("/workspaces/shop/search", {"q": "환불"}).json()
    assert [h["number"] for h in hits] == [refund.number, mention.number]
    assert hits[0]["score"] >= hits[1]["score"]
    assert set(hits[0]) == {"number", "external_id", "subject", "score"}
    assert len(agent_api.get("/workspaces/shop/search", {"q": "환불", "limit": 1}).json()) == 1


def test_search_needs_a_query_and_hides_notes_from_viewers(agent_api, viewer_api, agent, workspace):
    response = agent_api.get("/workspaces/shop/search")
    assert response.status_code == 422 and error_of(response)["details"][0]["loc"] == ["query", "q"]
    ticket = make_ticket(workspace, subject="일반 문의", body="안녕하세요")
    ticket_note(ticket=ticket, by=agent, body_text="블랙컨슈머 주의")
    assert [h["number"] for h in agent_api.get("/workspaces/shop/search", {"q": "블랙컨슈머"}).json()] == [ticket.number]
    assert viewer_api.get("/workspaces/shop/search", {"q": "블랙컨슈머"}).json() == []


def test_macros(agent_api, agent, workspace):
    category = Category.objects.get(workspace=workspace, name="환불")
    macro_save(workspace=workspace, by=agent, title="환불 안내", body="{{ customer.name }}님, 환불 처리되었습니다.",
               category_id=category.pk, set_status="solved")
    macro_save(workspace=workspace, by=agent, title="배송 안내", body="배송 중입니다.")
    body = agent_api.get("/workspaces/shop/macros").json()
    assert [m["title"] for m in body] == ["배송 안내", "환불 안내"]
    assert body[1]["category"]["name"] == "취소/교환/반품 > 환불" and body[1]["set_status"] == "solved"
