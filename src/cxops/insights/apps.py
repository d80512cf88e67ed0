from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from cxops.core.models import Membership
    from cxops.tickets.extensions import TicketPanel
    from cxops.tickets.models import Ticket


def _ticket_panels(membership: Membership, ticket: Ticket) -> list[TicketPanel]:
    """The "suggested tags" side panel on every ticket page (loaded after the page)."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from cxops.tickets.extensions import TicketPanel

    url = reverse("insights_ticket_panel", kwargs={"slug": membership.workspace.slug, "number": ticket.number})
    return [TicketPanel(key="insights-tags", title=gettext("추천 분류"), url=url)]


class InsightsConfig(AppConfig):
    name = "cxops.insights"
    label = "insights"
    verbose_name = "고객의 소리"

    def ready(self) -> None:
        from cxops.insights import signals
        from cxops.tickets.extensions import register_ticket_panels

        register_ticket_panels(_ticket_panels)
        signals.connect()
