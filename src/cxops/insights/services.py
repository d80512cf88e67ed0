"""Every write of the insights app: training, suggestions and agent decisions, catalog and taxonomy,
alert settings and report subscriptions.

Keyword-only arguments, one transaction, an audit row. `by` is the acting membership (None = system).
Labels applied to a ticket go through `tickets.services.ticket_update`, which writes the ticket's own
audit row and timeline event.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cxops.core import audit
from cxops.core.models import Membership, Role, User, Workspace
from cxops.core.services import ServiceError
from cxops.insights.classify import TextClassifier, TrainReport
from cxops.insights.labels import LabelSpace, check_field
from cxops.insights.models import (
    AlertSettings,
    OrderLine,
    ReasonKeywords,
    ReportSubscription,
    SuggestionStatus,
    TicketTagSuggestion,
    TrainedModel,
)
from cxops.insights.tables import RowError, Table, read_path, read_table
from cxops.insights.tagging import Suggestion, Tagger, ticket_text, training_examples
from cxops.tickets import services as ticket_services
from cxops.tickets.models import Call, Category, Message, MessageKind, Product, Ticket

log = logging.getLogger(__name__)

MIN_EXAMPLES = 4


def _require_writer(by: Membership | None, workspace: Workspace, role: str = Role.AGENT) -> User | None:
    if by is None:
        return None
    if by.workspace_id != workspace.pk or not by.can_write or not by.has_role(role):
        raise PermissionError("이 워크스페이스에서 변경할 권한이 없습니다.")
    return by.user


# --- training ----------------------------------------------------------------------------------------

def _embeddings_wanted(choice: bool | None) -> bool:
    """Sentence embeddings on unless turned off (CXOPS_TRIAGE_EMBEDDINGS=0 or the setting False): with
    cached vectors they cost a training run only the texts it has not seen, and they add ~2 points of
    accuracy over word + character features on intent data."""
    if choice is not None:
        return choice
    value = getattr(settings, "CXOPS_TRIAGE_EMBEDDINGS", None)
    if value is None:
        value = os.environ.get("CXOPS_TRIAGE_EMBEDDINGS", "1").strip().lower() not in ("0", "false", "no", "off")
    return bool(value)


def model_train(*, workspace: Workspace, field: str, by: Membership | None = None, embeddings: bool | None = None,
                unsure_threshold: float = 0.0, workers: int | None = None) -> tuple[TrainedModel, TrainReport]:
    """Train one field's classifier on the workspace's labelled tickets and make it the active one.

    Texts without a stored vector are embedded with `workers` engines (default: every core, see
    `core.embeddings.bulk_workers`; training runs in the CLI or a job, never in a web request) and stored.
    The report's `seconds` is the whole run: reading the examples, embedding, cross-validation, fitting."""
    started = time.perf_counter()
    actor = _require_writer(by, workspace, Role.LEAD)
    check_field(field)
    if not 0.0 <= unsure_threshold < 1.0:
        raise ServiceError("미확신 기준은 0 이상 1 미만이어야 합니다.")
    texts, labels = training_examples(workspace, field)
    distinct = len(set(labels))
    if len(texts) < MIN_EXAMPLES or distinct < 2:
        raise ServiceError(f"학습할 데이터가 부족합니다: 라벨이 있는 티켓 {len(texts)}건, 서로 다른 라벨 {distinct}개. "
                           f"라벨이 두 가지 이상인 티켓이 {MIN_EXAMPLES}건 이상 필요합니다.")
    from cxops.core.embeddings import bulk_workers

    workers = workers if workers is not None else bulk_workers()
    embedder = None
    vectors = None
    embedded = 0
    embed_seconds = 0.0
    if _embeddings_wanted(embeddings):
        from cxops.core.embeddings import get_embedder
        from cxops.insights.vectors import vectors_for

        embedder = get_embedder()
        embed_started = time.perf_counter()
        vectors, embedded = vectors_for(workspace.pk, texts, embedder, workers=workers)
        embed_seconds = time.perf_counter() - embed_started
    classifier, fit_report = TextClassifier.train(texts, labels, embedder=embedder, cross_validate=True,
                                                  unsure_threshold=unsure_threshold, vectors=vectors,
                                                  workers=workers)
    report = dataclasses.replace(fit_report, seconds=round(time.perf_counter() - started, 3),
                                 embedded=embedded, embed_seconds=round(embed_seconds, 3))
    report_json = {"examples": report.examples, "labels": report.labels,
                   "cv_accuracy": None if report.cv_accuracy is None else round(report.cv_accuracy, 4),
                   "cv_folds": report.cv_folds, "seconds": report.seconds, "embedded": embedded,
                   "embed_seconds": report.embed_seconds, "fit_seconds": fit_report.seconds,
                   "embedder": embedder.name if embedder else None, "unsure_threshold": unsure_threshold}
    with transaction.atomic():
        TrainedModel.objects.filter(workspace=workspace, field=field, active=True).update(active=False)
        model = TrainedModel.objects.create(workspace=workspace, field=field, data=classifier.to_bytes(),
                                            labels=list(classifier.labels), report=report_json,
                                            embedder=embedder.name if embedder else "")
        # Keep the last few models of a field for comparison; older ones only take space.
        stale = list(TrainedModel.objects.filter(workspace=workspace, field=field).order_by("-created_at", "-id")
                     .values_list("pk", flat=True)[5:])
        if stale:
            TrainedModel.objects.filter(pk__in=stale).delete()
        audit.record(workspace=workspace, actor=actor, action="insights.model_train", obj=model,
                     changes={"field": [None, field], "examples": [None, report.examples],
                              "cv_accuracy": [None, report_json["cv_accuracy"]]},
                     actor_label="" if actor else "job")
    return model, report


