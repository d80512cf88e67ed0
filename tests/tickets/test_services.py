from __future__ import annotations

import pytest

from cxops.core.models import AuditEvent
from cxops.core.services import ServiceError
from cxops.tickets.channels.base import CustomerRef, InboundMessage
from cxops.tickets.models import Call, Message, MessageKind, Status, Ticket
from cxops.tickets.selectors import ticket_search
from cxops.tickets.services import (
    call_log,
    customer_find_or_create,
    customer_merge,
    inbound_ingest,
    ticket_customer_message,
    ticket_note,
    ticket_reply,
    ticket_update,
)
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db


def test_ticket_numbers_are_per_workspace(workspace, other_workspace):
    a1 = make_ticket(workspace)
    a2 = make_ticket(workspace)
    b1 = make_ticket(other_workspace)
    assert (a1.number, a2.number) == (1001, 1002)
    assert b1.number == 1001


def test_same_phone_in_any_format_finds_the_same_customer(workspace):
    first = customer_find_or_create(workspace=workspace, ref=CustomerRef(name="김민수", phone="010-1234-5678"))
    for phone in ["01012345678", "+82 10 1234 5678", "82-10-1234-5678", "010 1234 5678"]:
        again = customer_find_or_create(workspace=workspace, ref=CustomerRef(phone=phone))
        assert again.pk == first.pk
    assert first.phones == ["01012345678"]


def test_a_returning_customer_is_found_in_one_query_and_new_identities_still_attach(workspace, other_workspace):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = customer_find_or_create(workspace=workspace, ref=CustomerRef(
        name="김민수", phone="010-1234-5678", order_numbers=("20261101-0001",)))
    # Someone else's order number stays theirs; the phone decides who this is.
    other = customer_find_or_create(workspace=workspace, ref=CustomerRef(name="이영희", phone="010-9999-0000",
                                                                          order_numbers=("20261101-0002",)))
    with CaptureQueriesContext(connection) as queries:
        again = customer_find_or_create(workspace=workspace, ref=CustomerRef(
            phone="01012345678", order_numbers=("20261101-0001",)))
    assert again.pk == first.pk
    assert [q for q in queries.captured_queries if "INSERT" in q["sql"] or "UPDATE" in q["sql"]] == []
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SELECT")]) == 1
    again = customer_find_or_create(workspace=workspace, ref=CustomerRef(
        phone="010-1234-5678", email="MINSU@example.kr", order_numbers=("20261101-0002", "20261101-0003")))
    again.refresh_from_db()
    assert again.pk == first.pk
    assert again.emails == ["minsu@example.kr"]
    assert again.external_ids["orders"] == ["20261101-0001", "20261101-0003"]
    other.refresh_from_db()
    assert other.external_ids["orders"] == ["20261101-0002"]
    # The same phone in another workspace is another customer.
    assert customer_find_or_create(workspace=other_workspace, ref=CustomerRef(phone="01012345678")).pk != first.pk


def test_customers_do_not_cross_workspaces(workspace, other_workspace):
    a = customer_find_or_create(workspace=workspace, ref=CustomerRef(phone="010-1234-5678"))
    b = customer_find_or_create(workspace=other_workspace, ref=CustomerRef(phone="010-1234-5678"))
    assert a.pk != b.pk


def test_reply_sets_first_response_and_pending_and_is_audited(workspace, agent):
    ticket = make_ticket(workspace)
    message = ticket_reply(ticket=ticket, by=agent, body_text="확인해 보겠습니다.")
    ticket.refresh_from_db()
    assert ticket.first_response_at == message.created_at
    assert ticket.status == Status.PENDING
    assert ticket.assignee_id == agent.user_id
    actions = list(AuditEvent.objects.filter(object_type="ticket", object_id=str(ticket.pk))
                   .values_list("action", flat=True))
    assert "ticket.reply" in actions and "ticket.create" in actions


def test_customer_follow_up_reopens_a_pending_ticket(workspace, agent):
    ticket = make_ticket(workspace)
    ticket_reply(ticket=ticket, by=agent, body_text="답변")
    ticket_customer_message(ticket=ticket, body_text="아직 안 왔어요")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_update_records_before_and_after(workspace, agent):
    ticket = make_ticket(workspace)
    ticket_update(ticket=ticket, by=agent, priority="urgent", tags=["VIP", "재문의"])
    event = AuditEvent.objects.filter(action="ticket.update", object_id=str(ticket.pk)).first()
    assert event.changes["priority"] == ["normal", "urgent"]
    assert event.changes["tags"] == [[], ["VIP", "재문의"]]
    assert ticket.messages.filter(kind=MessageKind.EVENT).exists()


def test_update_rejects_foreign_rows_and_unknown_values(workspace, other_workspace, agent):
    ticket = make_ticket(workspace)
    foreign_category = other_workspace.categories.first()
    with pytest.raises(ServiceError):
        ticket_update(ticket=ticket, by=agent, category_id=foreign_category.pk)
    with pytest.raises(ServiceError):
        ticket_update(ticket=ticket, by=agent, status="bogus")
    outsider = make_member(other_workspace, "agent")
    with pytest.raises(ServiceError):
        ticket_update(ticket=ticket, by=agent, assignee_id=outsider.user_id)


def test_client_viewer_cannot_write(workspace, viewer):
    ticket = make_ticket(workspace)
    with pytest.raises(PermissionError):
        ticket_reply(ticket=ticket, by=viewer, body_text="x")
    with pytest.raises(PermissionError):
        ticket_note(ticket=ticket, by=viewer, body_text="x")


