"""Customers, tickets and their timelines, calls, macros, saved views, webhooks and the search index."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cxops.core.models import Team, Workspace


class Channel(models.TextChoices):
    BOARD = "board", _("게시판")
    PHONE = "phone", _("전화")
    EMAIL = "email", _("이메일")
    CHAT = "chat", _("채팅")
    MARKETPLACE = "marketplace", _("마켓 문의")
    MESSENGER = "messenger", _("메신저")
    API = "api", _("API")
    IMPORT = "import", _("가져오기")


class Status(models.TextChoices):
    NEW = "new", _("신규")
    OPEN = "open", _("진행 중")
    PENDING = "pending", _("고객 응답 대기")
    ON_HOLD = "on_hold", _("보류")
    SOLVED = "solved", _("해결")
    CLOSED = "closed", _("종료")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


# Priority is stored as text; "urgent first" is this order. The inbox sorts by this expression and
# the indexes below are built on the very same expression, so PostgreSQL walks them instead of
# ranking every ticket of a workspace.
PRIORITY_RANKS = (("low", 0), ("normal", 1), ("high", 2), ("urgent", 3))


def priority_rank_expression() -> models.Case:
    return models.Case(*[models.When(priority=p, then=models.Value(rank)) for p, rank in PRIORITY_RANKS],
                       output_field=models.IntegerField())
DONE_STATUSES = (Status.SOLVED, Status.CLOSED)


class Priority(models.TextChoices):
    LOW = "low", _("낮음")
    NORMAL = "normal", _("보통")
    HIGH = "high", _("높음")
    URGENT = "urgent", _("긴급")


PRIORITY_ORDER = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class TicketType(models.TextChoices):
    INQUIRY = "inquiry", _("문의")
    COMPLAINT = "complaint", _("불만")
    REQUEST = "request", _("요청")
    INCIDENT = "incident", _("장애")
    SUGGESTION = "suggestion", _("제안")


class Customer(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(_("이름"), max_length=120, blank=True)
    phones = models.JSONField(default=list, blank=True, help_text="Normalised national digits.")
    emails = models.JSONField(default=list, blank=True)
    external_ids = models.JSONField(default=dict, blank=True, help_text='{"mall_user_id": "...", "orders": [...]}')
    notes = models.TextField(_("메모"), blank=True)
    tier = models.CharField(_("등급"), max_length=30, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        return self.name or (self.phones[0] if self.phones else (self.emails[0] if self.emails else f"#{self.pk}"))


class IdentityKind(models.TextChoices):
    PHONE = "phone", _("전화번호")
    EMAIL = "email", _("이메일")
    MALL_USER = "mall_user", _("쇼핑몰 아이디")
    ORDER = "order", _("주문번호")


class CustomerIdentity(models.Model):
    """One way to recognise a customer again (a phone number, an email, an order number)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=20, choices=IdentityKind.choices)
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "value"], name="uniq_customer_identity")
        ]


class Category(models.Model):
    """Inquiry category (문의 유형), two levels: "배송 > 배송지연"."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("이름"), max_length=80)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    is_public = models.BooleanField(default=True, help_text="Offered on the inquiry form.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "parent", "name"], name="uniq_category")]

    def __str__(self) -> str:
        return f"{self.parent.name} > {self.name}" if self.parent_id and self.parent else self.name


class Product(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("이름"), max_length=160)
    code = models.CharField(_("상품 코드"), max_length=60, blank=True)
    aliases = models.JSONField(default=list, blank=True)
    product_type = models.CharField(_("상품 유형"), max_length=60, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_product_name")]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_tag")]

    def __str__(self) -> str:
        return self.name


class WorkspaceStatus(models.Model):
    """A workspace's own status name ("배송사 확인 중") mapped onto one of the base statuses."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=60)
    base_status = models.CharField(max_length=20, choices=Status.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_ws_status")]

    def __str__(self) -> str:
        return self.name


class CustomFieldKind(models.TextChoices):
    TEXT = "text", _("텍스트")
    NUMBER = "number", _("숫자")
    DATE = "date", _("날짜")
    CHOICE = "choice", _("선택")
    CHECKBOX = "checkbox", _("체크박스")


class CustomField(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="custom_fields")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=CustomFieldKind.choices, default=CustomFieldKind.TEXT)
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="uniq_custom_field")]


