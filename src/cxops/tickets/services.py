"""Every write to customers, tickets, messages, calls, macros, views and webhooks.

Functions take keyword-only arguments, run in one transaction, write the audit row and enqueue
follow-up jobs on commit. `by` is the acting membership (None for the system: jobs, imports).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cxops.core import audit
from cxops.core.models import Membership, Team, User, Workspace
from cxops.core.phones import normalize_phone
from cxops.core.sanitize import html_to_text, sanitize_html, text_to_html
from cxops.core.services import ServiceError
from cxops.tickets import extensions, numbering, search
from cxops.tickets.channels.base import CustomerRef, InboundAttachment, InboundMessage, adapter_for
from cxops.tickets.models import (
    OPEN_STATUSES,
    Attachment,
    Call,
    CallOutcome,
    Category,
    Channel,
    Customer,
    CustomerIdentity,
    DeliveryStatus,
    IdentityKind,
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
    WebhookEvent,
    WorkspaceStatus,
)

SYSTEM = None  # `by=SYSTEM` marks writes made by jobs, channels and imports

DEFAULT_CATEGORIES: dict[str, list[str]] = {
    "주문/결제": ["주문 확인", "결제 오류", "영수증/증빙"],
    "배송": ["배송 조회", "배송 지연", "배송지 변경", "오배송"],
    "취소/교환/반품": ["주문 취소", "교환", "반품", "환불"],
    "상품": ["상품 문의", "상품 불량", "재고/입고"],
    "회원/계정": ["로그인", "회원정보 변경", "탈퇴"],
    "기타": ["제휴/입점", "기타 문의"],
}


# --- helpers ------------------------------------------------------------------------------------

def _require_writer(by: Membership | None, workspace: Workspace) -> User | None:
    """The acting user, after checking the membership may write in this workspace."""
    if by is None:
        return None
    if by.workspace_id != workspace.pk or not by.can_write:
        raise PermissionError("이 워크스페이스에서 변경할 권한이 없습니다.")
    return by.user


WEBHOOKS_CACHE_S = 60


def _webhooks_cache_key(workspace_id: int) -> str:
    return f"cxops:has-webhooks:{workspace_id}"


def _has_webhooks(workspace_id: int) -> bool:
    """Whether the workspace has an active webhook; asked on every ticket change, so cached."""
    key = _webhooks_cache_key(workspace_id)
    found = cache.get(key)
    if found is None:
        found = Webhook.objects.filter(workspace_id=workspace_id, is_active=True).exists()
        cache.set(key, found, WEBHOOKS_CACHE_S)
    return bool(found)


def _enqueue_webhook(ticket: Ticket, event: str, extra: dict[str, Any] | None = None) -> None:
    if not _has_webhooks(ticket.workspace_id):
        return
    from cxops.tickets import jobs

    ticket_id = ticket.pk
    transaction.on_commit(lambda: jobs.webhooks_dispatch(ticket_id, event, extra or {}))


def workspace_defaults_install(*, workspace: Workspace) -> None:
    """A new workspace starts with Korean e-commerce categories and the standard saved views."""
    for position, (parent_name, children) in enumerate(DEFAULT_CATEGORIES.items()):
        parent, _ = Category.objects.get_or_create(workspace=workspace, parent=None, name=parent_name,
                                                   defaults={"position": position})
        for child_position, child in enumerate(children):
            Category.objects.get_or_create(workspace=workspace, parent=parent, name=child,
                                           defaults={"position": child_position})
    for position, (name, base) in enumerate(
        [("배송사 확인 중", Status.ON_HOLD), ("회수 대기", Status.ON_HOLD), ("고객 회신 대기", Status.PENDING)]
    ):
        WorkspaceStatus.objects.get_or_create(workspace=workspace, name=name,
                                              defaults={"base_status": base, "position": position})


# --- customers ----------------------------------------------------------------------------------

def _identities_of(ref: CustomerRef) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    phone = normalize_phone(ref.phone) if ref.phone else None
    if phone:
        found.append((IdentityKind.PHONE, phone))
    if ref.email and "@" in ref.email:
        found.append((IdentityKind.EMAIL, ref.email.strip().lower()))
    if ref.mall_user_id:
        found.append((IdentityKind.MALL_USER, ref.mall_user_id.strip()))
    for order in ref.order_numbers:
        if order.strip():
            found.append((IdentityKind.ORDER, order.strip()))
    return found


def _identity_filter(identities: Iterable[tuple[str, str]]) -> Q:
    found = Q()
    for kind, value in identities:
        found |= Q(kind=kind, value=value)
    return found


def _attach_identities(customer: Customer, identities: Iterable[tuple[str, str]],
                       known_owned: AbstractSet[tuple[str, str]] = frozenset()) -> None:
    """Give `customer` the identities no one owns yet and copy them onto the customer's fields.
    `known_owned`: identities already read as this customer's (a returning customer costs no write)."""
    wanted = list(dict.fromkeys(identities))
    if not wanted:
        return
    if set(wanted) <= known_owned:
        owned = set(wanted)
    else:
        # Insert what is new in one statement; an identity already owned by someone else stays theirs.
        CustomerIdentity.objects.bulk_create(
            [CustomerIdentity(workspace_id=customer.workspace_id, customer=customer, kind=kind, value=value)
             for kind, value in wanted],
            ignore_conflicts=True,
        )
        owned = set(CustomerIdentity.objects.filter(_identity_filter(wanted), workspace_id=customer.workspace_id,
                                                    customer=customer).values_list("kind", "value"))
    changed = False
    for kind, value in wanted:
        if (kind, value) not in owned:
            continue
        if kind == IdentityKind.PHONE and value not in customer.phones:
            customer.phones = [*customer.phones, value]
            changed = True
        elif kind == IdentityKind.EMAIL and value not in customer.emails:
            customer.emails = [*customer.emails, value]
            changed = True
        elif kind == IdentityKind.MALL_USER and customer.external_ids.get("mall_user_id") != value:
            customer.external_ids = {**customer.external_ids, "mall_user_id": value}
            changed = True
        elif kind == IdentityKind.ORDER and value not in customer.external_ids.get("orders", []):
            orders = [*customer.external_ids.get("orders", []), value]
            customer.external_ids = {**customer.external_ids, "orders": orders}
            changed = True
    if changed:
        customer.save(update_fields=["phones", "emails", "external_ids", "updated_at"])