def test_member_of_other_workspace_cannot_write(workspace, other_workspace):
    ticket = make_ticket(workspace)
    outsider = make_member(other_workspace, "admin")
    with pytest.raises(PermissionError):
        ticket_update(ticket=ticket, by=outsider, priority="high")


def test_inbound_ingest_is_idempotent_on_external_id(workspace):
    msg = InboundMessage(channel="api", subject="s", body_text="b", external_id="mall-123")
    first = inbound_ingest(workspace=workspace, message=msg)
    second = inbound_ingest(workspace=workspace, message=msg)
    assert first.pk == second.pk
    assert Ticket.objects.filter(workspace=workspace).count() == 1


def test_inbound_thread_refs_continue_the_ticket(workspace):
    first = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel="api", subject="s", body_text="b", external_id="<a@x>"))
    follow = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel="api", subject="Re: s", body_text="again", external_id="<b@x>", thread_refs=("<a@x>",)))
    assert follow.ticket_id == first.ticket_id
    assert Message.objects.filter(ticket=first.ticket, kind=MessageKind.CUSTOMER).count() == 2


def test_html_is_sanitised(workspace):
    message = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel="api", subject="s", body_html='<p onclick="x()">안녕<script>alert(1)</script></p>'))
    assert "<script" not in message.body_html and "onclick" not in message.body_html
    assert "안녕" in message.body_text


def test_call_with_follow_up_opens_a_phone_ticket(workspace, agent):
    call = call_log(workspace=workspace, by=agent, phone="010-2222-3333", summary="환불 요청\n카드 취소 확인 필요",
                    outcome="follow_up", duration_seconds=95, customer_name="이영희")
    assert call.ticket is not None and call.ticket.channel == "phone"
    assert call.customer.name == "이영희"
    resolved = call_log(workspace=workspace, by=agent, phone="01022223333", summary="배송 조회", outcome="resolved")
    assert resolved.ticket is None and resolved.customer_id == call.customer_id
    assert Call.objects.filter(workspace=workspace).count() == 2


def test_call_rejects_bad_phone(workspace, agent):
    with pytest.raises(ServiceError):
        call_log(workspace=workspace, by=agent, phone="12", summary="x")


def test_merge_moves_tickets_and_identities(workspace, agent):
    a = make_ticket(workspace, phone="010-1000-0001", name="김")
    b = make_ticket(workspace, phone="010-1000-0002", name="")
    merged = customer_merge(source=b.customer, target=a.customer, by=agent)
    b.refresh_from_db()
    assert b.customer_id == merged.pk
    assert set(merged.phones) == {"01010000001", "01010000002"}
    again = customer_find_or_create(workspace=workspace, ref=CustomerRef(phone="010-1000-0002"))
    assert again.pk == merged.pk


@pytest.mark.parametrize(("query", "expected"), [
    ("환불", "환불"), ("배송", "배송지연"), ("늦어요", "배송지연"), ("5678", "환불"), ("김민수", "환불"),
    ("kim@test.co.kr", "환불"), ("교환", "교환"),
])
def test_korean_search(workspace, agent, query, expected):
    make_ticket(workspace, subject="환불 문의", body="환불해주세요", name="김민수", phone="010-1234-5678",
                email="kim@test.co.kr")
    make_ticket(workspace, subject="배송지연", body="배송이너무늦어요", name="박지성", phone="010-9999-0000")
    make_ticket(workspace, subject="교환", body="사이즈가 안 맞아서 교환하고 싶어요", name="이순신", phone="010-7777-0000")
    results = ticket_search(membership=agent, query=query)
    assert results, query
    assert expected in results[0].ticket.subject


def test_search_respects_workspace_and_role(workspace, other_workspace, agent, viewer):
    mine = make_ticket(workspace, subject="환불 문의", body="환불해주세요")
    make_ticket(other_workspace, subject="환불 문의", body="환불해주세요")
    assert [r.ticket.pk for r in ticket_search(membership=agent, query="환불")] == [mine.pk]
    ticket_note(ticket=mine, by=agent, body_text="블랙컨슈머 주의")
    assert ticket_search(membership=agent, query="블랙컨슈머")
    assert not ticket_search(membership=viewer, query="블랙컨슈머")


def test_full_text_index_objects_exist_after_all_migrations():
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tickets_search_%'")
            assert {row[0] for row in cursor.fetchall()} == {"tickets_search_ai", "tickets_search_ad",
                                                             "tickets_search_au"}
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tickets_ticketsearchdoc'")
            assert "tickets_search_tsv_gin" in {row[0] for row in cursor.fetchall()}


def test_new_ticket_document_equals_a_rebuilt_one(workspace):
    from cxops.tickets import search
    from cxops.tickets.models import TicketSearchDoc

    ticket = make_ticket(workspace, subject="환불 요청 2건", body="주문번호 20261102-0001234 환불해주세요")
    stored = TicketSearchDoc.objects.get(ticket=ticket)
    search.index_ticket(ticket)
    rebuilt = TicketSearchDoc.objects.get(ticket=ticket)
    assert (stored.subject, stored.body, stored.people, stored.notes) == (
        rebuilt.subject, rebuilt.body, rebuilt.people, rebuilt.notes)
    assert str(ticket.number) in stored.subject.split()
