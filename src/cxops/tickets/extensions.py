"""Extension points: links and panels other packages add to the ticket page, and lifecycle hooks
(SLA clocks, assignment, complaint detection) that run when a ticket changes.

A kit registers a provider in its AppConfig.ready(); the ticket page asks every provider for the
actions that apply to this ticket and this member (a provider returns nothing when its kit is
off for the workspace), so the tickets package never imports a kit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxops.core.models import Membership, User
    from cxops.tickets.models import Message, Ticket


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


# --- lifecycle hooks ------------------------------------------------------------------------------

class ChangeKind:
    CREATED = "created"
    UPDATED = "updated"
    CUSTOMER_MESSAGE = "customer_message"
    AGENT_REPLY = "agent_reply"


@dataclass(frozen=True)
class TicketChange:
    """What just happened to a ticket, passed to every lifecycle hook.

    `changes` is the audit delta of an update (``{"status": [old, new]}``); for a reply or customer
    message it holds the status change the message caused, if any. `message` is the new message.
    """

    ticket: Ticket
    kind: str
    changes: dict[str, list[Any]] = field(default_factory=dict)
    actor: User | None = None
    message: Message | None = None


TicketLifecycleHook = Callable[[TicketChange], None]
_lifecycle_hooks: list[tuple[int, str, TicketLifecycleHook]] = []


def register_ticket_lifecycle(hook: TicketLifecycleHook, *, order: int = 100) -> None:
    """Run `hook` inside the write transaction after a ticket is created, updated, replied to or
    written to by its customer. Lower `order` runs first (SLA deadlines 10, assignment 20,
    complaints 30). A hook must be quick and may write; slow work belongs in an on-commit job.
    An exception in a hook rolls the whole change back, so hooks validate before they write."""
    name = f"{getattr(hook, '__module__', '')}.{getattr(hook, '__qualname__', repr(hook))}"
    if all(existing != name for _, existing, _ in _lifecycle_hooks):
        _lifecycle_hooks.append((order, name, hook))
        _lifecycle_hooks.sort(key=lambda item: (item[0], item[1]))


def ticket_changed(change: TicketChange) -> None:
    for _, _, hook in _lifecycle_hooks:
        hook(change)


# --- before a new ticket is written ----------------------------------------------------------------

TicketPrepareHook = Callable[["Ticket", Sequence[str]], None]
_prepare_hooks: list[TicketPrepareHook] = []


def register_ticket_prepare(hook: TicketPrepareHook) -> None:
    """Run `hook(ticket, tag_names)` on a new ticket just before its INSERT, inside the write
    transaction. A hook may set columns of the ticket (no primary key yet, tags not stored yet):
    what it sets goes in with the INSERT instead of an UPDATE after it (SLA deadlines). The
    lifecycle hooks still run after the INSERT."""
    if hook not in _prepare_hooks:
        _prepare_hooks.append(hook)


def ticket_preparing(ticket: Ticket, tag_names: Sequence[str]) -> None:
    for hook in _prepare_hooks:
        hook(ticket, tag_names)


# --- agent availability hooks -----------------------------------------------------------------------

AvailabilityHook = Callable[["Membership", str, str], None]
_availability_hooks: list[AvailabilityHook] = []


def register_availability_hook(hook: AvailabilityHook) -> None:
    """Run `hook(membership, before, after)` inside the transaction that changes an agent's
    availability (online / away / offline): assignment hands an offline agent's tickets on."""
    if hook not in _availability_hooks:
        _availability_hooks.append(hook)


def availability_changed(membership: Membership, before: str, after: str) -> None:
    for hook in _availability_hooks:
        hook(membership, before, after)
