from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from cxops.core.models import Membership
    from cxops.tickets.extensions import TicketAction
    from cxops.tickets.models import Ticket


def _ticket_actions(membership: Membership, ticket: Ticket) -> list[TicketAction]:
    """On the ticket page of a workspace that turned the kit on: "check the Allbaro files"."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from cxops.kits.allbaro.selectors import kit_settings
    from cxops.tickets.extensions import TicketAction

    if not kit_settings(membership=membership).enabled:
        return []
    url = reverse("allbaro_ticket_check", kwargs={"slug": membership.workspace.slug, "number": ticket.number})
    return [TicketAction(label=gettext("올바로 점검"), url=url)]


class AllbaroConfig(AppConfig):
    name = "cxops.kits.allbaro"
    label = "allbaro"
    verbose_name = "Allbaro 실적보고 도우미"

    def ready(self) -> None:
        from cxops.tickets.extensions import register_ticket_actions

        register_ticket_actions(_ticket_actions)
