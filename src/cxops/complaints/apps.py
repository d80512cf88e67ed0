from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from cxops.core.models import Membership
    from cxops.tickets.extensions import TicketPanel
    from cxops.tickets.models import Ticket


def _ticket_panels(membership: Membership, ticket: Ticket) -> list[TicketPanel]:
    """The complaint side panel on every ticket page (loaded after the page)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from cxops.tickets.extensions import TicketPanel

    url = reverse("complaints_ticket_panel", kwargs={"slug": membership.workspace.slug, "number": ticket.number})
    return [TicketPanel(key="complaint", title=gettext("민원 처리"), url=url)]


class ComplaintsConfig(AppConfig):
    name = "cxops.complaints"
    label = "complaints"
    verbose_name = "민원 처리"

    def ready(self) -> None:
        from cxops.complaints import jobs  # noqa: F401  (registers the Huey tasks)
        from cxops.complaints.services import detect_on_ticket
        from cxops.tickets.extensions import register_ticket_lifecycle, register_ticket_panels

        register_ticket_lifecycle(detect_on_ticket, order=30)
        register_ticket_panels(_ticket_panels)
