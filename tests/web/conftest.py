"""Shared data for the agent UI tests: two workspaces (tenant isolation) and a populated ticket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from cxops.core.models import Membership, Workspace
from cxops.core.services import team_create
from cxops.tickets.channels.base import CustomerRef, InboundAttachment, InboundMessage
from cxops.tickets.models import Attachment, Call, Customer, Macro, SavedView, Ticket, Webhook
from cxops.tickets.services import (
    call_log,
    inbound_ingest,
    macro_save,
    saved_view_save,
    ticket_note,
    webhook_create,
)
from tests.factories import make_member, make_ticket


@dataclass
class World:
    """Everything one workspace holds that has a page of its own."""

    workspace: Workspace
    admin: Membership
    agent: Membership
    ticket: Ticket
    customer: Customer
    attachment: Attachment
    call: Call
    macro: Macro
    saved_view: SavedView
    webhook: Webhook
    member: Membership


def build_world(workspace: Workspace, extra_tickets: int = 0) -> World:
    admin = make_member(workspace, "admin")
    agent = make_member(workspace, "agent")
    for i in range(extra_tickets):
        make_ticket(workspace, subject=f"추가 문의 {i}", phone=f"010-9000-{i:04d}")
    message = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel="board", subject="배송이 너무 늦어요", body_text="주문번호 A-1001 상품이 일주일째 안 와요. 010-3333-4444로 연락 주세요.",
        customer=CustomerRef(name="김민지", phone="010-3333-4444", email="minji@example.kr", order_numbers=("A-1001",)),
        attachments=(InboundAttachment(filename="영수증.png", content_type="image/png", content=b"\x89PNG fake"),)))
    ticket = message.ticket
    ticket_note(ticket=ticket, by=agent, body_text="택배사 확인 필요 (내부용 메모)")
    call = call_log(workspace=workspace, by=agent, phone="010-3333-4444", summary="배송 지연 문의 통화", duration_seconds=75)
    macro = macro_save(workspace=workspace, by=agent, title="배송 지연 안내",
                       body="{{ customer.name }}님, 문의 #{{ ticket.number }} 확인했습니다. 상담원 {{ agent.name }} 드림")
    view = saved_view_save(workspace=workspace, by=agent, name="긴급", filters={"priority": ["urgent"]},
                           sort="-updated_at")
    hook = webhook_create(workspace=workspace, by=admin, url="https://hooks.example.kr/cx", events=["ticket.created"])
    team_create(workspace=workspace, name="배송팀", actor=None, members=[agent])
    member = make_member(workspace, "agent")
    return World(workspace=workspace, admin=admin, agent=agent, ticket=ticket, customer=ticket.customer,
                 attachment=Attachment.objects.get(message__ticket=ticket), call=call, macro=macro, saved_view=view,
                 webhook=hook, member=member)


@pytest.fixture
def world(workspace: Workspace) -> World:
    return build_world(workspace)


@pytest.fixture
def other_world(other_workspace: Workspace) -> World:
    # Extra tickets so that the other workspace's ticket numbers do not exist in the first one.
    return build_world(other_workspace, extra_tickets=5)


def client_for(membership: Membership, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(membership.user)
    return client


HTMX = {"HTTP_HX_REQUEST": "true"}


def htmx(target: str = "") -> dict[str, str]:
    headers = dict(HTMX)
    if target:
        headers["HTTP_HX_TARGET"] = target
    return headers


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Presence lives in the cache; every test starts with nobody on any ticket."""
    from django.core.cache import cache

    cache.clear()