def _customer_found(workspace: Workspace, identities: list[tuple[str, str]]
                    ) -> tuple[Customer | None, set[tuple[str, str]]]:
    """The customer these identities point to (one query), and which of them that customer owns."""
    if not identities:
        return None, set()
    rows = {(row.kind, row.value): row for row in CustomerIdentity.objects.filter(
        _identity_filter(identities), workspace=workspace).select_related("customer")}
    # Phone and email identify a person; an order number only when nothing better is known.
    for key in sorted(identities, key=lambda kv: kv[0] == IdentityKind.ORDER):
        row = rows.get(key)
        if row is not None:
            customer = row.customer
            while customer.merged_into_id is not None:
                customer = Customer.objects.get(pk=customer.merged_into_id)
            return customer, {k for k, r in rows.items() if r.customer_id == customer.pk}
    return None, set()


def customer_find(*, workspace: Workspace, ref: CustomerRef) -> Customer | None:
    return _customer_found(workspace, _identities_of(ref))[0]


def customer_find_or_create(*, workspace: Workspace, ref: CustomerRef, by: Membership | None = SYSTEM) -> Customer:
    identities = _identities_of(ref)
    with transaction.atomic():
        customer, owned = _customer_found(workspace, identities)
        if customer is None:
            customer = Customer.objects.create(workspace=workspace, name=ref.name.strip()[:120])
            audit.record(workspace=workspace, actor=by.user if by else None, action="customer.create",
                         obj=customer, actor_label="" if by else "channel")
        elif ref.name and not customer.name:
            customer.name = ref.name.strip()[:120]
            customer.save(update_fields=["name", "updated_at"])
        _attach_identities(customer, identities, known_owned=owned)
    return customer


def customer_update(*, customer: Customer, by: Membership, name: str | None = None, notes: str | None = None,
                    tier: str | None = None, add_phone: str = "", add_email: str = "") -> Customer:
    actor = _require_writer(by, customer.workspace)
    with transaction.atomic():
        before = {"name": customer.name, "notes": customer.notes, "tier": customer.tier}
        if name is not None:
            customer.name = name.strip()[:120]
        if notes is not None:
            customer.notes = notes
        if tier is not None:
            customer.tier = tier
        customer.save()
        if add_phone:
            if not normalize_phone(add_phone):
                raise ServiceError(f"전화번호 형식이 올바르지 않습니다: {add_phone}")
            _attach_identities(customer, _identities_of(CustomerRef(phone=add_phone)))
        if add_email:
            _attach_identities(customer, _identities_of(CustomerRef(email=add_email)))
        after = {"name": customer.name, "notes": customer.notes, "tier": customer.tier}
        audit.record(workspace=customer.workspace, actor=actor, action="customer.update", obj=customer,
                     changes=audit.diff(before, after))
    return customer


def customer_merge(*, source: Customer, target: Customer, by: Membership) -> Customer:
    """Move everything of `source` onto `target`; `source` stays as a pointer for old links."""
    actor = _require_writer(by, target.workspace)
    if source.workspace_id != target.workspace_id or source.pk == target.pk:
        raise ServiceError("같은 워크스페이스의 서로 다른 고객만 병합할 수 있습니다.")
    with transaction.atomic():
        Ticket.objects.filter(customer=source).update(customer=target)
        Call.objects.filter(customer=source).update(customer=target)
        CustomerIdentity.objects.filter(customer=source).update(customer=target)
        target.phones = list(dict.fromkeys([*target.phones, *source.phones]))
        target.emails = list(dict.fromkeys([*target.emails, *source.emails]))
        orders = list(dict.fromkeys([*target.external_ids.get("orders", []), *source.external_ids.get("orders", [])]))
        target.external_ids = {**source.external_ids, **target.external_ids, "orders": orders}
        if not target.name:
            target.name = source.name
        if source.notes:
            target.notes = (target.notes + "\n" + source.notes).strip()
        target.save()
        source.merged_into = target
        source.phones, source.emails, source.external_ids = [], [], {}
        source.save()
        audit.record(workspace=target.workspace, actor=actor, action="customer.merge", obj=target,
                     changes={"merged_from": [None, source.pk]})
        for ticket_id in Ticket.objects.filter(customer=target).values_list("pk", flat=True):
            search.index_ticket_id(ticket_id)
    return target


# --- tickets ------------------------------------------------------------------------------------

