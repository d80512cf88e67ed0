"""Extension points for domain kits: links a kit adds to the ticket page.

A kit registers a provider in its AppConfig.ready(); the ticket page asks every provider for the
actions that apply to this ticket and this member (a provider returns nothing when its kit is
off for the workspace), so the tickets package never imports a kit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxops.core.models import Membership
    from cxops.tickets.models import Ticket


@dataclass(frozen=True)
class TicketAction:
    label: str
    url: str
    icon: str = "spark"


TicketActionProvider = Callable[["Membership", "Ticket"], list[TicketAction]]
_providers: list[TicketActionProvider] = []


def register_ticket_actions(provider: TicketActionProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def ticket_actions(membership: Membership, ticket: Ticket) -> list[TicketAction]:
    actions: list[TicketAction] = []
    for provider in _providers:
        actions.extend(provider(membership, ticket))
    return actions


@dataclass(frozen=True)
class TicketPanel:
    """A side-panel section another package renders for the ticket page, loaded after the page.

    The ticket page only lays out a placeholder that fetches `url` (htmx, on load and whenever the
    ticket changes), so a slow panel — suggestions, predicted tags — never slows the page itself.
    """

    key: str
    title: str
    url: str


TicketPanelProvider = Callable[["Membership", "Ticket"], list[TicketPanel]]
_panel_providers: list[TicketPanelProvider] = []


def register_ticket_panels(provider: TicketPanelProvider) -> None:
    if provider not in _panel_providers:
        _panel_providers.append(provider)


def ticket_panels(membership: Membership, ticket: Ticket) -> list[TicketPanel]:
    panels: list[TicketPanel] = []
    for provider in _panel_providers:
        panels.extend(provider(membership, ticket))
    return panels
