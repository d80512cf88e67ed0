"""Every read of the insights app, scoped by the caller's membership (its workspace)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cxops.core.models import Membership
from cxops.insights.labels import FIELDS, LabelSpace
from cxops.insights.matching import DEFAULT_REASON_KEYWORDS
from cxops.insights.models import (
    ReasonKeywords,
    ReportSubscription,
    SuggestionStatus,
    TicketTagSuggestion,
    TrainedModel,
    TrendAlert,
)
from cxops.tickets.models import Category, Product, Ticket


def suggestions_for_ticket(*, membership: Membership, ticket: Ticket) -> list[TicketTagSuggestion]:
    if ticket.workspace_id != membership.workspace_id:
        raise Http404
    order = {name: i for i, name in enumerate(FIELDS)}
    rows = list(TicketTagSuggestion.objects.filter(workspace_id=membership.workspace_id, ticket=ticket))
    return sorted(rows, key=lambda s: order.get(s.field, 9))


def suggestion_get(*, membership: Membership, suggestion_id: int) -> TicketTagSuggestion:
    found = (TicketTagSuggestion.objects.filter(workspace_id=membership.workspace_id, pk=suggestion_id)
             .select_related("ticket").first())
    if found is None:
        raise Http404
    return found


def label_choices(*, membership: Membership, field: str) -> list[tuple[str, str]]:
    space = LabelSpace.load(membership.workspace_id, field)
    return sorted(((label, space.display(label)) for label in space.value_of), key=lambda kv: kv[1])


def alerts_list(*, membership: Membership, limit: int = 100) -> QuerySet[TrendAlert]:
    return TrendAlert.objects.filter(workspace_id=membership.workspace_id).select_related("workspace")[:limit]


def alert_get(*, membership: Membership, alert_id: int) -> TrendAlert:
    found = TrendAlert.objects.filter(workspace_id=membership.workspace_id, pk=alert_id).select_related(
        "workspace").first()
    if found is None:
        raise Http404
    return found


def products_list(*, membership: Membership, q: str = "") -> QuerySet[Product]:
    qs = Product.objects.filter(workspace_id=membership.workspace_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("name")


def product_get(*, membership: Membership, product_id: int) -> Product:
    found = Product.objects.filter(workspace_id=membership.workspace_id, pk=product_id).first()
    if found is None:
        raise Http404
    return found


@dataclass
class ReasonNode:
    category: Category
    keywords: list[str]
    default_keywords: bool
    children: list[ReasonNode]
    tickets: int


def reasons_tree(*, membership: Membership) -> list[ReasonNode]:
    rows = list(Category.objects.filter(workspace_id=membership.workspace_id).order_by("position", "name"))
    own = dict(ReasonKeywords.objects.filter(workspace_id=membership.workspace_id)
               .values_list("category_id", "keywords"))
    counts = dict(Ticket.objects.filter(workspace_id=membership.workspace_id, category__isnull=False)
                  .values_list("category_id").annotate(n=Count("id")).order_by())

    def node(c: Category) -> ReasonNode:
        keywords = own.get(c.pk)
        default = keywords is None and c.parent_id is not None and c.name in DEFAULT_REASON_KEYWORDS
        if keywords is None:
            keywords = DEFAULT_REASON_KEYWORDS.get(c.name, []) if c.parent_id is not None else []
        return ReasonNode(c, [str(k) for k in keywords], default, [], counts.get(c.pk, 0))

    tops = [node(c) for c in rows if c.parent_id is None]
    by_id = {n.category.pk: n for n in tops}
    for c in rows:
        if c.parent_id is not None and c.parent_id in by_id:
            by_id[c.parent_id].children.append(node(c))
    return tops


def category_get(*, membership: Membership, category_id: int) -> Category:
    found = Category.objects.filter(workspace_id=membership.workspace_id, pk=category_id).first()
    if found is None:
        raise Http404
    return found


@dataclass
class FieldModel:
    field: str
    active: TrainedModel | None
    history: list[TrainedModel]
    labelled: int
    decided: int
    corrected: int

    @property
    def agreement(self) -> float | None:
        """Share of agent decisions that confirmed the suggestion."""
        return None if not self.decided else (self.decided - self.corrected) / self.decided


def models_overview(*, membership: Membership) -> list[FieldModel]:
    ws = membership.workspace_id
    tickets = Ticket.objects.filter(workspace_id=ws)
    labelled = {"category": tickets.filter(category__isnull=False).count(),
                "product": tickets.filter(product__isnull=False).count(),
                "type": tickets.count()}
    decisions: dict[str, dict[str, int]] = {}
    for field, status, n in (TicketTagSuggestion.objects.filter(workspace_id=ws).exclude(status=SuggestionStatus.SUGGESTED)
                             .values_list("field", "status").annotate(n=Count("id")).order_by()):
        decisions.setdefault(field, {})[status] = n
    out = []
    for field in FIELDS:
        history = list(TrainedModel.objects.filter(workspace_id=ws, field=field).defer("data")
                       .order_by("-created_at", "-id")[:5])
        active = next((m for m in history if m.active), None)
        d = decisions.get(field, {})
        out.append(FieldModel(field, active, history, labelled[field], sum(d.values()),
                              d.get(SuggestionStatus.CORRECTED, 0)))
    return out


def subscriptions_for(*, membership: Membership, product: Product) -> QuerySet[ReportSubscription]:
    return ReportSubscription.objects.filter(workspace_id=membership.workspace_id, product=product).order_by("pk")


def subscription_get(*, membership: Membership, subscription_id: int) -> ReportSubscription:
    found = ReportSubscription.objects.filter(workspace_id=membership.workspace_id, pk=subscription_id).select_related(
        "workspace").first()
    if found is None:
        raise Http404
    return found


def product_complaint_counts(*, membership: Membership, since: Any) -> list[tuple[str, int, int]]:
    """(product name, product id, complaints) since a time, most first."""
    rows = (Ticket.objects.filter(workspace_id=membership.workspace_id, created_at__gte=since, type="complaint",
                                  product__isnull=False)
            .values_list("product__name", "product_id").annotate(n=Count("id")).order_by("-n")[:15])
    return [(name, pid, n) for name, pid, n in rows]
