"""The channel-adapter interface.

Every channel (web board, phone log, import, and later email, chat, marketplace and messenger)
turns what arrives into one :class:`InboundMessage` and hands it to
:func:`cxops.tickets.services.inbound_ingest`; replies go out through the adapter registered
for the ticket's channel. A new channel is one module that subclasses :class:`ChannelAdapter`
and calls :func:`register`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from cxops.core.models import Workspace
    from cxops.tickets.models import Message, Ticket


@dataclass(frozen=True)
class CustomerRef:
    """What a channel knows about the sender; used to find or create the customer."""

    name: str = ""
    phone: str = ""
    email: str = ""
    mall_user_id: str = ""
    order_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class InboundMessage:
    channel: str
    body_text: str = ""
    subject: str = ""
    body_html: str = ""
    customer: CustomerRef = field(default_factory=CustomerRef)
    # The channel's own id for the message (email Message-ID, marketplace inquiry id); ingest is
    # idempotent on it within a workspace.
    external_id: str = ""
    # Ids of earlier messages this one answers (In-Reply-To / References, a chat session id).
    thread_refs: tuple[str, ...] = ()
    ticket_number: int | None = None
    received_at: datetime | None = None
    attachments: tuple[InboundAttachment, ...] = ()
    category_id: int | None = None
    order_number: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


class DeliveryError(Exception):
    """Raised by an adapter when an outbound message could not be delivered; the job retries."""


class ChannelAdapter:
    channel: ClassVar[str]
    # Whether a public reply on this channel is handed to `deliver` by a job.
    sends_replies: ClassVar[bool] = False

    def find_thread(self, *, workspace: Workspace, message: InboundMessage) -> Ticket | None:
        """The open or recent ticket this message continues, if the channel can tell."""
        from cxops.tickets.models import Message as MessageModel
        from cxops.tickets.models import Ticket as TicketModel

        if message.ticket_number is not None:
            return TicketModel.objects.filter(workspace=workspace, number=message.ticket_number).first()
        if message.thread_refs:
            earlier = (
                MessageModel.objects.filter(workspace=workspace, external_id__in=message.thread_refs)
                .select_related("ticket")
                .order_by("-created_at")
                .first()
            )
            if earlier is not None:
                return earlier.ticket
        return None

    def deliver(self, *, message: Message) -> bool:
        """Send a public reply to the customer. True if something was sent, False if the channel
        has nothing to send (the customer reads the answer elsewhere). Raise DeliveryError to retry."""
        return False


_registry: dict[str, ChannelAdapter] = {}


def register(adapter: ChannelAdapter) -> ChannelAdapter:
    _registry[adapter.channel] = adapter
    return adapter


def adapter_for(channel: str) -> ChannelAdapter:
    from cxops.tickets import channels  # noqa: F401  (registers the built-in adapters)

    return _registry.get(channel) or _registry["api"]