# --- suggestions ---------------------------------------------------------------------------------------

def _store(workspace_id: int, suggestions: dict[str, Suggestion], *, ticket_id: int | None = None,
           call_id: int | None = None) -> list[TicketTagSuggestion]:
    stored: list[TicketTagSuggestion] = []
    target: dict[str, Any] = {"ticket_id": ticket_id} if ticket_id else {"call_id": call_id}
    existing = {s.field: s for s in TicketTagSuggestion.objects.filter(**target)}
    for name, s in suggestions.items():
        row = existing.get(name)
        if row is not None and row.status != SuggestionStatus.SUGGESTED:
            stored.append(row)  # an agent already decided: leave it
            continue
        values = {"label": s.label or "", "confidence": s.confidence,
                  "alternatives": [[label, round(conf, 4)] for label, conf in s.alternatives],
                  "source": s.source, "model_version": s.model_version[:60], "created_at": timezone.now()}
        if row is None:
            row = TicketTagSuggestion.objects.create(workspace_id=workspace_id, field=name, **target, **values)
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.save()
        stored.append(row)
    return stored


def suggestions_refresh_ticket(*, ticket: Ticket, tagger: Tagger | None = None) -> list[TicketTagSuggestion]:
    """(Re)compute the suggestions of one ticket; decided ones stay as they are."""
    first = (Message.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER).order_by("created_at", "id")
             .values_list("body_text", flat=True).first())
    tagger = tagger or Tagger(ticket.workspace_id)
    result = tagger.suggest([ticket_text(ticket.subject, first or "")], [ticket.order_number])[0]
    with transaction.atomic():
        return _store(ticket.workspace_id, result, ticket_id=ticket.pk)


def suggestions_refresh_call(*, call: Call, tagger: Tagger | None = None) -> list[TicketTagSuggestion]:
    tagger = tagger or Tagger(call.workspace_id, ("category", "product"))
    result = tagger.suggest([call.summary])[0]
    with transaction.atomic():
        return _store(call.workspace_id, result, call_id=call.pk)


def suggestion_decide(*, suggestion: TicketTagSuggestion, by: Membership, label: str | None = None
                      ) -> TicketTagSuggestion:
    """Confirm the suggested label (label=None or the same label) or correct it with another.

    On a ticket the label is applied through the tickets service (audit row, timeline event); on a
    call without a ticket it is kept here as training data.
    """
    workspace = by.workspace
    actor = _require_writer(by, workspace)
    if suggestion.workspace_id != workspace.pk:
        raise PermissionError("다른 워크스페이스의 추천입니다.")
    chosen = (label if label is not None else suggestion.label).strip()
    if not chosen:
        raise ServiceError("적용할 값을 골라 주세요. (추천이 확실하지 않아 비어 있습니다.)")
    space = LabelSpace.load(workspace, suggestion.field)
    value = space.value(chosen)
    chosen = space.label_of[value]
    status = SuggestionStatus.CONFIRMED if chosen == suggestion.label else SuggestionStatus.CORRECTED
    with transaction.atomic():
        if suggestion.ticket_id is not None:
            ticket = Ticket.objects.select_related("workspace").get(pk=suggestion.ticket_id, workspace=workspace)
            column = {"category": "category_id", "product": "product_id", "type": "type"}[suggestion.field]
            if getattr(ticket, column) != value:
                changes: dict[str, Any] = {column: value}
                ticket_services.ticket_update(ticket=ticket, by=by, **changes)
        before = {"status": suggestion.status, "final_label": suggestion.final_label}
        suggestion.status = status
        suggestion.final_label = chosen
        suggestion.decided_by = actor
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["status", "final_label", "decided_by", "decided_at"])
        audit.record(workspace=workspace, actor=actor, action=f"insights.suggestion_{status}", obj=suggestion,
                     changes=audit.diff(before, {"status": status, "final_label": chosen}))
    return suggestion