class Ticket(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tickets")
    # Empty only inside the transaction that creates the ticket (see services.ticket_create).
    number: models.PositiveIntegerField[int | None, int] = models.PositiveIntegerField(null=True)  # type: ignore[misc]
    external_id = models.CharField(max_length=120, null=True, blank=True)
    subject = models.CharField(_("제목"), max_length=250)
    channel = models.CharField(_("채널"), max_length=20, choices=Channel.choices, default=Channel.BOARD)
    status = models.CharField(_("상태"), max_length=20, choices=Status.choices, default=Status.NEW)
    custom_status = models.ForeignKey(WorkspaceStatus, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    priority = models.CharField(_("우선순위"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    type = models.CharField(_("유형"), max_length=20, choices=TicketType.choices, default=TicketType.INQUIRY)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_tickets")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets")
    custom_fields = models.JSONField(default=dict, blank=True)
    order_number = models.CharField(_("주문번호"), max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    # SLA clocks (kept by cxops.sla.clocks; see there). The due fields are the deadlines of the
    # current policy; `sla_next_due_at` is the earliest of the running ones (inbox sort) and
    # `sla_next_check_at` the next warning or breach moment the minute job must look at.
    sla_policy = models.ForeignKey("sla.SlaPolicy", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_reply_due_at = models.DateTimeField(null=True, blank=True)
    sla_reply_from = models.DateTimeField(null=True, blank=True, help_text="The unanswered customer message the "
                                                                           "next-reply clock runs from.")
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_next_due_at = models.DateTimeField(null=True, blank=True)
    sla_next_check_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(default=0, help_text="Business seconds spent in pause statuses.")
    sla_flags = models.PositiveSmallIntegerField(default=0, help_text="Warnings and breaches already recorded "
                                                                      "for the current deadlines (bit set).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="uniq_ticket_number"),
            models.UniqueConstraint(fields=["workspace", "external_id"], name="uniq_ticket_external_id",
                                    condition=models.Q(external_id__isnull=False)),
        ]
        indexes = [
            # Inbox views: a status set within a workspace, newest activity first.
            models.Index(fields=["workspace", "status", "-updated_at"], name="tk_ws_status_upd"),
            models.Index(fields=["workspace", "assignee", "status", "-updated_at"], name="tk_ws_asg_status_upd"),
            models.Index(fields=["workspace", "channel", "status", "-updated_at"], name="tk_ws_chan_status_upd"),
            models.Index(fields=["workspace", "-updated_at"], name="tk_ws_upd"),
            models.Index(fields=["workspace", "-created_at"], name="tk_ws_created"),
            models.Index(fields=["workspace", "customer", "-created_at"], name="tk_ws_customer"),
            # Open tickets are a few percent of a workspace's history: views over them (oldest first,
            # newest created …) walk these instead of skipping past every solved ticket.
            models.Index(fields=["workspace", "updated_at"], name="tk_open_ws_upd",
                         condition=models.Q(status__in=list(OPEN_STATUSES))),
            models.Index(fields=["workspace", "created_at"], name="tk_open_ws_created",
                         condition=models.Q(status__in=list(OPEN_STATUSES))),
            # Sidebar counts of open tickets (per status, channel, assignee) read this index alone.
            models.Index(fields=["workspace", "status", "channel", "assignee"], name="tk_ws_status_chan_asg"),
            # Priority sort (urgent first, newest activity first): open tickets, and all of them.
            models.Index(models.F("workspace"), priority_rank_expression().desc(), models.F("updated_at").desc(),
                         name="tk_open_ws_prio_upd", condition=models.Q(status__in=list(OPEN_STATUSES))),
            models.Index(models.F("workspace"), priority_rank_expression().desc(), models.F("updated_at").desc(),
                         name="tk_ws_prio_upd"),
            # SLA: the inbox sorted by the next deadline (open tickets), and the minute job's queue.
            models.Index(fields=["workspace", "status", "sla_next_due_at"], name="tk_ws_status_sla_due"),
            models.Index(fields=["workspace", "sla_next_due_at"], name="tk_open_ws_sla_due",
                         condition=models.Q(status__in=list(OPEN_STATUSES))),
            models.Index(fields=["sla_next_check_at"], name="tk_sla_check",
                         condition=models.Q(sla_next_check_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # Labels from plain dicts: Django's get_FOO_display() rebuilds a hashable copy of the choices
    # on every call, which adds up on a 50-row inbox page.
    @property
    def status_label(self) -> str:
        if self.custom_status_id and self.custom_status:
            return self.custom_status.name
        return str(_STATUS_LABELS.get(self.status, self.status))

    @property
    def channel_label(self) -> str:
        return str(_CHANNEL_LABELS.get(self.channel, self.channel))

    @property
    def priority_label(self) -> str:
        return str(_PRIORITY_LABELS.get(self.priority, self.priority))


_STATUS_LABELS = dict(Status.choices)
_CHANNEL_LABELS = dict(Channel.choices)
_PRIORITY_LABELS = dict(Priority.choices)


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("고객 메시지")
    REPLY = "reply", _("답변")
    NOTE = "note", _("내부 메모")
    EVENT = "event", _("시스템 기록")


class DeliveryStatus(models.TextChoices):
    NONE = "", _("해당 없음")
    PENDING = "pending", _("발송 대기")
    SENT = "sent", _("발송됨")
    FAILED = "failed", _("발송 실패")


class Message(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    author_name = models.CharField(max_length=120, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitised HTML.")
    external_id = models.CharField(max_length=250, blank=True, help_text="Message-ID or the channel's own id.")
    delivery_status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default="", blank=True)
    delivery_error = models.TextField(blank=True)
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="msg_ticket_created"),
            # Ingest is idempotent on the channel's message id, and threads follow In-Reply-To.
            models.Index(fields=["workspace", "external_id"], name="msg_ws_external",
                         condition=~models.Q(external_id="")),
        ]

    @property
    def is_public(self) -> bool:
        return self.kind in (MessageKind.CUSTOMER, MessageKind.REPLY)


def attachment_path(instance: Attachment, filename: str) -> str:
    now = timezone.now()
    return f"attachments/{instance.workspace_id}/{now:%Y/%m}/{filename}"


class Attachment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=250)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("수신")
    OUTBOUND = "outbound", _("발신")


class CallOutcome(models.TextChoices):
    RESOLVED = "resolved", _("통화 중 해결")
    FOLLOW_UP = "follow_up", _("후속 처리 필요")
    NO_ANSWER = "no_answer", _("부재/연결 안 됨")


class Call(models.Model):
    """A logged phone call (전화상담 기록): a first-class record, counted in reports."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="calls")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls")
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    direction = models.CharField(max_length=10, choices=CallDirection.choices, default=CallDirection.INBOUND)
    phone = models.CharField(max_length=20, blank=True)
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    summary = models.TextField()
    duration_seconds = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=12, choices=CallOutcome.choices, default=CallOutcome.RESOLVED)
    started_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-started_at"], name="call_ws_started"),
            models.Index(fields=["workspace", "customer", "-started_at"], name="call_ws_customer"),
        ]


class Macro(models.Model):
    """A canned reply; {{ customer.name }}, {{ ticket.number }} and friends are filled in."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="macros")
    title = models.CharField(max_length=120)
    body = models.TextField()
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    set_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SavedView(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="saved_views")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+", help_text="Empty = shared with the workspace.")
    name = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=30, default="-updated_at")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class TicketSearchDoc(models.Model):
    """Analysed lexemes of one ticket, the source of the full-text index.

    PostgreSQL adds a generated, GIN-indexed tsvector column over these fields; SQLite an FTS5
    table kept in step by triggers (see the migrations; SQLite drops triggers whenever Django
    rebuilds this table to alter it, so such a migration must restore them). The first term of `subject` is the
    workspace token, so the index itself narrows a query to one workspace.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, primary_key=True, related_name="search_doc")
    # No index of its own: (workspace, created_at) below serves every lookup by workspace.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+", db_index=False)
    subject = models.TextField(blank=True)
    body = models.TextField(blank=True)
    people = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    # The ticket's creation time: search ranks the newest matches of a common word, and this
    # column's index is the only one that orders one workspace's documents by time.
    created_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="searchdoc_ws_created")]


class WebhookEvent(models.TextChoices):
    TICKET_CREATED = "ticket.created", "ticket.created"
    TICKET_UPDATED = "ticket.updated", "ticket.updated"
    TICKET_REPLIED = "ticket.replied", "ticket.replied"


class Webhook(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=80)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("대기")
        SUCCEEDED = "succeeded", _("성공")
        FAILED = "failed", _("실패")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
