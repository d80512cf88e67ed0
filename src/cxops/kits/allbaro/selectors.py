"""Reads for the Allbaro kit, always scoped by the member's workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from cxops.core.models import Membership
from cxops.kits.allbaro.models import CheckRun, KitSettings
from cxops.tickets.models import Attachment, Customer, Ticket

SPREADSHEET_EXTENSIONS = (".csv", ".xlsx", ".txt")


def kit_settings(*, membership: Membership) -> KitSettings:
    found = KitSettings.objects.filter(workspace_id=membership.workspace_id).first()
    return found or KitSettings(workspace_id=membership.workspace_id)


def ticket_attachments(*, membership: Membership, ticket: Ticket) -> list[Attachment]:
    """Spreadsheets attached to the ticket's messages (what the customer sent), newest first."""
    if ticket.workspace_id != membership.workspace_id:
        raise Http404
    rows = (Attachment.objects.filter(workspace_id=membership.workspace_id, message__ticket_id=ticket.pk)
            .select_related("message").order_by("-created_at", "-pk"))
    return [a for a in rows if a.filename.lower().endswith(SPREADSHEET_EXTENSIONS)]


def runs_for_ticket(*, membership: Membership, ticket: Ticket) -> QuerySet[CheckRun]:
    return (CheckRun.objects.filter(workspace_id=membership.workspace_id, ticket_id=ticket.pk)
            .select_related("created_by").defer("result").order_by("-created_at", "-pk"))


def run_get(*, membership: Membership, run_id: int) -> CheckRun:
    run = (CheckRun.objects.filter(workspace_id=membership.workspace_id, pk=run_id)
           .select_related("ticket", "customer", "created_by").first())
    if run is None:
        raise Http404
    return run


@dataclass
class CampaignRow:
    customer: Customer
    status: str  # ready / issues / errors / not_checked
    run_id: int | None
    year: int | None
    issue_count: int
    checked_at: Any


def campaign(*, membership: Membership, year: int) -> list[CampaignRow]:
    """Allbaro customers (anyone ever checked here) with the status of their latest check for `year`.

    The February rush view: who is ready to report, who still has issues, who has not sent files yet.
    """
    latest = (CheckRun.objects.filter(workspace_id=membership.workspace_id, customer_id=OuterRef("pk"), year=year)
              .order_by("-created_at", "-pk"))
    customers = (allbaro_customers(workspace_id=membership.workspace_id)
                 .annotate(run_id=Subquery(latest.values("pk")[:1]), run_status=Subquery(latest.values("status")[:1]),
                           run_issues=Subquery(latest.values("issue_count")[:1]),
                           run_at=Subquery(latest.values("created_at")[:1]))
                 .order_by("name", "pk")[:2000])
    rows = [CampaignRow(customer=c, status=c.run_status or "not_checked", run_id=c.run_id,  # type: ignore[attr-defined]
                        year=year if c.run_id else None, issue_count=c.run_issues or 0,  # type: ignore[attr-defined]
                        checked_at=c.run_at) for c in customers]  # type: ignore[attr-defined]
    order = {"issues": 0, "errors": 1, "not_checked": 2, "ready": 3}
    rows.sort(key=lambda r: order[r.status])
    return rows


def allbaro_customers(*, workspace_id: int) -> QuerySet[Customer]:
    checked = CheckRun.objects.filter(workspace_id=workspace_id, customer_id__isnull=False).values("customer_id")
    return Customer.objects.filter(workspace_id=workspace_id, merged_into__isnull=True, pk__in=checked)
