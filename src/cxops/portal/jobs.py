"""Background jobs of the public pages."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from huey.contrib.djhuey import db_task

from cxops.tickets.channels.board import portal_url
from cxops.tickets.models import Ticket

log = logging.getLogger(__name__)


@db_task(retries=5, retry_delay=120)
def inquiry_receipt_send(ticket_id: int, email: str) -> bool:
    """Confirm a board inquiry by email with the private link, so the customer can find it again."""
    ticket = Ticket.objects.select_related("workspace", "customer").filter(pk=ticket_id).first()
    if ticket is None:
        return False
    name = ticket.customer.name if ticket.customer and ticket.customer.name else "고객"
    try:
        send_mail(
            subject=f"[{ticket.workspace.name}] 문의가 접수되었습니다 (#{ticket.number})",
            message=(
                f"{name}님, 문의해 주셔서 감사합니다.\n\n"
                f"문의 번호: #{ticket.number}\n"
                f"문의 제목: {ticket.subject}\n\n"
                "아래 링크에서 처리 상황과 답변을 확인하고 추가 문의를 남기실 수 있습니다.\n"
                "링크를 아는 사람은 누구나 문의 내용을 볼 수 있으니 다른 사람과 공유하지 마세요.\n\n"
                f"{portal_url(ticket)}\n"
            ),
            from_email=None,
            recipient_list=[email],
        )
    except OSError:
        log.warning("inquiry receipt for ticket %s could not be sent; Huey retries", ticket_id, exc_info=True)
        raise
    return True
