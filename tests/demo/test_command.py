"""`cxops demo` against the database: what it creates, determinism, idempotency, search, logins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from cxops.cli import main
from cxops.core.models import AuditEvent, Membership, Team, User, Workspace
from cxops.demo.build import load_demo
from cxops.demo.clock import SEOUL
from cxops.demo.people import DEMO_PASSWORD
from cxops.tickets import numbering, search
from cxops.tickets.models import (
    Call,
    Category,
    Customer,
    CustomerIdentity,
    Macro,
    Message,
    Product,
    SavedView,
    Ticket,
    TicketSearchDoc,
    WorkspaceStatus,
)
from cxops.tickets.selectors import ticket_search

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SEOUL)
SMALL = 120

pytestmark = pytest.mark.django_db


def _subjects() -> list[tuple[str, int, str, str]]:
    return list(Ticket.objects.order_by("workspace__slug", "number")
                .values_list("workspace__slug", "number", "subject", "status"))


def test_small_run_creates_the_three_workspaces(capsys: Any) -> None:
    assert main(["demo", "--tickets", str(SMALL), "--seed", "7", "--now", NOW.isoformat(), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "admin@cxops.demo" in out and DEMO_PASSWORD in out and "agent1@cxops.demo" in out

    assert set(Workspace.objects.values_list("slug", flat=True)) == {"shop", "scooter", "waste"}
    assert Ticket.objects.count() == SMALL
    assert set(Ticket.objects.values_list("channel", flat=True)) >= {
        "board", "phone", "email", "chat", "marketplace", "messenger"}
    for workspace in Workspace.objects.all():
        tickets = Ticket.objects.filter(workspace=workspace)
        assert workspace.board_intro
        roles = set(Membership.objects.filter(workspace=workspace).values_list("role", flat=True))
        assert {"admin", "manager", "lead", "agent", "client_viewer"} <= roles
        assert Team.objects.filter(workspace=workspace).count() >= 3
        parents = Category.objects.filter(workspace=workspace, parent=None)
        assert parents.count() >= 5 and Category.objects.filter(workspace=workspace, parent__isnull=False).count() > 10
        assert 5 <= Macro.objects.filter(workspace=workspace).count() <= 8
        assert Macro.objects.filter(workspace=workspace, body__contains="{{ customer.name }}").exists()
        assert SavedView.objects.filter(workspace=workspace, owner=None).count() >= 3
        assert WorkspaceStatus.objects.filter(workspace=workspace).exists()
        assert Call.objects.filter(workspace=workspace).exists()
        assert Call.objects.filter(workspace=workspace, ticket__isnull=False).exists()
        # Invariants the bulk writer keeps by hand.
        numbers = list(tickets.values_list("number", flat=True))
        assert len(numbers) == len(set(numbers)) and numbering.last_number(workspace.pk) == max(numbers)
        for ticket in tickets:
            assert ticket.message_count == ticket.messages.count()
        assert TicketSearchDoc.objects.filter(workspace=workspace).count() == tickets.count()
        assert tickets.filter(status__in=["solved", "closed"]).exists()
        assert tickets.filter(status__in=["new", "open", "pending", "on_hold"]).exists()
        for customer in Customer.objects.filter(workspace=workspace)[:20]:
            assert CustomerIdentity.objects.filter(customer=customer, kind="phone", value=customer.phones[0]).exists()
        # Some tickets went through the real services: their audit rows are there.
        actions = set(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
        assert {"workspace.create", "membership.set", "macro.create", "ticket.create", "call.log"} <= actions

    shop = Workspace.objects.get(slug="shop")
    assert Product.objects.filter(workspace=shop).count() >= 20
    assert not Category.objects.filter(workspace=Workspace.objects.get(slug="waste"), name="회원/계정").exists()
    assert Message.objects.filter(workspace=shop, kind="note").exists()
    assert Message.objects.filter(workspace=shop, created_at__gt=NOW).count() == 0


def test_same_seed_gives_the_same_data() -> None:
    load_demo(seed=11, now=NOW, tickets=SMALL)
    first = _subjects()
    first_bodies = list(Message.objects.order_by("ticket__workspace__slug", "ticket__number", "created_at", "id")
                        .values_list("body_text", flat=True))
    result = load_demo(seed=11, now=NOW, tickets=SMALL, reset=True)
    assert result.created
    assert _subjects() == first
    assert list(Message.objects.order_by("ticket__workspace__slug", "ticket__number", "created_at", "id")
                .values_list("body_text", flat=True)) == first_bodies
    load_demo(seed=12, now=NOW, tickets=SMALL, reset=True)
    assert _subjects() != first


def test_second_run_skips_instead_of_duplicating(capsys: Any) -> None:
    load_demo(seed=7, now=NOW, tickets=SMALL)
    counts = (Workspace.objects.count(), Ticket.objects.count(), Call.objects.count(), User.objects.count())
    assert main(["demo", "--tickets", str(SMALL), "--now", NOW.isoformat(), "--quiet"]) == 0
    assert "--reset" in capsys.readouterr().out
    assert (Workspace.objects.count(), Ticket.objects.count(), Call.objects.count(), User.objects.count()) == counts


def test_korean_search_finds_demo_tickets() -> None:
    load_demo(seed=7, now=NOW, tickets=SMALL)
    shop = Workspace.objects.get(slug="shop")
    hits = search.search_ticket_ids(workspace_id=shop.pk, query="배송", limit=20)
    assert hits
    assert all(Ticket.objects.get(pk=h.ticket_id).workspace_id == shop.pk for h in hits)
    # The live example written through the services is found by the customer's phone number.
    by_phone = search.search_ticket_ids(workspace_id=shop.pk, query="010-4821-7730")
    assert Ticket.objects.get(pk=by_phone[0].ticket_id).subject.startswith("새벽배송")
    viewer = Membership.objects.get(workspace=shop, user__email="viewer.shop@cxops.demo")
    assert ticket_search(membership=viewer, query="환불")
    waste = Workspace.objects.get(slug="waste")
    assert search.search_ticket_ids(workspace_id=waste.pk, query="인계서")


def test_demo_logins_work(client: Client) -> None:
    load_demo(seed=7, now=NOW, tickets=SMALL)
    for email in ("admin@cxops.demo", "lead@cxops.demo", "agent1@cxops.demo", "viewer.waste@cxops.demo"):
        assert client.login(email=email, password=DEMO_PASSWORD), email
        client.logout()
    assert not client.login(email="agent1@cxops.demo", password="wrong-password")
    viewer = User.objects.get(email="viewer.waste@cxops.demo")
    assert list(Membership.objects.filter(user=viewer).values_list("workspace__slug", "role")) == [
        ("waste", "client_viewer")]
    agent2 = User.objects.get(email="agent2@cxops.demo")
    assert set(Membership.objects.filter(user=agent2).values_list("workspace__slug", flat=True)) == {"shop", "scooter"}
