"""Web board / 1:1 inquiry form (1:1 문의).

The customer follows the conversation through a private link carrying a signed token; when they
left an email address, each answer also sends a short notice with that link.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail

from cxops.tickets.channels.base import ChannelAdapter, register
from cxops.tickets.models import Message, Ticket

PORTAL_SALT = "cxops.portal"


def portal_token(ticket: Ticket) -> str:
    return signing.dumps({"w": ticket.workspace_id, "t": ticket.pk}, salt=PORTAL_SALT, compress=True)


def portal_ticket_id(token: str, *, workspace_id: int) -> int | None:
    """The ticket a private link opens, or None if the token is forged or for another workspace."""
    try:
        data = signing.loads(token, salt=PORTAL_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") != workspace_id:
        return None
    ticket_id = data.get("t")
    return ticket_id if isinstance(ticket_id, int) else None


def portal_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL}/p/{ticket.workspace.slug}/inquiry/{portal_token(ticket)}/"


class BoardAdapter(ChannelAdapter):
    channel = "board"
    sends_replies = True

    def deliver(self, *, message: Message) -> bool:
        ticket = message.ticket
        customer = ticket.customer
        if customer is None or not customer.emails:
            return False
        send_mail(
            subject=f"[{ticket.workspace.name}] 문의 #{ticket.number}에 답변이 등록되었습니다",
            message=(
                f"{customer.name or '고객'}님, 문의하신 내용에 답변이 등록되었습니다.\n\n"
                f"문의 제목: {ticket.subject}\n"
                f"아래 링크에서 답변을 확인하고 추가 문의를 남기실 수 있습니다.\n{portal_url(ticket)}\n"
            ),
            from_email=None,
            recipient_list=[customer.emails[0]],
        )
        return True


register(BoardAdapter())
