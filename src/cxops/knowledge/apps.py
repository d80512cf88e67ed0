from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from cxops.core.models import Membership
    from cxops.tickets.extensions import TicketPanel
    from cxops.tickets.models import Ticket


def _ticket_panels(membership: Membership, ticket: Ticket) -> list[TicketPanel]:
    """On every ticket page: suggested articles (internal mini-guides included) and macros."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from cxops.tickets.extensions import TicketPanel

    url = reverse("kb_ticket_panel", kwargs={"slug": membership.workspace.slug, "number": ticket.number})
    return [TicketPanel(key="kb-suggestions", title=gettext("추천 가이드·매크로"), url=url)]


class KnowledgeConfig(AppConfig):
    name = "cxops.knowledge"
    label = "knowledge"
    verbose_name = "지식베이스·헬프센터"

    def ready(self) -> None:
        from cxops.knowledge import jobs  # noqa: F401  (registers the Huey tasks)
        from cxops.tickets.extensions import register_ticket_panels

        register_ticket_panels(_ticket_panels)