def _store_attachments(message: Message, attachments: Sequence[InboundAttachment]) -> None:
    if len(attachments) > settings.ATTACHMENT_MAX_COUNT:
        raise ServiceError(f"첨부 파일은 {settings.ATTACHMENT_MAX_COUNT}개까지 올릴 수 있습니다.")
    for item in attachments:
        validate_attachment(filename=item.filename, content_type=item.content_type, size=len(item.content))
        safe_name = re.sub(r"[^\w.\-가-힣 ]", "_", item.filename)[:120] or "file"
        attachment = Attachment(workspace_id=message.workspace_id, message=message, filename=item.filename[:250],
                                content_type=item.content_type, size=len(item.content))
        attachment.file.save(f"{secrets.token_hex(8)}_{safe_name}", ContentFile(item.content), save=False)
        attachment.save()


def validate_attachment(*, filename: str, content_type: str, size: int) -> None:
    if size > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ServiceError(f"'{filename}' 파일이 너무 큽니다. 파일 하나에 {limit_mb}MB까지 올릴 수 있습니다.")
    if content_type not in settings.ATTACHMENT_ALLOWED_TYPES:
        raise ServiceError(f"'{filename}' 파일 형식({content_type})은 첨부할 수 없습니다. "
                           "이미지, PDF, 엑셀, 한글, 텍스트 파일을 올려 주세요.")


def _add_message(*, ticket: Ticket, kind: str, body_text: str = "", body_html: str = "", author: User | None = None,
                 author_name: str = "", channel: str = "", external_id: str = "",
                 created_at: datetime | None = None, attachments: Sequence[InboundAttachment] = (),
                 meta: dict[str, Any] | None = None, delivery_status: str = "", counted: bool = False) -> Message:
    if body_html and not body_text:
        body_text = html_to_text(body_html)
    safe_html = sanitize_html(body_html) if body_html else text_to_html(body_text)
    message = Message.objects.create(
        workspace_id=ticket.workspace_id, ticket=ticket, kind=kind, channel=channel or ticket.channel,
        author=author, author_name=author_name or (author.label if author else ""), body_text=body_text,
        body_html=safe_html, external_id=external_id[:250], created_at=created_at or timezone.now(),
        meta=meta or {}, delivery_status=delivery_status,
    )
    if attachments:
        _store_attachments(message, attachments)
    if not counted:  # `counted`: the caller already included it in the ticket's message_count
        Ticket.objects.filter(pk=ticket.pk).update(message_count=F("message_count") + 1)
    return message


def _event(ticket: Ticket, text: str, actor: User | None, data: dict[str, Any] | None = None) -> Message:
    return _add_message(ticket=ticket, kind=MessageKind.EVENT, body_text=text, author=actor,
                        author_name=actor.label if actor else "시스템", meta=data or {})


def ticket_event_add(*, ticket: Ticket, text: str, data: dict[str, Any] | None = None,
                     actor: User | None = None) -> Message:
    """A system entry on the ticket's timeline (SLA warnings and breaches, jobs); no status change."""
    return _event(ticket, text, actor, data)


def ticket_subject(subject: str, body_text: str) -> str:
    """The subject a new ticket is stored with: white space collapsed, else the body's first line."""
    return " ".join(subject.split())[:250] or (body_text.strip().splitlines() or ["(제목 없음)"])[0][:80]


@dataclass(frozen=True)
class TicketFields:
    """Optional classification given when a ticket is created."""

    priority: str = Priority.NORMAL
    type: str = TicketType.INQUIRY
    category_id: int | None = None
    product_id: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    tags: tuple[str, ...] = ()
    custom_fields: dict[str, Any] | None = None
    status: str = Status.NEW


def ticket_create(*, workspace: Workspace, channel: str, subject: str, body_text: str = "", body_html: str = "",
                  customer: Customer | None = None, by: Membership | None = SYSTEM,
                  fields: TicketFields = TicketFields(), external_id: str | None = None,
                  message_external_id: str = "", created_at: datetime | None = None, order_number: str = "",
                  attachments: Sequence[InboundAttachment] = (), first_message_kind: str = MessageKind.CUSTOMER,
                  author_name: str = "") -> Ticket:
    actor = _require_writer(by, workspace)
    subject = ticket_subject(subject, body_text)
    now = created_at or timezone.now()
    # Checked before the transaction: below, only database errors can be raised.
    category_id = _own(workspace, Category, fields.category_id)
    product_id = _own(workspace, Product, fields.product_id)
    team_id = _own(workspace, Team, fields.team_id)
    assignee_id = _member_user_id(workspace, fields.assignee_id)
    # No savepoint when nested (an inbound message): nothing inside is caught and retried, and each
    # SAVEPOINT/RELEASE is a round trip.
    first_text = body_text or (html_to_text(body_html) if body_html else "")
    with transaction.atomic(savepoint=False):
        ticket = Ticket(
            workspace=workspace, number=None, external_id=external_id or None,
            subject=subject, channel=channel, status=fields.status, priority=fields.priority, type=fields.type,
            category_id=category_id, product_id=product_id, team_id=team_id, assignee_id=assignee_id,
            customer=customer, custom_fields=fields.custom_fields or {}, order_number=order_number[:80],
            created_at=now, updated_at=now,
            last_customer_message_at=now if first_message_kind == MessageKind.CUSTOMER else None,
        )
        tags = _tags(workspace, fields.tags) if fields.tags else []
        # The search document is built from what is about to be written (its analysis usually
        # prepared before the transaction, see `prepare_inbound`); the number is added to it below.
        indexed = [(first_message_kind, first_text)] if first_message_kind != MessageKind.EVENT else []
        search_fields = search.docs_for_many([(ticket, indexed, customer, [t.name for t in tags])])[0]
        if body_text or body_html or attachments:
            ticket.message_count = 1  # the first message below, counted here rather than by an UPDATE
        extensions.ticket_preparing(ticket, [t.name for t in tags])
        ticket.number = numbering.next_number(workspace.pk)
        ticket.save()
        if tags:
            ticket.tags.set(tags)
        if body_text or body_html or attachments:
            # inbound_ingest returns it without asking the database again.
            ticket.first_message = _add_message(  # type: ignore[attr-defined]
                ticket=ticket, kind=first_message_kind, body_text=body_text, body_html=body_html,
                author=actor if first_message_kind != MessageKind.CUSTOMER else None,
                author_name=author_name or (customer.name if customer else ""), channel=channel,
                external_id=message_external_id, created_at=now, attachments=attachments, counted=True)
        audit.record(workspace=workspace, actor=actor, action="ticket.create", obj=ticket,
                     changes={"channel": [None, channel], "subject": [None, subject]},
                     actor_label="" if actor else f"channel:{channel}")
        search.index_new_ticket(ticket, search_fields)
        extensions.ticket_changed(extensions.TicketChange(
            ticket=ticket, kind=extensions.ChangeKind.CREATED, actor=actor,
            message=getattr(ticket, "first_message", None)))
        _enqueue_webhook(ticket, WebhookEvent.TICKET_CREATED)
    return ticket