# --- catalog -----------------------------------------------------------------------------------------

PRODUCT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("상품명", "상품", "제품명", "name", "product"),
    "code": ("상품코드", "코드", "sku", "품번", "code", "product_code"),
    "aliases": ("별칭", "다른이름", "검색어", "alias", "aliases"),
    "product_type": ("상품유형", "유형", "분류", "카테고리", "type", "category"),
    "is_active": ("사용", "사용여부", "판매중", "active", "is_active"),
}
ORDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "order_no": ("주문번호", "주문 번호", "order", "order_no", "order_number"),
    "sku": ("상품코드", "sku", "코드", "품번", "code"),
    "product": ("상품명", "상품", "product", "product_name"),
    "quantity": ("수량", "qty", "quantity"),
    "ordered_at": ("주문일시", "주문일", "ordered_at", "date"),
}
_ALIAS_SPLIT = re.compile(r"[,;|\n]+")
_FALSE = {"n", "no", "false", "0", "아니오", "미사용", "중지", "판매중지", "x"}


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                                "errors": [e.as_dict() for e in self.errors]}
        if self.ignored_columns:
            data["ignored_columns"] = self.ignored_columns
        return data


def _table(path: str | Path | None, data: bytes | None, filename: str, columns: dict[str, tuple[str, ...]],
           required: Sequence[str]) -> Table:
    if data is not None:
        return read_table(data, filename, columns, required)
    assert path is not None
    return read_path(path, columns, required)


def products_import(*, workspace: Workspace, by: Membership | None = None, path: str | Path | None = None,
                    data: bytes | None = None, filename: str = "") -> ImportSummary:
    """Upsert the product catalog from CSV/XLSX (by code when given, else by name). All rows are checked
    first; any error writes nothing."""
    actor = _require_writer(by, workspace, Role.LEAD)
    summary = ImportSummary()
    try:
        table = _table(path, data, filename, PRODUCT_COLUMNS, ("name",))
    except ServiceError as exc:
        summary.errors.append(RowError(None, "", "", str(exc)))
        return summary
    summary.ignored_columns = table.ignored
    existing = list(Product.objects.filter(workspace=workspace))
    by_code = {p.code.casefold(): p for p in existing if p.code}
    by_name = {p.name.casefold(): p for p in existing}
    seen_names: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    planned: list[tuple[Product | None, dict[str, Any]]] = []
    col = table.header_names
    for number, row in table.rows:
        name, code = row.get("name", "").strip(), row.get("code", "").strip()
        errors_before = len(summary.errors)
        if not name:
            summary.errors.append(RowError(number, col["name"], "", "상품명을 입력해 주세요."))
        elif len(name) > 160:
            summary.errors.append(RowError(number, col["name"], name[:40], "상품명은 160자 이내로 입력해 주세요."))
        if len(code) > 60:
            summary.errors.append(RowError(number, col.get("code", "code"), code[:40], "상품 코드는 60자 이내로 입력해 주세요."))
        if name and name.casefold() in seen_names:
            summary.errors.append(RowError(number, col["name"], name,
                                           f"{seen_names[name.casefold()]}행과 상품명이 같습니다. 한 번만 적어 주세요."))
        if code and code.casefold() in seen_codes:
            summary.errors.append(RowError(number, col.get("code", "code"), code,
                                           f"{seen_codes[code.casefold()]}행과 상품 코드가 같습니다."))
        aliases = [a.strip() for a in _ALIAS_SPLIT.split(row.get("aliases", "")) if a.strip()]
        if any(len(a) > 160 for a in aliases):
            summary.errors.append(RowError(number, col.get("aliases", "aliases"), row.get("aliases", "")[:40],
                                           "별칭은 하나에 160자 이내로 입력해 주세요."))
        if len(summary.errors) > errors_before:
            continue
        seen_names[name.casefold()] = number
        if code:
            seen_codes[code.casefold()] = number
        product = by_code.get(code.casefold()) if code else None
        product = product or by_name.get(name.casefold())
        if product is not None and name.casefold() != product.name.casefold() and name.casefold() in by_name:
            summary.errors.append(RowError(number, col["name"], name, "같은 이름의 다른 상품이 이미 있습니다."))
            continue
        values: dict[str, Any] = {"name": name}
        if "code" in row:
            values["code"] = code
        if "aliases" in row:
            values["aliases"] = aliases
        if "product_type" in row:
            values["product_type"] = row["product_type"].strip()[:60]
        if "is_active" in row and row["is_active"].strip():
            values["is_active"] = row["is_active"].strip().casefold() not in _FALSE
        planned.append((product, values))
    if summary.errors:
        return summary
    with transaction.atomic():
        for product, values in planned:
            if product is None:
                product = Product.objects.create(workspace=workspace, **values)
                summary.created += 1
                audit.record(workspace=workspace, actor=actor, action="product.create", obj=product,
                             actor_label="" if actor else "import")
                continue
            before = {k: getattr(product, k) for k in values}
            if before == values:
                summary.unchanged += 1
                continue
            for key, value in values.items():
                setattr(product, key, value)
            product.save()
            summary.updated += 1
            audit.record(workspace=workspace, actor=actor, action="product.update", obj=product,
                         changes=audit.diff(before, values), actor_label="" if actor else "import")
    return summary


