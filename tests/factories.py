"""Test data builders. They go through the services so that invariants hold as in production."""

from __future__ import annotations

import itertools

from cxops.core.models import Membership, User, Workspace
from cxops.core.services import membership_set, user_create, workspace_create
from cxops.tickets.channels.base import CustomerRef, InboundMessage
from cxops.tickets.models import Ticket
from cxops.tickets.services import inbound_ingest

_seq = itertools.count(1)


def make_workspace(slug: str | None = None, name: str | None = None) -> Workspace:
    n = next(_seq)
    workspace, _ = workspace_create(slug=slug or f"ws{n}", name=name or f"워크스페이스 {n}")
    return workspace


def make_user(email: str | None = None, password: str = "pass-1234-word", name: str = "") -> User:
    n = next(_seq)
    return user_create(email=email or f"user{n}@example.kr", password=password, display_name=name or f"상담원{n}")


def make_member(workspace: Workspace, role: str = "agent", user: User | None = None) -> Membership:
    return membership_set(workspace=workspace, user=user or make_user(), role=role, actor=None)


def make_ticket(workspace: Workspace, subject: str = "배송 문의", body: str = "주문한 상품이 아직 안 왔어요",
                name: str = "홍길동", phone: str = "010-1111-2222", email: str = "", channel: str = "board",
                external_id: str = "") -> Ticket:
    message = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel=channel, subject=subject, body_text=body, external_id=external_id,
        customer=CustomerRef(name=name, phone=phone, email=email)))
    return message.ticket
