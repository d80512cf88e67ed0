"""Every read of complaint handling, scoped by the member's workspace (other workspaces → 404)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from cxops.complaints import detection
from cxops.complaints.models import (
    REGULATOR_OPEN,
    CompensationPolicy,
    ComplaintConfig,
    ComplaintFlag,
    ComplaintFlagEvent,
    ComplaintModel,
    ComplaintRule,
    DelegatedAuthority,
    Escalation,
    EscalationRule,
    EscalationStatus,
    RegulatorComplaint,
    Remedy,
    RemedyStatus,
)
from cxops.core.models import Membership
from cxops.tickets.models import Ticket


def _one(qs: QuerySet[Any], **lookup: Any) -> Any:
    found = qs.filter(**lookup).first()
    if found is None:
        raise Http404
    return found


def config(*, membership: Membership) -> ComplaintConfig:
    return detection.config_for(membership.workspace_id)


def flag_for_ticket(*, membership: Membership, ticket: Ticket) -> ComplaintFlag | None:
    if ticket.workspace_id != membership.workspace_id:
        raise Http404
    return ComplaintFlag.objects.filter(ticket=ticket).select_related("decided_by").first()


def flag_history(*, flag: ComplaintFlag) -> QuerySet[ComplaintFlagEvent]:
    return flag.events.select_related("actor").order_by("-created_at", "-id")


def escalations_for_ticket(*, membership: Membership, ticket: Ticket) -> QuerySet[Escalation]:
    return (Escalation.objects.filter(workspace_id=membership.workspace_id, ticket=ticket)
            .select_related("owner__user").order_by("-tier", "-created_at"))


def remedies_for_ticket(*, membership: Membership, ticket: Ticket) -> QuerySet[Remedy]:
    return (Remedy.objects.filter(workspace_id=membership.workspace_id, ticket=ticket)
            .select_related("proposer", "approver").order_by("-created_at", "-id"))


def escalations_open(*, membership: Membership) -> QuerySet[Escalation]:
    return (Escalation.objects.filter(workspace_id=membership.workspace_id)
            .exclude(status=EscalationStatus.RESOLVED)
            .select_related("ticket", "owner__user").order_by("due_at", "id"))


def remedies_pending(*, membership: Membership) -> QuerySet[Remedy]:
    return (Remedy.objects.filter(workspace_id=membership.workspace_id, status=RemedyStatus.PENDING)
            .select_related("ticket", "proposer").order_by("created_at", "id"))


def regulator_list(*, membership: Membership, open_only: bool = False) -> QuerySet[RegulatorComplaint]:
    qs = RegulatorComplaint.objects.filter(workspace_id=membership.workspace_id).select_related("ticket", "owner__user")
    if open_only:
        qs = qs.filter(status__in=REGULATOR_OPEN)
    return qs.order_by("response_due", "id")


def flags_recent(*, membership: Membership, complaints_only: bool = True) -> QuerySet[ComplaintFlag]:
    qs = ComplaintFlag.objects.filter(workspace_id=membership.workspace_id).select_related("ticket", "decided_by")
    if complaints_only:
        qs = qs.filter(is_complaint=True)
    return qs.order_by("-updated_at", "-id")


def escalation_get(*, membership: Membership, escalation_id: int) -> Escalation:
    return _one(Escalation.objects.filter(workspace_id=membership.workspace_id)
                .select_related("ticket", "ticket__workspace", "owner"), pk=escalation_id)


def remedy_get(*, membership: Membership, remedy_id: int) -> Remedy:
    return _one(Remedy.objects.filter(workspace_id=membership.workspace_id)
                .select_related("ticket", "ticket__workspace", "ticket__team"), pk=remedy_id)


def regulator_get(*, membership: Membership, item_id: int) -> RegulatorComplaint:
    return _one(RegulatorComplaint.objects.filter(workspace_id=membership.workspace_id)
                .select_related("workspace"), pk=item_id)


def rule_get(*, membership: Membership, rule_id: int) -> ComplaintRule:
    return _one(ComplaintRule.objects.filter(workspace_id=membership.workspace_id).select_related("workspace"),
                pk=rule_id)


def escalation_rule_get(*, membership: Membership, rule_id: int) -> EscalationRule:
    return _one(EscalationRule.objects.filter(workspace_id=membership.workspace_id).select_related("workspace"),
                pk=rule_id)


def policy_get(*, membership: Membership, policy_id: int) -> CompensationPolicy:
    return _one(CompensationPolicy.objects.filter(workspace_id=membership.workspace_id).select_related("workspace"),
                pk=policy_id)


def rules_list(*, membership: Membership) -> QuerySet[ComplaintRule]:
    return ComplaintRule.objects.filter(workspace_id=membership.workspace_id)


def escalation_rules_list(*, membership: Membership) -> QuerySet[EscalationRule]:
    return EscalationRule.objects.filter(workspace_id=membership.workspace_id).select_related("owner__user")


def policies_list(*, membership: Membership) -> QuerySet[CompensationPolicy]:
    return CompensationPolicy.objects.filter(workspace_id=membership.workspace_id)


@dataclass(frozen=True)
class MemberLimit:
    member: Membership
    own: int | None
    effective: int


def member_limits(*, membership: Membership) -> list[MemberLimit]:
    cfg = config(membership=membership)
    own = dict(DelegatedAuthority.objects.filter(workspace_id=membership.workspace_id)
               .values_list("membership_id", "limit"))
    members = (Membership.objects.filter(workspace_id=membership.workspace_id, is_active=True)
               .exclude(role="client_viewer").select_related("user").order_by("role", "id"))
    return [MemberLimit(member=m, own=own.get(m.pk), effective=own.get(m.pk, cfg.limit_for_role(m.role)))
            for m in members]


def current_model(*, membership: Membership) -> ComplaintModel | None:
    return ComplaintModel.objects.filter(workspace_id=membership.workspace_id).order_by("-trained_at", "-id").first()


def feedback_counts(*, membership: Membership) -> dict[str, int]:
    rows = (ComplaintFlagEvent.objects.filter(workspace_id=membership.workspace_id, source="agent")
            .values("action").annotate(n=Count("id")))
    return {r["action"]: r["n"] for r in rows}


@dataclass(frozen=True)
class ReportRow:
    product: str
    reason: str
    kind: str
    count: int
    amount: int


def _paid_remedies(*, workspace_id: int, since: datetime | None, until: datetime | None) -> QuerySet[Remedy]:
    qs = Remedy.objects.filter(workspace_id=workspace_id, status__in=[RemedyStatus.APPROVED, RemedyStatus.ISSUED])
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def _report_rows(rows: Iterable[dict[str, Any]], *, unclassified: str) -> list[ReportRow]:
    """Rows of a values(…).annotate(n, total) over remedies → ReportRow, the reason as "parent > child"."""
    labels = dict(Remedy._meta.get_field("kind").choices or [])
    out = []
    for r in rows:
        parent, name = r["ticket__category__parent__name"], r["ticket__category__name"]
        reason = f"{parent} > {name}" if parent and name else (name or unclassified)
        out.append(ReportRow(product=r.get("ticket__product__name") or "", reason=reason,
                             kind=str(labels.get(r["kind"], r["kind"])), count=int(r["n"]), amount=int(r["total"] or 0)))
    return out


def remedies_report(*, membership: Membership, since: datetime | None = None,
                    until: datetime | None = None) -> list[ReportRow]:
    """Approved and issued remedies per product, reason (the ticket's category) and kind."""
    rows = (_paid_remedies(workspace_id=membership.workspace_id, since=since, until=until)
            .values("ticket__product__name", "ticket__category__name", "ticket__category__parent__name", "kind")
            .annotate(n=Count("id"), total=Sum("amount"))
            .order_by("ticket__product__name", "ticket__category__parent__name", "ticket__category__name", "kind"))
    return _report_rows(rows, unclassified="")


def product_remedies(*, workspace_id: int, product_id: int, since: datetime, until: datetime) -> list[ReportRow]:
    """Approved and issued remedies of one product's tickets in [since, until), per reason and kind (for the
    VoC product report)."""
    rows = (_paid_remedies(workspace_id=workspace_id, since=since, until=until).filter(ticket__product_id=product_id)
            .values("ticket__category__name", "ticket__category__parent__name", "kind")
            .annotate(n=Count("id"), total=Sum("amount"))
            .order_by("-total", "ticket__category__name", "kind"))
    return _report_rows(rows, unclassified="미분류")


def counts(*, membership: Membership) -> dict[str, int]:
    """Figures for the complaints page head: one query per table."""
    ws = membership.workspace_id
    return {
        "escalations": Escalation.objects.filter(workspace_id=ws).exclude(status=EscalationStatus.RESOLVED).count(),
        "breached": Escalation.objects.filter(workspace_id=ws, breached=True).exclude(
            status=EscalationStatus.RESOLVED).count(),
        "pending": Remedy.objects.filter(workspace_id=ws, status=RemedyStatus.PENDING).count(),
        "regulator": RegulatorComplaint.objects.filter(workspace_id=ws, status__in=REGULATOR_OPEN).count(),
    }


def d_day(due: date, today: date) -> str:
    days = (due - today).days
    if days == 0:
        return "D-day"
    return f"D-{days}" if days > 0 else f"D+{-days}"


def ticket_for_number(*, membership: Membership, number: int) -> Ticket:
    return _one(Ticket.objects.filter(workspace_id=membership.workspace_id).select_related("workspace", "team"),
                number=number)