def _own(workspace: Workspace, model: type[Any], pk: int | None) -> int | None:
    """Accept a foreign key only when the row belongs to the same workspace."""
    if pk is None:
        return None
    if not model.objects.filter(pk=pk, workspace=workspace).exists():
        raise ServiceError(f"이 워크스페이스에 없는 {model._meta.verbose_name}입니다: {pk}")
    return pk


def _member_user_id(workspace: Workspace, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    if not Membership.objects.filter(workspace=workspace, user_id=user_id, is_active=True).exclude(
        role="client_viewer"
    ).exists():
        raise ServiceError("담당자는 이 워크스페이스의 상담원이어야 합니다.")
    return user_id


def _tags(workspace: Workspace, names: Iterable[str]) -> list[Tag]:
    result = []
    for name in names:
        clean = " ".join(name.split())[:60]
        if clean:
            tag, _ = Tag.objects.get_or_create(workspace=workspace, name=clean)
            result.append(tag)
    return result


UPDATABLE_FIELDS = ("subject", "status", "custom_status_id", "priority", "type", "category_id", "product_id",
                    "team_id", "assignee_id", "custom_fields", "order_number")


def _status_timestamps(ticket: Ticket, new_status: str, now: datetime) -> None:
    if new_status == Status.SOLVED and ticket.solved_at is None:
        ticket.solved_at = now
    if new_status == Status.CLOSED:
        ticket.closed_at = now
        ticket.solved_at = ticket.solved_at or now
    if new_status in OPEN_STATUSES:
        ticket.solved_at = None
        ticket.closed_at = None


def ticket_update(*, ticket: Ticket, by: Membership | None, tags: Sequence[str] | None = None,
                  reason: str = "", **changes: Any) -> Ticket:
    """Change classification, status or owner. Writes one audit row and one timeline event
    (`reason`, when given, is added to the event: "자동 배정 (최소 부하)")."""
    actor = _require_writer(by, ticket.workspace)
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ServiceError(f"바꿀 수 없는 항목입니다: {', '.join(sorted(unknown))}")
    workspace = ticket.workspace
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        before = {key: getattr(ticket, key) for key in changes}
        if "status" in changes and changes["status"] not in Status.values:
            raise ServiceError(f"알 수 없는 상태입니다: {changes['status']}")
        if "priority" in changes and changes["priority"] not in Priority.values:
            raise ServiceError(f"알 수 없는 우선순위입니다: {changes['priority']}")
        if "type" in changes and changes["type"] not in TicketType.values:
            raise ServiceError(f"알 수 없는 유형입니다: {changes['type']}")
        if changes.get("custom_status_id") is not None:
            custom = WorkspaceStatus.objects.filter(pk=changes["custom_status_id"], workspace=workspace).first()
            if custom is None:
                raise ServiceError("이 워크스페이스에 없는 상태입니다.")
            changes["status"] = custom.base_status
            before.setdefault("status", ticket.status)
        elif "status" in changes and "custom_status_id" not in changes:
            changes["custom_status_id"] = None
            before["custom_status_id"] = ticket.custom_status_id
        for key, model in (("category_id", Category), ("product_id", Product), ("team_id", Team)):
            if key in changes:
                changes[key] = _own(workspace, model, changes[key])
        if "assignee_id" in changes:
            changes["assignee_id"] = _member_user_id(workspace, changes["assignee_id"])
        if "subject" in changes:
            changes["subject"] = " ".join(str(changes["subject"]).split())[:250]
            if not changes["subject"]:
                raise ServiceError("제목을 입력해 주세요.")
        now = timezone.now()
        for key, value in changes.items():
            setattr(ticket, key, value)
        if "status" in changes:
            _status_timestamps(ticket, changes["status"], now)
        delta = audit.diff(before, changes)
        if tags is not None:
            old_tags = sorted(ticket.tags.values_list("name", flat=True))
            new_tag_objs = _tags(workspace, tags)
            new_tags = sorted(t.name for t in new_tag_objs)
            if old_tags != new_tags:
                ticket.tags.set(new_tag_objs)
                delta["tags"] = [old_tags, new_tags]
        if not delta:
            return ticket
        ticket.updated_at = now
        ticket.save()
        audit.record(workspace=workspace, actor=actor, action="ticket.update", obj=ticket, changes=delta)
        _event(ticket, describe_changes(delta) + (f" — {reason}" if reason else ""), actor,
               {"changes": delta, **({"reason": reason} if reason else {})})
        if "subject" in delta or "tags" in delta:
            search.index_ticket(ticket)
        extensions.ticket_changed(extensions.TicketChange(
            ticket=ticket, kind=extensions.ChangeKind.UPDATED, changes=delta, actor=actor))
        _enqueue_webhook(ticket, WebhookEvent.TICKET_UPDATED, {"changes": delta})
    return ticket


FIELD_LABELS = {"status": "상태", "priority": "우선순위", "type": "유형", "category_id": "분류", "product_id": "상품",
                "team_id": "팀", "assignee_id": "담당자", "subject": "제목", "tags": "태그",
                "custom_status_id": "세부 상태", "custom_fields": "추가 항목", "order_number": "주문번호"}


def describe_changes(delta: dict[str, list[Any]]) -> str:
    """A one-line Korean summary of a change for the timeline."""
    parts = []
    for key, (old, new) in delta.items():
        label = FIELD_LABELS.get(key, key)
        parts.append(f"{label}: {_display(key, old)} → {_display(key, new)}")
    return " · ".join(parts)


def _display(key: str, value: Any) -> str:
    if value in (None, "", []):
        return "없음"
    lookups: dict[str, Any] = {"status": Status, "priority": Priority, "type": TicketType}
    if key in lookups:
        try:
            return str(lookups[key](value).label)
        except ValueError:
            return str(value)
    model_for: dict[str, type[Any]] = {"category_id": Category, "product_id": Product, "team_id": Team, "assignee_id": User,
                 "custom_status_id": WorkspaceStatus}
    if key in model_for:
        obj = model_for[key].objects.filter(pk=value).first()
        return str(obj) if obj else str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def ticket_reply(*, ticket: Ticket, by: Membership, body_text: str = "", body_html: str = "",
                 set_status: str | None = None, attachments: Sequence[InboundAttachment] = ()) -> Message:
    """A public answer to the customer, delivered through the ticket's channel by a job."""
    actor = _require_writer(by, ticket.workspace)
    if not (body_text.strip() or html_to_text(body_html).strip()):
        raise ServiceError("답변 내용을 입력해 주세요.")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        adapter = adapter_for(ticket.channel)
        message = _add_message(ticket=ticket, kind=MessageKind.REPLY, body_text=body_text, body_html=body_html,
                               author=actor, attachments=attachments,
                               delivery_status=DeliveryStatus.PENDING if adapter.sends_replies else "")
        now = message.created_at
        update_fields = ["updated_at"]
        ticket.updated_at = now
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            update_fields.append("first_response_at")
        if ticket.assignee_id is None:
            ticket.assignee_id = actor.pk if actor else None
            update_fields.append("assignee_id")
        new_status = set_status or (Status.PENDING if ticket.status in (Status.NEW, Status.OPEN) else ticket.status)
        status_change: dict[str, list[Any]] = {}
        if new_status != ticket.status:
            if new_status not in Status.values:
                raise ServiceError(f"알 수 없는 상태입니다: {new_status}")
            old_status = ticket.status
            ticket.status = new_status
            ticket.custom_status_id = None
            _status_timestamps(ticket, new_status, now)
            update_fields += ["status", "custom_status_id", "solved_at", "closed_at"]
            status_change = {"status": [old_status, new_status]}
            audit.record(workspace=ticket.workspace, actor=actor, action="ticket.update", obj=ticket,
                         changes=status_change)
        ticket.save(update_fields=update_fields)
        audit.record(workspace=ticket.workspace, actor=actor, action="ticket.reply", obj=ticket,
                     changes={"message_id": [None, message.pk]})
        search.index_ticket(ticket)
        extensions.ticket_changed(extensions.TicketChange(
            ticket=ticket, kind=extensions.ChangeKind.AGENT_REPLY, changes=status_change, actor=actor,
            message=message))
        if adapter.sends_replies:
            from cxops.tickets import jobs

            message_id = message.pk
            transaction.on_commit(lambda: jobs.reply_deliver(message_id))
        _enqueue_webhook(ticket, WebhookEvent.TICKET_REPLIED, {"message_id": message.pk})
    return message


def ticket_note(*, ticket: Ticket, by: Membership, body_text: str) -> Message:
    actor = _require_writer(by, ticket.workspace)
    if not body_text.strip():
        raise ServiceError("메모 내용을 입력해 주세요.")
    with transaction.atomic():
        message = _add_message(ticket=ticket, kind=MessageKind.NOTE, body_text=body_text, author=actor)
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=message.created_at)
        audit.record(workspace=ticket.workspace, actor=actor, action="ticket.note", obj=ticket,
                     changes={"message_id": [None, message.pk]})
        search.index_ticket(ticket)
    return message


