"""Complaint handling in the demo: a few recent complaint tickets flagged and escalated, a refund
above an agent's limit waiting for the lead, and a 1372 complaint with its response deadline."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from django.utils import timezone

from cxops.complaints import services
from cxops.complaints.models import ComplaintFlag
from cxops.core.models import Membership, Role, Workspace
from cxops.tickets.models import OPEN_STATUSES, Ticket, TicketType

FLAGGED_PER_WORKSPACE = 3


def load_complaint_demo(*, workspaces: Mapping[str, Workspace]) -> None:
    for workspace in workspaces.values():
        members = Membership.objects.filter(workspace=workspace, is_active=True).select_related("user")
        lead = members.filter(role=Role.LEAD).order_by("id").first() or members.filter(
            role__in=[Role.MANAGER, Role.ADMIN]).order_by("id").first()
        agent = members.filter(role=Role.AGENT).order_by("id").first()
        if lead is None or agent is None:
            continue
        recent = list(Ticket.objects.filter(workspace=workspace, type=TicketType.COMPLAINT,
                                            status__in=list(OPEN_STATUSES))
                      .exclude(pk__in=ComplaintFlag.objects.filter(workspace=workspace, is_complaint=True)
                               .values("ticket_id"))
                      .order_by("-created_at")[:FLAGGED_PER_WORKSPACE])
        for ticket in recent:
            services.complaint_flag(ticket=ticket, by=lead, note="데모: 팀장이 민원으로 표시")
        if not recent:
            continue
        services.remedy_propose(ticket=recent[0], by=agent, kind="refund", amount=50_000,
                                reason="상품 불량으로 전액 환불 요청 (상담원 한도 초과)")
        today = timezone.localdate()
        services.regulator_add(workspace=workspace, by=lead, agency="1372", reference_number="1372-2026-0412",
                               received_on=today - timedelta(days=2), response_due=today + timedelta(days=5),
                               summary="환불 지연으로 1372 소비자상담센터에 접수된 민원", ticket=recent[-1])
