"""Complaint objects for API tests (the permission walk needs one of each per tenant)."""

from __future__ import annotations

from typing import Any

from cxops.complaints import services
from cxops.complaints.models import Escalation
from cxops.core.models import Membership, Workspace
from cxops.tickets.models import Ticket


def make_complaint_objects(workspace: Workspace, owner: Membership, number: int) -> dict[str, Any]:
    """An approved remedy (so "issue" works) and an open escalation on ticket `number`."""
    ticket = Ticket.objects.get(workspace=workspace, number=number)
    services.policy_add(workspace=workspace, by=owner, kind="refund", max_amount=50_000)
    remedy = services.remedy_propose(ticket=ticket, by=owner, kind="refund", amount=10_000, reason="배송 지연 보상")
    services.complaint_flag(ticket=ticket, by=owner, complaint_type="delivery")
    escalation = Escalation.objects.filter(ticket=ticket).order_by("-id").first()
    assert escalation is not None
    return {"remedy_id": remedy.pk, "escalation_id": escalation.pk}
