"""Background jobs: reply delivery and outbound webhooks (signed, retried with back-off)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from cxops.tickets.channels.base import DeliveryError, adapter_for
from cxops.tickets.models import DeliveryStatus, Message, Ticket, Webhook, WebhookDelivery

log = logging.getLogger(__name__)

REPLY_MAX_ATTEMPTS = 6
WEBHOOK_MAX_ATTEMPTS = 8
WEBHOOK_TIMEOUT_S = 10


def backoff_seconds(attempt: int) -> int:
    """30 s, 1 min, 2 min, 4 min … capped at one hour."""
    return int(min(30 * 2 ** max(attempt - 1, 0), 3600))


@db_task()
def reply_deliver(message_id: int, attempt: int = 1) -> str:
    message = Message.objects.select_related("ticket__workspace", "ticket__customer").filter(pk=message_id).first()
    if message is None or message.delivery_status != DeliveryStatus.PENDING:
        return "skipped"
    try:
        sent = adapter_for(message.ticket.channel).deliver(message=message)
    except (DeliveryError, OSError) as exc:
        log.warning("reply %s delivery attempt %s failed: %s", message_id, attempt, exc)
        message.delivery_error = f"{timezone.now():%Y-%m-%d %H:%M} 시도 {attempt}: {exc}"[:2000]
        if attempt >= REPLY_MAX_ATTEMPTS:
            message.delivery_status = DeliveryStatus.FAILED
            message.save(update_fields=["delivery_status", "delivery_error"])
            return "failed"
        message.save(update_fields=["delivery_error"])
        reply_deliver.schedule((message_id, attempt + 1), delay=backoff_seconds(attempt))
        return "retry"
    message.delivery_status = DeliveryStatus.SENT if sent else DeliveryStatus.NONE
    message.delivery_error = ""
    message.save(update_fields=["delivery_status", "delivery_error"])
    return "sent" if sent else "nothing-to-send"


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    return {
        "workspace": ticket.workspace.slug,
        "number": ticket.number,
        "external_id": ticket.external_id,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "type": ticket.type,
        "channel": ticket.channel,
        "assignee_id": ticket.assignee_id,
        "customer_id": ticket.customer_id,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


@db_task()
def webhooks_dispatch(ticket_id: int, event: str, extra: dict[str, Any]) -> int:
    ticket = Ticket.objects.select_related("workspace").filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    hooks = [h for h in Webhook.objects.filter(workspace_id=ticket.workspace_id, is_active=True) if event in h.events]
    payload = json.loads(json.dumps(
        {"event": event, "ticket": ticket_payload(ticket), "data": extra, "sent_at": timezone.now()},
        cls=DjangoJSONEncoder,
    ))
    for hook in hooks:
        delivery = WebhookDelivery.objects.create(webhook=hook, event=event, payload=payload)
        transaction.on_commit(partial(webhook_deliver, delivery.pk))
    return len(hooks)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@db_task()
def webhook_deliver(delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return "skipped"
    body = json.dumps(delivery.payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.webhook.url, data=body, method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "CXOps-Webhook/1",
            "X-CXOps-Event": delivery.event,
            "X-CXOps-Delivery": str(delivery.pk),
            "X-CXOps-Timestamp": timestamp,
            "X-CXOps-Signature": "sha256=" + sign(delivery.webhook.secret, timestamp, body),
        },
    )
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
            delivery.response_status = response.status
            delivery.response_body = response.read(2000).decode("utf-8", "replace")
        delivery.state = WebhookDelivery.State.SUCCEEDED
        delivery.error = ""
    except urllib.error.HTTPError as exc:
        delivery.response_status = exc.code
        delivery.response_body = exc.read(2000).decode("utf-8", "replace")
        delivery.error = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        delivery.error = str(getattr(exc, "reason", exc))[:500]
    if delivery.state != WebhookDelivery.State.SUCCEEDED:
        if delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
            delivery.state = WebhookDelivery.State.FAILED
        else:
            webhook_deliver.schedule((delivery.pk,), delay=backoff_seconds(delivery.attempts))
    delivery.save()
    return str(delivery.state)