def order_lines_import(*, workspace: Workspace, by: Membership | None = None, path: str | Path | None = None,
                       data: bytes | None = None, filename: str = "") -> ImportSummary:
    """Order number → product lines (order_no plus SKU or product name). All-or-nothing like products."""
    from zoneinfo import ZoneInfo

    from cxops.tickets.importer import parse_datetime

    actor = _require_writer(by, workspace, Role.LEAD)
    summary = ImportSummary()
    try:
        table = _table(path, data, filename, ORDER_COLUMNS, ("order_no",))
    except ServiceError as exc:
        summary.errors.append(RowError(None, "", "", str(exc)))
        return summary
    summary.ignored_columns = table.ignored
    col = table.header_names
    if "sku" not in col and "product" not in col:
        summary.errors.append(RowError(1, "", "", "상품코드(SKU) 또는 상품명 열이 필요합니다."))
        return summary
    products = list(Product.objects.filter(workspace=workspace))
    lookup: dict[str, Product] = {}
    for p in products:
        for alias in p.aliases or []:
            lookup.setdefault(str(alias).casefold(), p)
    for p in products:
        lookup[p.name.casefold()] = p
    codes = {p.code.casefold(): p for p in products if p.code}
    planned: dict[tuple[str, int], tuple[int, datetime | None]] = {}
    for number, row in table.rows:
        order_no = row.get("order_no", "").strip()
        if not order_no or len(order_no) > 80:
            summary.errors.append(RowError(number, col["order_no"], order_no[:40], "주문번호를 80자 이내로 입력해 주세요."))
            continue
        sku, name = row.get("sku", "").strip(), row.get("product", "").strip()
        product = codes.get(sku.casefold()) if sku else None
        product = product or (lookup.get(name.casefold()) if name else None)
        if product is None:
            shown = sku or name
            summary.errors.append(RowError(number, col.get("sku") or col.get("product", ""), shown,
                                           "카탈로그에 없는 상품입니다. 상품을 먼저 등록하거나 코드를 확인해 주세요."))
            continue
        quantity_text = row.get("quantity", "").strip() or "1"
        if not quantity_text.isdigit() or int(quantity_text) < 1:
            summary.errors.append(RowError(number, col.get("quantity", "quantity"), quantity_text,
                                           "수량은 1 이상의 정수로 입력해 주세요."))
            continue
        ordered_at = None
        if row.get("ordered_at", "").strip():
            try:
                ordered_at = parse_datetime(row["ordered_at"], ZoneInfo(workspace.timezone))
            except ValueError:
                summary.errors.append(RowError(number, col["ordered_at"], row["ordered_at"],
                                               "주문일시 형식을 알 수 없습니다. 예: 2026-03-14 09:30"))
                continue
        planned[(order_no, product.pk)] = (int(quantity_text), ordered_at)
    if summary.errors:
        return summary
    with transaction.atomic():
        existing = {(o, p): (q, t) for o, p, q, t in OrderLine.objects.filter(
            workspace=workspace, order_no__in={o for o, _ in planned}).values_list(
            "order_no", "product_id", "quantity", "ordered_at")}
        new = []
        for (order_no, product_id), (quantity, ordered_at) in planned.items():
            if (order_no, product_id) not in existing:
                new.append(OrderLine(workspace=workspace, order_no=order_no, product_id=product_id, quantity=quantity,
                                     ordered_at=ordered_at))
            elif existing[(order_no, product_id)] != (quantity, ordered_at):
                OrderLine.objects.filter(workspace=workspace, order_no=order_no, product_id=product_id).update(
                    quantity=quantity, ordered_at=ordered_at)
                summary.updated += 1
            else:
                summary.unchanged += 1
        OrderLine.objects.bulk_create(new, batch_size=1000)
        summary.created = len(new)
        audit.record(workspace=workspace, actor=actor, action="insights.order_lines_import", obj=workspace,
                     changes={"created": [None, summary.created], "updated": [None, summary.updated]},
                     actor_label="" if actor else "import")
    return summary