def ticket_customer_message(*, ticket: Ticket, body_text: str, body_html: str = "", external_id: str = "",
                            attachments: Sequence[InboundAttachment] = (), received_at: datetime | None = None,
                            channel: str = "") -> Message:
    """The customer writes again: the message joins the timeline and a waiting ticket reopens."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        message = _add_message(ticket=ticket, kind=MessageKind.CUSTOMER, body_text=body_text, body_html=body_html,
                               author_name=ticket.customer.name if ticket.customer else "", external_id=external_id,
                               attachments=attachments, created_at=received_at, channel=channel)
        ticket.updated_at = message.created_at
        ticket.last_customer_message_at = message.created_at
        fields = ["updated_at", "last_customer_message_at"]
        status_change: dict[str, list[Any]] = {}
        if ticket.status in (Status.PENDING, Status.SOLVED, Status.CLOSED, Status.ON_HOLD):
            old = ticket.status
            ticket.status = Status.OPEN
            ticket.custom_status_id = None
            _status_timestamps(ticket, Status.OPEN, message.created_at)
            fields += ["status", "custom_status_id", "solved_at", "closed_at"]
            status_change = {"status": [old, Status.OPEN]}
            audit.record(workspace=ticket.workspace, actor=None, action="ticket.reopen", obj=ticket,
                         changes={"status": [old, Status.OPEN]}, actor_label="customer")
        ticket.save(update_fields=fields)
        search.index_ticket(ticket)
        extensions.ticket_changed(extensions.TicketChange(
            ticket=ticket, kind=extensions.ChangeKind.CUSTOMER_MESSAGE, changes=status_change, message=message))
        _enqueue_webhook(ticket, WebhookEvent.TICKET_UPDATED, {"customer_message_id": message.pk})
    return message


def tickets_bulk_update(*, workspace: Workspace, by: Membership, ticket_ids: Sequence[int],
                        add_tags: Sequence[str] = (), **changes: Any) -> int:
    """Apply the same change to many tickets; each gets its own audit row and timeline event."""
    _require_writer(by, workspace)
    count = 0
    with transaction.atomic():
        # In id order: deterministic, and concurrent bulk changes lock rows in the same order.
        for ticket in Ticket.objects.filter(workspace=workspace, pk__in=ticket_ids).select_related("workspace").order_by("pk"):
            tags = None
            if add_tags:
                tags = sorted(set(ticket.tags.values_list("name", flat=True)) | set(add_tags))
            ticket_update(ticket=ticket, by=by, tags=tags, **changes)
            count += 1
    return count


# --- inbound channels ---------------------------------------------------------------------------

def prepare_inbound(message: InboundMessage) -> None:
    """The Korean analysis of a new ticket, done before any write transaction: on SQLite the write
    lock (BEGIN IMMEDIATE) is held from the start of the transaction, so analysing inside it would
    serialise every submission behind Kiwi. Callers that open their own transaction call it first."""
    body_text = message.body_text or (html_to_text(message.body_html) if message.body_html else "")
    search.prepare_new_ticket(subject=ticket_subject(message.subject, body_text), body_text=body_text)


@dataclass(frozen=True)
class Received:
    message: Message
    created: bool  # False: this channel message had been received before (same external_id)


def inbound_ingest(*, workspace: Workspace, message: InboundMessage, fields: TicketFields = TicketFields()
                   ) -> Message:
    """Turn one normalised inbound message into a ticket or a follow-up on its thread.

    Idempotent on `external_id`: the same channel message never makes two timeline entries.
    """
    return inbound_receive(workspace=workspace, message=message, fields=fields).message


def inbound_receive(*, workspace: Workspace, message: InboundMessage, fields: TicketFields = TicketFields()
                    ) -> Received:
    """`inbound_ingest`, also telling whether the message is new (one duplicate check, not two)."""
    prepare_inbound(message)
    with transaction.atomic(savepoint=False):
        if message.external_id:
            existing = Message.objects.filter(workspace=workspace, external_id=message.external_id[:250]).first()
            if existing is not None:
                return Received(existing, created=False)
        customer = customer_find_or_create(workspace=workspace, ref=message.customer)
        adapter = adapter_for(message.channel)
        thread = adapter.find_thread(workspace=workspace, message=message)
        if thread is not None:
            return Received(ticket_customer_message(
                ticket=thread, body_text=message.body_text, body_html=message.body_html,
                external_id=message.external_id, attachments=message.attachments,
                received_at=message.received_at, channel=message.channel), created=True)
        if message.category_id is not None:
            fields = TicketFields(**{**fields.__dict__, "category_id": message.category_id})
        ticket = ticket_create(
            workspace=workspace, channel=message.channel, subject=message.subject, body_text=message.body_text,
            body_html=message.body_html, customer=customer, fields=fields, message_external_id=message.external_id,
            created_at=message.received_at, order_number=message.order_number, attachments=message.attachments,
            author_name=message.customer.name,
        )
        first: Message | None = getattr(ticket, "first_message", None)
        if first is None:
            first = ticket.messages.order_by("created_at", "id").first()
        assert first is not None
        return Received(first, created=True)


# --- calls --------------------------------------------------------------------------------------

def call_log(*, workspace: Workspace, by: Membership, phone: str, summary: str, direction: str = "inbound",
             duration_seconds: int = 0, outcome: str = CallOutcome.RESOLVED, category_id: int | None = None,
             product_id: int | None = None, customer_name: str = "", ticket: Ticket | None = None,
             started_at: datetime | None = None) -> Call:
    """Log a phone call; a call that needs follow-up opens (or joins) a ticket."""
    actor = _require_writer(by, workspace)
    if not summary.strip():
        raise ServiceError("상담 내용을 입력해 주세요.")
    normalized = normalize_phone(phone) if phone else None
    if phone and not normalized:
        raise ServiceError(f"전화번호 형식이 올바르지 않습니다: {phone}")
    if outcome not in CallOutcome.values:
        raise ServiceError(f"알 수 없는 처리 결과입니다: {outcome}")
    if ticket is not None and ticket.workspace_id != workspace.pk:
        raise PermissionError("다른 워크스페이스의 티켓입니다.")
    with transaction.atomic():
        customer = customer_find_or_create(workspace=workspace, ref=CustomerRef(name=customer_name, phone=phone),
                                           by=by) if normalized else None
        started = started_at or timezone.now()
        call = Call.objects.create(
            workspace=workspace, customer=customer, agent=actor, direction=direction, phone=normalized or "",
            category_id=_own(workspace, Category, category_id), product_id=_own(workspace, Product, product_id),
            summary=summary.strip(), duration_seconds=max(0, int(duration_seconds)), outcome=outcome,
            started_at=started, ticket=ticket,
        )
        label = "수신" if direction == "inbound" else "발신"
        minutes, seconds = divmod(call.duration_seconds, 60)
        call_text = f"[전화 {label} · {minutes}분 {seconds}초] {summary.strip()}"
        if ticket is None and outcome == CallOutcome.FOLLOW_UP:
            first_line = summary.strip().splitlines()[0][:80]
            ticket = ticket_create(
                workspace=workspace, channel=Channel.PHONE, subject=f"[전화] {first_line}", body_text=call_text,
                customer=customer, by=by, created_at=started,
                fields=TicketFields(category_id=call.category_id, product_id=call.product_id,
                                    assignee_id=actor.pk if actor else None, status=Status.OPEN),
            )
            call.ticket = ticket
            call.save(update_fields=["ticket"])
        elif ticket is not None:
            _add_message(ticket=ticket, kind=MessageKind.NOTE, body_text=call_text, author=actor,
                         channel=Channel.PHONE, meta={"call_id": call.pk})
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
            search.index_ticket(ticket)
        audit.record(workspace=workspace, actor=actor, action="call.log", obj=call,
                     changes={"outcome": [None, outcome], "ticket": [None, ticket.number if ticket else None]})
    return call


# --- macros, saved views, webhooks --------------------------------------------------------------

def macro_save(*, workspace: Workspace, by: Membership, title: str, body: str, macro: Macro | None = None,
               category_id: int | None = None, set_status: str = "") -> Macro:
    actor = _require_writer(by, workspace)
    if not title.strip() or not body.strip():
        raise ServiceError("매크로 제목과 내용을 입력해 주세요.")
    if set_status and set_status not in Status.values:
        raise ServiceError(f"알 수 없는 상태입니다: {set_status}")
    with transaction.atomic():
        created = macro is None
        macro = macro or Macro(workspace=workspace, created_by=actor)
        if macro.workspace_id != workspace.pk:
            raise PermissionError("다른 워크스페이스의 매크로입니다.")
        before = {"title": macro.title, "body": macro.body}
        macro.title, macro.body = title.strip()[:120], body
        macro.category_id = _own(workspace, Category, category_id)
        macro.set_status = set_status
        macro.save()
        audit.record(workspace=workspace, actor=actor, action="macro.create" if created else "macro.update",
                     obj=macro, changes=audit.diff(before, {"title": macro.title, "body": macro.body}))
    return macro


def macro_delete(*, macro: Macro, by: Membership) -> None:
    actor = _require_writer(by, macro.workspace)
    with transaction.atomic():
        audit.record(workspace=macro.workspace, actor=actor, action="macro.delete", obj=macro)
        macro.delete()


def macro_use(*, macro: Macro) -> None:
    Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)


def saved_view_save(*, workspace: Workspace, by: Membership, name: str, filters: dict[str, Any], sort: str,
                    shared: bool = False) -> SavedView:
    from cxops.tickets.selectors import InboxFilters

    actor = _require_writer(by, workspace)
    clean = InboxFilters.from_mapping(filters)  # validates
    if sort.lstrip("-") not in InboxFilters.SORTS:
        raise ServiceError(f"알 수 없는 정렬입니다: {sort}")
    if not name.strip():
        raise ServiceError("보기 이름을 입력해 주세요.")
    view = SavedView.objects.create(workspace=workspace, owner=None if shared else actor, name=name.strip()[:80],
                                    filters=clean.to_mapping(), sort=sort)
    audit.record(workspace=workspace, actor=actor, action="saved_view.create", obj=view)
    return view


def saved_view_delete(*, view: SavedView, by: Membership) -> None:
    actor = _require_writer(by, view.workspace)
    if view.owner_id not in (None, by.user_id) or (view.owner_id is None and not by.has_role("lead")):
        raise PermissionError("이 보기를 삭제할 권한이 없습니다.")
    audit.record(workspace=view.workspace, actor=actor, action="saved_view.delete", obj=view)
    view.delete()


def webhook_create(*, workspace: Workspace, by: Membership, url: str, events: Sequence[str]) -> Webhook:
    actor = _require_writer(by, workspace)
    if not by.has_role("admin"):
        raise PermissionError("웹훅은 관리자만 등록할 수 있습니다.")
    bad = [e for e in events if e not in WebhookEvent.values]
    if bad or not events:
        raise ServiceError(f"알 수 없는 이벤트입니다: {', '.join(bad) or '(없음)'}")
    if not url.startswith(("http://", "https://")):
        raise ServiceError("웹훅 주소는 http:// 또는 https:// 로 시작해야 합니다.")
    hook = Webhook.objects.create(workspace=workspace, url=url, events=list(events), secret=secrets.token_hex(24))
    cache.delete(_webhooks_cache_key(workspace.pk))
    audit.record(workspace=workspace, actor=actor, action="webhook.create", obj=hook,
                 changes={"url": [None, url], "events": [None, list(events)]})
    return hook


def webhook_delete(*, webhook: Webhook, by: Membership) -> None:
    actor = _require_writer(by, webhook.workspace)
    if not by.has_role("admin"):
        raise PermissionError("웹훅은 관리자만 삭제할 수 있습니다.")
    audit.record(workspace=webhook.workspace, actor=actor, action="webhook.delete", obj=webhook)
    webhook.delete()
    cache.delete(_webhooks_cache_key(webhook.workspace_id))


# --- agent availability (read by assignment) ------------------------------------------------------

def agent_availability_set(*, membership: Membership, availability: str) -> Membership:
    """An agent says whether they take new work: online, away or offline."""
    from cxops.core.models import Availability

    if availability not in Availability.values:
        raise ServiceError(f"알 수 없는 상태입니다: {availability}")
    if not membership.can_write:
        raise PermissionError("이 워크스페이스에서 변경할 권한이 없습니다.")
    if membership.availability == availability:
        return membership
    with transaction.atomic():
        before = membership.availability
        membership.availability = availability
        membership.save(update_fields=["availability"])
        audit.record(workspace=membership.workspace, actor=membership.user, action="membership.availability",
                     obj=membership, changes={"availability": [before, availability]})
        extensions.availability_changed(membership, before, availability)
    return membership


# --- customers in bulk (imports) ------------------------------------------------------------------

def customers_find_or_create_many(*, workspace: Workspace, refs: Sequence[CustomerRef],
                                  by: Membership | None = SYSTEM) -> list[Customer]:
    """:func:`customer_find_or_create` for many refs at once, with the same result as calling it for
    each ref in order, in a handful of queries (imports of thousands of rows).

    Identities already known are read in one go; new customers, their identities and changed
    customers are written in bulk. One "customer.create" audit row per new customer.
    """
    actor = _require_writer(by, workspace)
    wanted = {identity for ref in refs for identity in _identities_of(ref)}
    owner: dict[tuple[str, str], Customer] = {}
    with transaction.atomic():
        rows: list[tuple[str, str, int]] = []
        by_kind: dict[str, list[str]] = {}
        for kind, value in wanted:
            by_kind.setdefault(kind, []).append(value)
        for kind, values in by_kind.items():
            for start in range(0, len(values), 500):
                rows += list(CustomerIdentity.objects.filter(workspace=workspace, kind=kind,
                                                             value__in=values[start:start + 500])
                             .values_list("kind", "value", "customer_id"))
        customers = Customer.objects.in_bulk({customer_id for _, _, customer_id in rows})
        pending = {c.merged_into_id for c in customers.values() if c.merged_into_id} - set(customers)
        while pending:
            customers.update(Customer.objects.in_bulk(pending))
            pending = {c.merged_into_id for c in customers.values() if c.merged_into_id} - set(customers)

        def current(customer: Customer) -> Customer:
            while customer.merged_into_id is not None:
                customer = customers[customer.merged_into_id]
            return customer

        for kind, value, customer_id in rows:
            owner[(kind, value)] = customers[customer_id]
        created: list[Customer] = []
        changed: dict[int, Customer] = {}
        new_identities: list[tuple[Customer, str, str]] = []
        result: list[Customer] = []
        for ref in refs:
            identities = _identities_of(ref)
            customer = next((current(owner[i]) for i in sorted(identities, key=lambda kv: kv[0] == IdentityKind.ORDER)
                             if i in owner), None)
            if customer is None:
                customer = Customer(workspace=workspace, name=ref.name.strip()[:120])
                created.append(customer)
            elif ref.name and not customer.name:
                customer.name = ref.name.strip()[:120]
                changed[id(customer)] = customer
            for kind, value in identities:
                if (kind, value) not in owner:
                    owner[(kind, value)] = customer
                    new_identities.append((customer, kind, value))
                before = (list(customer.phones), list(customer.emails), dict(customer.external_ids))
                if kind == IdentityKind.PHONE and value not in customer.phones:
                    customer.phones = [*customer.phones, value]
                elif kind == IdentityKind.EMAIL and value not in customer.emails:
                    customer.emails = [*customer.emails, value]
                elif kind == IdentityKind.MALL_USER and customer.external_ids.get("mall_user_id") != value:
                    customer.external_ids = {**customer.external_ids, "mall_user_id": value}
                elif kind == IdentityKind.ORDER and value not in customer.external_ids.get("orders", []):
                    customer.external_ids = {**customer.external_ids,
                                             "orders": [*customer.external_ids.get("orders", []), value]}
                if before != (customer.phones, customer.emails, customer.external_ids):
                    changed[id(customer)] = customer
            result.append(customer)
        Customer.objects.bulk_create(created, batch_size=500)
        if any(c.pk is None for c in created):
            raise RuntimeError("the database did not return ids of bulk-created customers")
        created_ids = {id(c) for c in created}
        existing = [c for key, c in changed.items() if key not in created_ids]
        now = timezone.now()
        for customer in existing:
            customer.updated_at = now
        Customer.objects.bulk_update(existing, ["name", "phones", "emails", "external_ids", "updated_at"],
                                     batch_size=500)
        CustomerIdentity.objects.bulk_create(
            [CustomerIdentity(workspace=workspace, customer=c, kind=kind, value=value)
             for c, kind, value in new_identities], batch_size=500)
        for customer in created:
            audit.record(workspace=workspace, actor=actor, action="customer.create", obj=customer,
                         actor_label="" if actor else "import")
    return result
