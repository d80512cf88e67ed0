"""Every read of tickets, customers and calls, scoped by the reader's membership."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from cxops.core.models import Membership, Role
from cxops.core.phones import normalize_phone
from cxops.core.services import ServiceError
from cxops.tickets import search
from cxops.tickets.models import (
    DONE_STATUSES,
    OPEN_STATUSES,
    Call,
    Category,
    Channel,
    Customer,
    Macro,
    Message,
    MessageKind,
    Priority,
    Product,
    SavedView,
    Status,
    Tag,
    Ticket,
    TicketType,
    Webhook,
    WorkspaceStatus,
)

# Built-in inbox views: key → (Korean label, filters).
BUILTIN_VIEWS: dict[str, tuple[str, dict[str, Any]]] = {
    "mine": ("내 티켓", {"assignee": "me", "status": ["new", "open", "pending", "on_hold"]}),
    "unassigned": ("미배정", {"assignee": "none", "status": ["new", "open"]}),
    "open": ("진행 중 전체", {"status": ["new", "open", "on_hold"]}),
    "pending": ("고객 응답 대기", {"status": ["pending"]}),
    "solved": ("최근 해결", {"status": ["solved", "closed"], "updated_days": 7}),
    "all": ("전체", {}),
}


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v) != ""]
    return [v for v in str(value).split(",") if v]


def _as_date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ServiceError(f"{name} 날짜 형식이 올바르지 않습니다 (예: 2026-11-23): {value}") from exc


def _as_int(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError as exc:
        raise ServiceError(f"{name} 값은 숫자여야 합니다: {value}") from exc


@dataclass
class InboxFilters:
    """Validated inbox filters; the same object backs the UI, saved views, the API and the CLI."""

    status: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    channel: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    assignee: str = ""  # "me", "none", or a user id
    team: str = ""
    category: str = ""
    product: str = ""
    tag: str = ""
    created_from: date | None = None
    created_to: date | None = None
    updated_days: int | None = None
    q: str = ""

    SORTS: ClassVar[dict[str, str]] = {
        "updated_at": "updated_at", "created_at": "created_at", "number": "number", "priority": "priority",
        "sla_due": "sla_next_due_at",
    }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> InboxFilters:
        def choices(key: str, allowed: list[str]) -> list[str]:
            values = _as_list(data.get(key))
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ServiceError(f"{key} 값이 올바르지 않습니다: {', '.join(bad)}")
            return values

        updated_days = data.get("updated_days")
        return cls(
            status=choices("status", list(Status.values)),
            priority=choices("priority", list(Priority.values)),
            channel=choices("channel", list(Channel.values)),
            type=choices("type", list(TicketType.values)),
            assignee=str(data.get("assignee") or ""),
            team=str(data.get("team") or ""),
            category=str(data.get("category") or ""),
            product=str(data.get("product") or ""),
            tag=str(data.get("tag") or ""),
            created_from=_as_date(data.get("created_from"), "시작"),
            created_to=_as_date(data.get("created_to"), "종료"),
            updated_days=_as_int(updated_days, "updated_days"),
            q=str(data.get("q") or "").strip()[:200],
        )

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, "", []):
                continue
            out[f.name] = value.isoformat() if isinstance(value, date) else value
        return out


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise ServiceError(f"숫자가 필요합니다: {value}") from exc


def tickets_visible(*, membership: Membership) -> QuerySet[Ticket]:
    return Ticket.objects.filter(workspace_id=membership.workspace_id)


def inbox_queryset(*, membership: Membership, filters: InboxFilters, sort: str = "-updated_at",
                   now: datetime | None = None) -> QuerySet[Ticket]:
    qs = tickets_visible(membership=membership)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.priority:
        qs = qs.filter(priority__in=filters.priority)
    if filters.channel:
        qs = qs.filter(channel__in=filters.channel)
    if filters.type:
        qs = qs.filter(type__in=filters.type)
    if filters.assignee == "me":
        qs = qs.filter(assignee_id=membership.user_id)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=_int_or_404(filters.assignee))
    if filters.team:
        qs = qs.filter(team_id=_int_or_404(filters.team))
    if filters.category:
        category_id = _int_or_404(filters.category)
        qs = qs.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))
    if filters.product:
        qs = qs.filter(product_id=_int_or_404(filters.product))
    if filters.tag:
        qs = qs.filter(tags__workspace_id=membership.workspace_id, tags__name=filters.tag)
    tz = ZoneInfo(membership.workspace.timezone)
    if filters.created_from:
        qs = qs.filter(created_at__gte=datetime.combine(filters.created_from, time.min, tzinfo=tz))
    if filters.created_to:
        qs = qs.filter(created_at__lt=datetime.combine(filters.created_to + timedelta(days=1), time.min, tzinfo=tz))
    if filters.updated_days:
        from django.utils import timezone

        qs = qs.filter(updated_at__gte=(now or timezone.now()) - timedelta(days=filters.updated_days))
    if filters.q:
        hits = search.search_ticket_ids(workspace_id=membership.workspace_id, query=filters.q,
                                        include_notes=membership.role != Role.CLIENT_VIEWER, limit=500)
        qs = qs.filter(pk__in=[h.ticket_id for h in hits])
    key = sort.lstrip("-")
    if key not in InboxFilters.SORTS:
        raise ServiceError(f"알 수 없는 정렬입니다: {sort}")
    descending = sort.startswith("-")
    if key == "priority":
        # Priority is stored as text; urgent first means a custom order (indexed: see Ticket.Meta).
        from cxops.tickets.models import priority_rank_expression

        qs = qs.annotate(priority_rank=priority_rank_expression())
        order = ("-priority_rank" if descending else "priority_rank", "-updated_at")
    elif key == "sla_due":
        # The next SLA deadline; tickets without a running clock last either way.
        from django.db.models import F

        due = F("sla_next_due_at")
        return qs.order_by(due.desc(nulls_last=True) if descending else due.asc(nulls_last=True),
                           "-id" if descending else "id")
    else:
        column = InboxFilters.SORTS[key]
        order = (f"-{column}" if descending else column, "-id" if descending else "id")
    return qs.order_by(*order)


INBOX_ROW_FIELDS = (
    "id", "workspace_id", "number", "subject", "channel", "status", "priority", "type", "message_count",
    "created_at", "updated_at", "customer_id", "assignee_id", "category_id", "custom_status_id",
    "customer__id", "customer__name", "assignee__id", "assignee__email", "assignee__display_name",
    "category__id", "category__name", "category__parent_id", "category__parent__id", "category__parent__name",
    "custom_status__id", "custom_status__name",
    # The SLA badge (cxops.sla.templatetags.sla).
    "team_id", "sla_policy_id", "sla_next_due_at", "sla_next_check_at", "sla_paused_at", "sla_flags",
)


def inbox_page(*, membership: Membership, filters: InboxFilters, sort: str = "-updated_at", page: int = 1,
               per_page: int = 50) -> tuple[list[Ticket], bool]:
    """One page of the inbox with everything a row shows, in a fixed number of queries."""
    qs = inbox_queryset(membership=membership, filters=filters, sort=sort)
    offset = (max(page, 1) - 1) * per_page
    rows = list(
        # Only what a row shows: product and team are filters, not columns; the customer's JSON
        # fields and notes are not decoded for a list.
        qs.select_related("customer", "assignee", "category", "category__parent", "custom_status")
        .only(*INBOX_ROW_FIELDS)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))[offset: offset + per_page + 1]
    )
    has_next = len(rows) > per_page
    return rows[:per_page], has_next


def view_counts(*, membership: Membership) -> dict[str, int]:
    """Counts for the built-in views in the sidebar (one query)."""
    from django.db.models import Count

    qs = tickets_visible(membership=membership).filter(status__in=OPEN_STATUSES)
    agg = qs.aggregate(
        mine=Count("id", filter=Q(assignee_id=membership.user_id) & ~Q(status__in=DONE_STATUSES)),
        unassigned=Count("id", filter=Q(assignee__isnull=True, status__in=[Status.NEW, Status.OPEN])),
        open=Count("id", filter=Q(status__in=[Status.NEW, Status.OPEN, Status.ON_HOLD])),
        pending=Count("id", filter=Q(status=Status.PENDING)),
    )
    return {k: int(v or 0) for k, v in agg.items()}


def ticket_get(*, membership: Membership, number: int) -> Ticket:
    ticket = (
        tickets_visible(membership=membership)
        .select_related("workspace", "customer", "assignee", "category", "category__parent", "product", "team",
                        "custom_status")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_timeline(*, membership: Membership, ticket: Ticket) -> list[Message]:
    if ticket.workspace_id != membership.workspace_id:
        raise Http404
    qs = ticket.messages.select_related("author").prefetch_related("attachments")
    if membership.role == Role.CLIENT_VIEWER:
        qs = qs.exclude(kind=MessageKind.NOTE)
    return list(qs.order_by("created_at", "id"))


def public_timeline(*, ticket: Ticket) -> list[Message]:
    """What the customer sees on their private link: their messages and our replies, nothing internal."""
    return list(ticket.messages.filter(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
                .prefetch_related("attachments").order_by("created_at", "id"))


def customer_history(*, membership: Membership, customer: Customer, exclude_ticket_id: int | None = None,
                     limit: int = 10) -> tuple[list[Ticket], list[Call]]:
    if customer.workspace_id != membership.workspace_id:
        raise Http404
    tickets = Ticket.objects.filter(workspace_id=membership.workspace_id, customer=customer)
    if exclude_ticket_id:
        tickets = tickets.exclude(pk=exclude_ticket_id)
    calls = (Call.objects.filter(workspace_id=membership.workspace_id, customer=customer)
             .select_related("agent", "category", "ticket").order_by("-started_at"))
    return list(tickets.order_by("-created_at")[:limit]), list(calls[:limit])


def customers_list(*, membership: Membership, query: str = "") -> QuerySet[Customer]:
    qs = Customer.objects.filter(workspace_id=membership.workspace_id, merged_into__isnull=True)
    query = query.strip()
    if query:
        phone = normalize_phone(query)
        if phone:
            qs = qs.filter(identities__kind="phone", identities__value=phone)
        elif "@" in query:
            qs = qs.filter(identities__kind="email", identities__value=query.lower())
        else:
            qs = qs.filter(Q(name__icontains=query) | Q(identities__value=query)).distinct()
    return qs.order_by("-updated_at", "-id")


def customer_get(*, membership: Membership, customer_id: int) -> Customer:
    customer = Customer.objects.filter(workspace_id=membership.workspace_id, pk=customer_id).first()
    if customer is None:
        raise Http404
    return customer


def customer_by_phone(*, membership: Membership, phone: str) -> Customer | None:
    normalized = normalize_phone(phone)
    if not normalized:
        return None
    customer = Customer.objects.filter(workspace_id=membership.workspace_id, identities__kind="phone",
                                       identities__value=normalized).first()
    while customer is not None and customer.merged_into_id:
        customer = Customer.objects.filter(pk=customer.merged_into_id).first()
    return customer


def calls_list(*, membership: Membership) -> QuerySet[Call]:
    return (Call.objects.filter(workspace_id=membership.workspace_id)
            .select_related("customer", "agent", "category", "ticket").order_by("-started_at", "-id"))


def call_get(*, membership: Membership, call_id: int) -> Call:
    call = calls_list(membership=membership).filter(pk=call_id).first()
    if call is None:
        raise Http404
    return call


def macros_list(*, membership: Membership) -> QuerySet[Macro]:
    return Macro.objects.filter(workspace_id=membership.workspace_id).select_related("category")


def macro_get(*, membership: Membership, macro_id: int) -> Macro:
    macro = macros_list(membership=membership).filter(pk=macro_id).first()
    if macro is None:
        raise Http404
    return macro


def saved_views(*, membership: Membership) -> QuerySet[SavedView]:
    return SavedView.objects.filter(workspace_id=membership.workspace_id).filter(
        Q(owner__isnull=True) | Q(owner_id=membership.user_id))


def saved_view_get(*, membership: Membership, view_id: int) -> SavedView:
    view = saved_views(membership=membership).filter(pk=view_id).first()
    if view is None:
        raise Http404
    return view


def categories(*, membership: Membership) -> list[Category]:
    return list(Category.objects.filter(workspace_id=membership.workspace_id).select_related("parent")
                .order_by("parent__position", "parent_id", "position", "name"))


def products(*, membership: Membership) -> QuerySet[Product]:
    return Product.objects.filter(workspace_id=membership.workspace_id, is_active=True)


def workspace_statuses(*, membership: Membership) -> QuerySet[WorkspaceStatus]:
    return WorkspaceStatus.objects.filter(workspace_id=membership.workspace_id)


def webhooks_list(*, membership: Membership) -> QuerySet[Webhook]:
    return Webhook.objects.filter(workspace_id=membership.workspace_id).order_by("-created_at")


def webhook_get(*, membership: Membership, webhook_id: int) -> Webhook:
    hook = webhooks_list(membership=membership).filter(pk=webhook_id).first()
    if hook is None:
        raise Http404
    return hook


@dataclass(frozen=True)
class SearchResult:
    ticket: Ticket
    score: float


def ticket_search(*, membership: Membership, query: str, limit: int = 20) -> list[SearchResult]:
    hits = search.search_ticket_ids(workspace_id=membership.workspace_id, query=query,
                                    include_notes=membership.role != Role.CLIENT_VIEWER, limit=limit)
    by_id = {t.pk: t for t in tickets_visible(membership=membership).filter(pk__in=[h.ticket_id for h in hits])
             .select_related("customer", "assignee", "category")}
    return [SearchResult(by_id[h.ticket_id], h.score) for h in hits if h.ticket_id in by_id]


# --- public pages (inquiry board, customer's private link) --------------------------------------

def public_categories(*, workspace_id: int) -> list[Category]:
    """Categories offered on the public inquiry form, in display order, each shown as "상위 > 하위".

    A public parent with public children offers the children; one without offers itself. Children
    of a hidden parent stay hidden.
    """
    rows = list(Category.objects.filter(workspace_id=workspace_id, is_public=True).select_related("parent")
                .order_by("position", "name"))
    parents = [c for c in rows if c.parent_id is None]
    children: dict[int, list[Category]] = {}
    for category in rows:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    offered: list[Category] = []
    for parent in parents:
        offered.extend(children.get(parent.pk) or [parent])
    return offered


def portal_ticket_get(*, workspace_id: int, ticket_id: int) -> Ticket:
    """The ticket a customer's private link opens (the caller has verified the link's token)."""
    ticket = (Ticket.objects.filter(workspace_id=workspace_id, pk=ticket_id)
              .select_related("workspace", "customer", "category", "category__parent").first())
    if ticket is None:
        raise Http404
    return ticket


def public_attachment_get(*, ticket: Ticket, attachment_id: int) -> Any:
    """An attachment of one of the ticket's public messages (never of a note); 404 otherwise."""
    from cxops.tickets.models import Attachment

    attachment = (Attachment.objects.filter(pk=attachment_id, workspace_id=ticket.workspace_id,
                                            message__ticket_id=ticket.pk,
                                            message__kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
                  .first())
    if attachment is None:
        raise Http404
    return attachment


# --- agent UI reads (sidebar, call log filters, attachments, webhook log) -----------------------

def sidebar_counts(*, membership: Membership, now: datetime | None = None) -> dict[str, int]:
    """Counts for the sidebar in one query: the built-in views, recently solved, open per channel."""
    from django.db.models import Count
    from django.utils import timezone

    since = (now or timezone.now()) - timedelta(days=int(BUILTIN_VIEWS["solved"][1]["updated_days"]))
    # Two index-only counts: open tickets on (workspace, status, channel, assignee), recently
    # solved ones on (workspace, status, updated_at). One query with an OR would scan the
    # workspace's whole history.
    open_qs = tickets_visible(membership=membership).filter(status__in=OPEN_STATUSES)
    aggregates: dict[str, Any] = {
        "mine": Count("id", filter=Q(assignee_id=membership.user_id)),
        "unassigned": Count("id", filter=Q(assignee__isnull=True, status__in=[Status.NEW, Status.OPEN])),
        "open": Count("id", filter=Q(status__in=[Status.NEW, Status.OPEN, Status.ON_HOLD])),
        "pending": Count("id", filter=Q(status=Status.PENDING)),
    }
    for channel in Channel.values:
        aggregates[f"channel_{channel}"] = Count("id", filter=Q(channel=channel))
    counts = {key: int(value or 0) for key, value in open_qs.aggregate(**aggregates).items()}
    counts["solved"] = tickets_visible(membership=membership).filter(
        status__in=DONE_STATUSES, updated_at__gte=since).count()
    return counts


def saved_view_counts(*, membership: Membership, views: list[SavedView]) -> dict[int, int | None]:
    """Ticket count of each saved view (None when its stored filters no longer validate)."""
    counts: dict[int, int | None] = {}
    for view in views:
        try:
            filters = InboxFilters.from_mapping(view.filters)
            counts[view.pk] = inbox_queryset(membership=membership, filters=filters).order_by().count()
        except ServiceError:
            counts[view.pk] = None
    return counts


def calls_filtered(*, membership: Membership, date_from: date | None = None, date_to: date | None = None,
                   agent_id: int | None = None, outcome: str = "", direction: str = "") -> QuerySet[Call]:
    """The call log of a workspace, narrowed by day (workspace time zone), agent, outcome, direction."""
    qs = calls_list(membership=membership)
    tz = ZoneInfo(membership.workspace.timezone)
    if date_from:
        qs = qs.filter(started_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(started_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    if agent_id:
        qs = qs.filter(agent_id=agent_id)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if direction:
        qs = qs.filter(direction=direction)
    return qs


def attachment_get(*, membership: Membership, attachment_id: int) -> Any:
    """An attachment of this workspace; client viewers never get files of internal notes."""
    from cxops.tickets.models import Attachment

    qs = Attachment.objects.filter(workspace_id=membership.workspace_id, pk=attachment_id).select_related(
        "message__ticket")
    if membership.role == Role.CLIENT_VIEWER:
        qs = qs.exclude(message__kind=MessageKind.NOTE)
    attachment = qs.first()
    if attachment is None:
        raise Http404
    return attachment


def webhook_deliveries(*, membership: Membership, webhook: Webhook, limit: int = 100) -> list[Any]:
    if webhook.workspace_id != membership.workspace_id:
        raise Http404
    return list(webhook.deliveries.order_by("-created_at", "-id")[:limit])


def tag_names(*, membership: Membership, limit: int = 500) -> list[str]:
    return list(Tag.objects.filter(workspace_id=membership.workspace_id).order_by("name")
                .values_list("name", flat=True)[:limit])


def ticket_get_by_external_id(*, membership: Membership, external_id: str) -> Ticket | None:
    """The ticket an integration created with this id of its own (idempotent creates)."""
    return tickets_visible(membership=membership).filter(external_id=external_id).first()


def message_get_by_external_id(*, membership: Membership, external_id: str) -> Message | None:
    """The message an integration recorded with this id of its own (idempotent posts)."""
    if not external_id:
        return None
    return (Message.objects.filter(workspace_id=membership.workspace_id, external_id=external_id[:250])
            .select_related("ticket").first())


def webhook_delivery_queryset(*, membership: Membership, webhook: Webhook) -> QuerySet[Any]:
    """All deliveries of a webhook, newest first, for paging through the log."""
    if webhook.workspace_id != membership.workspace_id:
        raise Http404
    return webhook.deliveries.order_by("-created_at", "-id")