def product_save(*, workspace: Workspace, by: Membership, name: str, code: str = "", aliases: Sequence[str] = (),
                 product_type: str = "", is_active: bool = True, product: Product | None = None) -> Product:
    actor = _require_writer(by, workspace, Role.LEAD)
    name = " ".join(name.split())
    if not name or len(name) > 160:
        raise ServiceError("상품명을 160자 이내로 입력해 주세요.")
    if product is not None and product.workspace_id != workspace.pk:
        raise PermissionError("다른 워크스페이스의 상품입니다.")
    clash = Product.objects.filter(workspace=workspace, name__iexact=name)
    if product is not None:
        clash = clash.exclude(pk=product.pk)
    if clash.exists():
        raise ServiceError(f"같은 이름의 상품이 이미 있습니다: {name}")
    with transaction.atomic():
        created = product is None
        product = product or Product(workspace=workspace)
        before = {"name": product.name, "code": product.code, "aliases": product.aliases,
                  "product_type": product.product_type, "is_active": product.is_active}
        product.name, product.code = name, code.strip()[:60]
        product.aliases = [a.strip()[:160] for a in aliases if a.strip()]
        product.product_type, product.is_active = product_type.strip()[:60], is_active
        product.save()
        after = {"name": product.name, "code": product.code, "aliases": product.aliases,
                 "product_type": product.product_type, "is_active": product.is_active}
        audit.record(workspace=workspace, actor=actor, action="product.create" if created else "product.update",
                     obj=product, changes=audit.diff(before, after))
    return product


# --- taxonomy ------------------------------------------------------------------------------------------

def reason_save(*, workspace: Workspace, by: Membership, name: str, parent_id: int | None = None,
                keywords: Sequence[str] | None = None, category: Category | None = None) -> Category:
    """Create or rename a reason (two levels at most) and set its cold-start keywords."""
    actor = _require_writer(by, workspace, Role.LEAD)
    name = " ".join(name.split())
    if not name or len(name) > 80 or ">" in name:
        raise ServiceError("사유 이름을 80자 이내로 입력해 주세요. ('>' 기호는 쓸 수 없습니다.)")
    parent = None
    if parent_id is not None:
        parent = Category.objects.filter(workspace=workspace, pk=parent_id).first()
        if parent is None:
            raise ServiceError("상위 사유를 찾을 수 없습니다.")
        if parent.parent_id is not None:
            raise ServiceError("사유는 두 단계까지만 만들 수 있습니다. 상위 사유로 대분류를 골라 주세요.")
    if category is not None:
        if category.workspace_id != workspace.pk:
            raise PermissionError("다른 워크스페이스의 사유입니다.")
        if parent is not None and (parent.pk == category.pk or category.children.exists()):
            raise ServiceError("하위 사유가 있는 대분류는 다른 사유 아래로 옮길 수 없습니다.")
    clash = Category.objects.filter(workspace=workspace, parent=parent, name=name)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise ServiceError(f"같은 이름의 사유가 이미 있습니다: {name}")
    with transaction.atomic():
        created = category is None
        category = category or Category(workspace=workspace, is_public=False)
        before = {"name": category.name, "parent": category.parent_id}
        category.name, category.parent = name, parent
        category.save()
        changes = audit.diff(before, {"name": category.name, "parent": category.parent_id})
        if keywords is not None:
            clean = list(dict.fromkeys(k.strip()[:40] for k in keywords if k.strip()))[:50]
            rule, _ = ReasonKeywords.objects.get_or_create(workspace=workspace, category=category)
            if rule.keywords != clean:
                changes["keywords"] = [rule.keywords, clean]
                rule.keywords = clean
                rule.updated_at = timezone.now()
                rule.save()
        audit.record(workspace=workspace, actor=actor, action="reason.create" if created else "reason.update",
                     obj=category, changes=changes)
    return category


