"""Email (이메일 문의): mail read from a workspace mailbox by IMAP, answered by SMTP.

Receiving is `cxops.mail.services.email_ingest` (parse → InboundMessage → the one ingest path);
this adapter threads follow-ups onto their ticket and sends public replies. Our outgoing
Message-IDs carry the reply's id and an HMAC (``<cxops.123.9f2c…@shop.co.kr>``), so a customer's
answer finds its ticket even when their client drops the subject tag, and a mail that comes back
with one of our ids is recognised as a loop.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import TYPE_CHECKING

from django.conf import settings

from cxops.tickets.channels.base import ChannelAdapter, InboundMessage, register

if TYPE_CHECKING:
    from cxops.core.models import Workspace
    from cxops.tickets.models import Message, Ticket

_OWN_ID = re.compile(r"^cxops\.(\d{1,18})\.([0-9a-f]{12})@")


def _signature(pk: int) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"cxops-mail:{pk}".encode(), hashlib.sha256).hexdigest()[:12]


def own_message_id(message_pk: int, domain: str) -> str:
    """The Message-ID (without angle brackets) of reply `message_pk`; the same on every retry."""
    return f"cxops.{message_pk}.{_signature(message_pk)}@{domain or 'cxops.invalid'}"


def own_reply_pk(message_id: str) -> int | None:
    match = _OWN_ID.match(message_id.strip("<> "))
    if match is None:
        return None
    pk = int(match.group(1))
    return pk if hmac.compare_digest(match.group(2), _signature(pk)) else None


def is_own_message_id(message_id: str) -> bool:
    return own_reply_pk(message_id) is not None


class EmailAdapter(ChannelAdapter):
    channel = "email"
    sends_replies = True

    def find_thread(self, *, workspace: Workspace, message: InboundMessage) -> Ticket | None:
        from cxops.tickets.models import Message as MessageModel
        from cxops.tickets.models import Ticket as TicketModel

        own = [pk for pk in (own_reply_pk(ref) for ref in message.thread_refs) if pk is not None]
        if own:
            found = (MessageModel.objects.filter(workspace=workspace, pk__in=own).select_related("ticket")
                     .order_by("-created_at").first())
            if found is not None:
                return found.ticket
        if message.thread_refs:
            earlier = (MessageModel.objects.filter(workspace=workspace, external_id__in=message.thread_refs)
                       .select_related("ticket").order_by("-created_at").first())
            if earlier is not None:
                return earlier.ticket
        if message.ticket_number is not None and message.customer.email:
            # "[#1042]" in a subject is easy to type: it joins the ticket only from its own customer.
            ticket = (TicketModel.objects.filter(workspace=workspace, number=message.ticket_number)
                      .select_related("customer").first())
            if ticket is not None and ticket.customer is not None \
                    and message.customer.email.lower() in ticket.customer.emails:
                return ticket
        return None

    def deliver(self, *, message: Message) -> bool:
        from cxops.mail.outbound import reply_send

        return reply_send(message=message)


register(EmailAdapter())
