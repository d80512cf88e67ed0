"""Writes made from the public pages. The ticket itself is created by the one ingest path."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cxops.core import audit
from cxops.core.models import Workspace
from cxops.tickets.channels.base import CustomerRef, InboundAttachment, InboundMessage
from cxops.tickets.models import Channel, Ticket
from cxops.tickets.services import inbound_receive, prepare_inbound


@dataclass(frozen=True)
class Inquiry:
    """A validated 1:1 inquiry from the public board."""

    name: str
    phone: str
    email: str
    subject: str
    body: str
    consent_text: str
    nonce: str  # from the form stamp: the same form submitted twice makes one inquiry
    order_number: str = ""
    category_id: int | None = None
    attachments: tuple[InboundAttachment, ...] = ()

    @property
    def external_id(self) -> str:
        return f"board-form:{self.nonce}"


@dataclass(frozen=True)
class Submitted:
    ticket: Ticket
    created: bool  # False when this was a repeated submit of a form already received


def inquiry_submit(*, workspace: Workspace, inquiry: Inquiry) -> Submitted:
    """Hand a board inquiry to `inbound_receive` and keep the record of the customer's consent.

    The consent (개인정보 수집·이용 동의) is kept in the audit trail with the exact wording shown,
    the time and the client address (set by the request middleware).
    """
    message = InboundMessage(
        channel=Channel.BOARD,
        subject=inquiry.subject,
        body_text=inquiry.body,
        customer=CustomerRef(
            name=inquiry.name, phone=inquiry.phone, email=inquiry.email,
            order_numbers=(inquiry.order_number,) if inquiry.order_number else (),
        ),
        external_id=inquiry.external_id,
        attachments=inquiry.attachments,
        category_id=inquiry.category_id,
        order_number=inquiry.order_number,
        meta={"source": "portal"},
    )
    prepare_inbound(message)
    with transaction.atomic():
        received = inbound_receive(workspace=workspace, message=message)
        ticket = received.message.ticket
        if not received.created:
            return Submitted(ticket=ticket, created=False)
        audit.record(
            workspace=workspace, actor=None, action="ticket.privacy_consent", obj=ticket, actor_label="customer",
            changes={"privacy_consent": [None, {"agreed_at": timezone.now().isoformat(),
                                                "text": inquiry.consent_text}]},
        )
        if inquiry.email:
            from cxops.portal import jobs

            ticket_id, email = ticket.pk, inquiry.email
            transaction.on_commit(lambda: jobs.inquiry_receipt_send(ticket_id, email))
    return Submitted(ticket=ticket, created=True)