def reason_delete(*, category: Category, by: Membership) -> None:
    workspace = category.workspace
    actor = _require_writer(by, workspace, Role.LEAD)
    if Ticket.objects.filter(workspace=workspace, category__in=[category.pk, *category.children.values_list(
            "pk", flat=True)]).exists():
        raise ServiceError("티켓에 쓰인 사유는 지울 수 없습니다. 이름을 바꾸거나 다른 사유로 옮겨 주세요.")
    with transaction.atomic():
        audit.record(workspace=workspace, actor=actor, action="reason.delete", obj=category)
        category.delete()


# --- alerts and subscriptions --------------------------------------------------------------------------

def alert_settings_get(workspace: Workspace) -> AlertSettings:
    found, _ = AlertSettings.objects.get_or_create(workspace=workspace)
    return found


def alert_settings_save(*, workspace: Workspace, by: Membership, min_count: int, min_score: float,
                        email_enabled: bool, notify_managers: bool, recipient_ids: Sequence[int]) -> AlertSettings:
    actor = _require_writer(by, workspace, Role.MANAGER)
    if min_count < 1 or min_count > 100_000:
        raise ServiceError("최소 건수는 1 이상으로 입력해 주세요.")
    if not 0 < min_score <= 50:
        raise ServiceError("최소 점수는 0보다 크고 50 이하로 입력해 주세요.")
    members = set(Membership.objects.filter(workspace=workspace, is_active=True, user_id__in=list(recipient_ids))
                  .exclude(role=Role.CLIENT_VIEWER).values_list("user_id", flat=True))
    unknown = set(recipient_ids) - members
    if unknown:
        raise ServiceError("받는 사람은 이 워크스페이스의 구성원이어야 합니다.")
    with transaction.atomic():
        current = alert_settings_get(workspace)
        before = {"min_count": current.min_count, "min_score": current.min_score,
                  "email_enabled": current.email_enabled, "notify_managers": current.notify_managers,
                  "recipients": sorted(current.recipients.values_list("pk", flat=True))}
        current.min_count, current.min_score = min_count, float(min_score)
        current.email_enabled, current.notify_managers = email_enabled, notify_managers
        current.updated_at = timezone.now()
        current.save()
        current.recipients.set(sorted(members))
        after = {"min_count": min_count, "min_score": float(min_score), "email_enabled": email_enabled,
                 "notify_managers": notify_managers, "recipients": sorted(members)}
        audit.record(workspace=workspace, actor=actor, action="insights.alert_settings", obj=current,
                     changes=audit.diff(before, after))
    return current


def report_subscription_create(*, workspace: Workspace, by: Membership, product: Product, emails: Sequence[str]
                               ) -> ReportSubscription:
    actor = _require_writer(by, workspace, Role.LEAD)
    if product.workspace_id != workspace.pk:
        raise PermissionError("다른 워크스페이스의 상품입니다.")
    clean = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    if not clean or len(clean) > 50:
        raise ServiceError("받는 이메일 주소를 1~50개 입력해 주세요.")
    for email in clean:
        try:
            validate_email(email)
        except Exception as exc:
            raise ServiceError(f"이메일 주소 형식이 올바르지 않습니다: {email}") from exc
    with transaction.atomic():
        sub = ReportSubscription.objects.create(workspace=workspace, product=product, emails=clean, created_by=actor)
        audit.record(workspace=workspace, actor=actor, action="insights.report_subscribe", obj=sub,
                     changes={"emails": [None, clean]})
    return sub


def report_subscription_delete(*, subscription: ReportSubscription, by: Membership) -> None:
    workspace = subscription.workspace
    actor = _require_writer(by, workspace, Role.LEAD)
    with transaction.atomic():
        audit.record(workspace=workspace, actor=actor, action="insights.report_unsubscribe", obj=subscription)
        subscription.delete()
