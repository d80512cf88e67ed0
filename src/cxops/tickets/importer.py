"""Import historical tickets from CSV or XLSX, and export them back (`cxops tickets import|export`).

Columns
-------
The first non-empty row is the header. Header names are matched case-insensitively, ignoring
spaces, hyphens, underscores and dots ("External ID", "external-id", "customer name" all work),
and Korean headers are accepted:

- external_id (required): 외부ID, 외부 ID, 외부아이디, 접수번호, 문의번호, 문의 ID, 티켓 ID, id, ticket id
- created_at: 접수일시, 접수일, 접수일자, 등록일시, 등록일, 작성일시, 문의일시, created
- channel: 채널, 접수채널, 유입채널, via
- status: 상태, 처리상태, 진행상태
- subject (required): 제목, 문의제목, title
- body (required column; a blank cell makes a ticket without a first message): 내용, 본문, 문의내용,
  content, description, message
- customer_name: 고객명, 고객이름, 고객 이름, 이름, 성명, 고객, name, requester
- customer_phone: 연락처, 전화번호, 휴대폰, 휴대폰번호, 핸드폰, 고객연락처, 고객전화번호, phone,
  requester phone
- customer_email: 이메일, 고객이메일, 메일, 이메일주소, email, requester email
- category: 분류, 카테고리, 문의유형, 문의분류
- product: 상품, 상품명, 상품코드, 제품
- type: 유형, 티켓유형, 처리유형 (inquiry/complaint/request/incident/suggestion or 문의/불만/요청/장애/제안)
- tags: 태그, tag
- assignee: 담당자, 담당자이메일, 상담원, owner, agent

Other columns are ignored and listed in the summary as ``ignored_columns``.

Values
------
- created_at: ISO 8601 ("2026-03-14T09:30:00+09:00"), "2026-03-14 09:30", "2026.03.14 09:30",
  "2026/03/14", "2026. 3. 14. 오후 2:05", "20260314", or an Excel date cell. Times without an
  offset are in the workspace's time zone (Asia/Seoul by default) and are stored aware (UTC).
  Blank → the time of the import.
- channel: a code of :class:`~cxops.tickets.models.Channel` or its Korean label (게시판, 전화,
  이메일, 채팅, 마켓/마켓 문의, 메신저) and a few synonyms (카카오톡, 메일, 콜 …). Blank → "import".
- status: a code of :class:`~cxops.tickets.models.Status`, its Korean label (신규, 진행 중, 대기,
  고객 응답 대기, 보류, 해결, 종료), a synonym (접수→new, 처리 중→open, 완료/처리완료→solved,
  종결→closed …) or one of the workspace's own status names ("배송사 확인 중"). Blank on a new
  ticket → closed (these are historical tickets); solved/closed tickets get solved_at/closed_at
  = created_at.
- category: "부모 > 자식" or one name. A single name matches a top-level category, or else the one
  sub-category of that name. Missing categories are created (two levels at most) as non-public,
  so they do not appear on the customer inquiry form until an admin says so.
- product: matched by code, name or alias (case-insensitive); created by name when missing.
- tags: separated by commas, semicolons or pipes; a leading "#" is dropped.
- assignee: the email of an active (non client-viewer) member of the workspace; anything else is a
  row error, never a silent drop.
- customer: found or created by phone, then email (``services.customers_find_or_create_many``, the
  batched form of ``customer_find_or_create``: same customers, a handful of queries); a row with
  only a name gets a new customer, a row with none of the three gets no customer.
  A malformed phone or email is a row error (fix it or leave the cell blank).

Behaviour
---------
- Upsert by ``external_id`` within the workspace. A new id creates a ticket with the body as its
  first customer message. An existing id updates subject, status, channel, category, product,
  tags, assignee and the first customer message's body. Columns missing from the file are left
  alone; a blank cell clears category, product, tags and assignee but leaves status and channel.
  The ticket's customer and created_at are not changed by an update.
- The summary is ``{"created": N, "updated": N, "unchanged": N, "errors": [...]}`` (plus
  ``"ignored_columns"`` when the header had columns we do not know). ``updated`` counts only
  tickets where something actually changed; the rest are ``unchanged``. Re-running the same file
  therefore reports 0 created, 0 updated. Each error is ``{"row", "column", "value", "message"}``
  with the column named as in the file and a Korean message that says what to fix; a missing
  or doubled column points at the header row; an unreadable file has ``"row": null``.
- All rows are validated first. If any row (or the file) has an error, nothing is written and
  every error is reported with its row number as in the file (header = row 1 when it is the
  first row; blank rows count, as in Excel).
- Writes happen in one transaction: bulk inserts for tickets, first messages and tags, ticket
  numbers taken as one block (:mod:`cxops.tickets.numbering`), one ``ticket.import`` audit event
  per created or changed ticket and a timeline event on changed ones. Webhooks are not fired for
  imported history. After the commit, search documents are built in batches (one Kiwi call per
  batch) for created tickets and for updated ones whose subject, tags or body changed, so the
  tickets are searchable as soon as the command returns; ``cxops tickets reindex`` rebuilds them
  should that step be interrupted. Keeping the analysis (most of the time) out of the write
  transaction keeps the workspace's ticket-number lock short.

Export writes the same columns (CSV in UTF-8 with BOM so Korean Excel opens it, or XLSX), so an
exported file can be edited and imported again.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cxops.core import audit
from cxops.core.models import Membership, Role, User, Workspace
from cxops.core.phones import format_phone, normalize_phone
from cxops.core.sanitize import text_to_html
from cxops.tickets import numbering, search
from cxops.tickets.channels.base import CustomerRef
from cxops.tickets.models import (
    Category,
    Channel,
    Customer,
    Message,
    MessageKind,
    Product,
    Status,
    Tag,
    Ticket,
    TicketType,
    WorkspaceStatus,
)
from cxops.tickets.services import FIELD_LABELS, _status_timestamps, customers_find_or_create_many
from cxops.tickets.tables import OLE_MAGIC, XLSX_MAGIC, EmptyFile, FileProblem, Table, read_table_data
from cxops.tickets.tables import cell_text as _text

logger = logging.getLogger(__name__)

COLUMNS = ("external_id", "created_at", "channel", "status", "subject", "body", "customer_name", "customer_phone",
           "customer_email", "category", "product", "type", "tags", "assignee")
REQUIRED_COLUMNS = ("external_id", "subject", "body")
COLUMN_LABELS = {"external_id": "외부 ID", "created_at": "접수일시", "channel": "채널", "status": "상태",
                 "subject": "제목", "body": "내용", "customer_name": "고객명", "customer_phone": "연락처",
                 "customer_email": "이메일", "category": "분류", "product": "상품", "type": "유형", "tags": "태그",
                 "assignee": "담당자"}
MAX_ERRORS = 1000
BATCH = 500


def header_key(text: str) -> str:
    """Comparison key for headers and labels: NFKC, case-folded, no spaces/_/-/./:/()."""
    return re.sub(r"[\s_\-.:/()\[\]*]+", "", unicodedata.normalize("NFKC", text).casefold())


# Ticket types by code, Korean label and a few synonyms (클레임·민원 → complaint, 건의 → suggestion).
_TICKET_TYPES = {**{header_key(str(v)): str(v) for v, _label in TicketType.choices},
                 **{header_key(str(label)): str(v) for v, label in TicketType.choices},
                 header_key("클레임"): "complaint", header_key("민원"): "complaint", header_key("건의"): "suggestion"}


_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "ticket_id", "외부ID", "외부아이디", "접수번호", "문의번호", "문의ID", "티켓ID"),
    "created_at": ("created_at", "created", "접수일시", "접수일", "접수일자", "등록일시", "등록일", "작성일시",
                   "문의일시"),
    "channel": ("channel", "via", "채널", "접수채널", "유입채널"),
    "status": ("status", "상태", "처리상태", "진행상태"),
    "subject": ("subject", "title", "제목", "문의제목"),
    "body": ("body", "content", "description", "message", "내용", "본문", "문의내용"),
    "customer_name": ("customer_name", "name", "requester", "고객명", "고객이름", "이름", "성명", "고객"),
    "customer_phone": ("customer_phone", "phone", "requester_phone", "연락처", "전화번호", "휴대폰", "휴대폰번호", "핸드폰",
                       "고객연락처", "고객전화번호"),
    "customer_email": ("customer_email", "email", "requester_email", "이메일", "고객이메일", "메일", "이메일주소"),
    "category": ("category", "분류", "카테고리", "문의유형", "문의분류"),
    "product": ("product", "상품", "상품명", "상품코드", "제품"),
    "type": ("type", "유형", "티켓유형", "처리유형"),
    "tags": ("tags", "tag", "태그"),
    "assignee": ("assignee", "담당자", "담당자이메일", "상담원", "owner", "agent"),
}
HEADER_MAP: dict[str, str] = {header_key(alias): column for column, aliases in _HEADER_ALIASES.items()
                              for alias in aliases}

_CHANNEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    Channel.BOARD: ("게시판", "문의게시판", "1:1 문의", "1:1문의", "웹", "홈페이지", "web", "website", "form",
                    "web form"),
    Channel.PHONE: ("전화", "전화상담", "콜", "call", "tel", "telephone", "phone call", "유선"),
    Channel.EMAIL: ("이메일", "메일", "e-mail", "mail"),
    Channel.CHAT: ("채팅", "채팅상담", "live chat", "web widget"),
    Channel.MARKETPLACE: ("마켓", "마켓 문의", "오픈마켓", "market", "스마트스토어"),
    Channel.MESSENGER: ("메신저", "카카오톡", "카톡", "카카오", "톡톡", "네이버톡톡", "kakao", "kakaotalk"),
    Channel.API: ("API",),
    Channel.IMPORT: ("가져오기",),
}
_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    Status.NEW: ("신규", "접수", "새 문의", "미처리", "미답변"),
    Status.OPEN: ("진행 중", "진행", "처리 중", "답변 중", "확인 중", "in progress"),
    Status.PENDING: ("대기", "고객 응답 대기", "응답 대기", "회신 대기", "고객 대기", "waiting"),
    Status.ON_HOLD: ("보류", "보류 중", "홀드", "hold", "on hold"),
    Status.SOLVED: ("해결", "해결됨", "완료", "처리 완료", "답변 완료", "상담 완료", "resolved", "done"),
    Status.CLOSED: ("종료", "종결", "닫힘", "마감", "close"),
}


def _choice_map(choices: Any, synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value, words in synonyms.items():
        for word in words:
            mapping[header_key(word)] = str(value)
    for value, label in choices.choices:
        mapping[header_key(str(label))] = value  # the active language's label, whatever it is
        mapping[header_key(value)] = value
    return mapping


# --- the summary ----------------------------------------------------------------------------------

@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    ticket_ids: list[int] = field(default_factory=list, repr=False)  # to (re)index

    def error(self, *, row: int | None, column: str | None, value: Any, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            shown = None if value is None else _text(value)[:200]
            self.errors.append({"row": row, "column": column, "value": shown, "message": message})
        elif len(self.errors) == MAX_ERRORS:
            self.errors.append({"row": None, "column": None, "value": None,
                                "message": f"오류가 너무 많아 처음 {MAX_ERRORS}건만 표시합니다. 고친 뒤 다시 실행해 주세요."})

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                                "errors": self.errors}
        if self.ignored_columns:
            data["ignored_columns"] = self.ignored_columns
        return data


# --- reading files: the shared pure reader (cxops.tickets.tables) plus the file-name checks -------------

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


def read_table(path: Path) -> Table:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileProblem(f"파일을 찾을 수 없습니다: {path}") from None
    except OSError as exc:
        raise FileProblem(f"파일을 읽을 수 없습니다: {path} ({exc.strerror})") from None
    suffix = path.suffix.lower()
    if not data.startswith((XLSX_MAGIC, OLE_MAGIC)):
        if suffix in XLSX_SUFFIXES:
            raise FileProblem("엑셀 파일이 손상되었습니다. 엑셀에서 열어 .xlsx로 다시 저장해 주세요.")
        if suffix not in TEXT_SUFFIXES:
            raise FileProblem("CSV(.csv, .tsv, .txt) 또는 엑셀(.xlsx) 파일만 가져올 수 있습니다.")
    try:
        return read_table_data(data)
    except EmptyFile:
        raise FileProblem("파일이 비어 있습니다. 첫 행에 열 이름, 그 아래에 티켓을 한 행씩 넣어 주세요.") from None


# --- parsing values ---------------------------------------------------------------------------------

_AMPM = r"(?:오전|오후|am|pm|AM|PM)"
_DATETIME = re.compile(
    r"^(?P<y>\d{4})\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*[.일]?"
    rf"(?:(?:\s*T\s*|\s+)(?P<ap1>{_AMPM})?\s*(?P<H>\d{{1,2}})\s*[:시]\s*(?P<M>\d{{1,2}})\s*분?"
    r"(?:\s*:\s*(?P<S>\d{1,2})(?:[.,](?P<f>\d{1,6}))?)?"
    rf"\s*(?P<ap2>{_AMPM})?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_COMPACT_DATE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")


def parse_datetime(value: Any, tz: ZoneInfo) -> datetime:
    """An aware datetime from a cell; naive values are in `tz`. Raises ValueError."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime.combine(value, time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if not 1 <= value < 2958466:
            raise ValueError(value)
        converted = from_excel(value)
        if not isinstance(converted, datetime):
            raise ValueError(value)
        result = converted
    else:
        result = _parse_datetime_text(_text(value))
    if timezone.is_naive(result):
        result = result.replace(tzinfo=tz)
    if not 1990 <= result.year <= 2100:
        raise ValueError(value)
    return result


def _parse_datetime_text(text: str) -> datetime:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        raise ValueError(text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    compact = _COMPACT_DATE.match(text)
    if compact:
        return datetime(int(compact["y"]), int(compact["m"]), int(compact["d"]))
    match = _DATETIME.match(text)
    if not match:
        raise ValueError(text)
    hour = int(match["H"] or 0)
    ampm = (match["ap1"] or match["ap2"] or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if ampm in ("오후", "pm") else 0)
    result = datetime(int(match["y"]), int(match["m"]), int(match["d"]), hour, int(match["M"] or 0),
                      int(match["S"] or 0), int((match["f"] or "0").ljust(6, "0")))
    if match["tz"]:
        offset = match["tz"]
        if offset == "Z":
            return result.replace(tzinfo=UTC)
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        result = result.replace(tzinfo=dt_timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))))
    return result


def split_tags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for part in re.split(r"[,;|，、]", text):
        clean = " ".join(part.split()).lstrip("#").strip()[:60]
        if clean:
            seen.setdefault(clean, None)
    return list(seen)


def _norm_name(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


# --- lookups preloaded once per import ----------------------------------------------------------------

class Categories:
    """Categories of the workspace by name; missing ones are created on write."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.top: dict[str, Category] = {}
        self.children: dict[tuple[int, str], Category] = {}
        self.children_by_name: dict[str, list[Category]] = defaultdict(list)
        for category in Category.objects.filter(workspace=workspace).order_by("pk"):
            self._remember(category)

    def _remember(self, category: Category) -> None:
        key = _norm_name(category.name).casefold()
        if category.parent_id is None:
            self.top.setdefault(key, category)
        else:
            self.children.setdefault((category.parent_id, key), category)
            self.children_by_name[key].append(category)

    def parse(self, text: str) -> tuple[str, ...]:
        parts = tuple(_norm_name(p) for p in re.split(r"\s*[>›＞]\s*", text))
        if len(parts) > 2 or not all(parts):
            raise ValueError(text)
        if any(len(p) > 80 for p in parts):
            raise ValueError(text)
        return parts

    def find(self, path: tuple[str, ...]) -> int | None:
        parent = self.top.get(path[0].casefold())
        if len(path) == 1:
            if parent is not None:
                return parent.pk
            matches = self.children_by_name.get(path[0].casefold(), [])
            return matches[0].pk if len(matches) == 1 else None
        if parent is None:
            return None
        child = self.children.get((parent.pk, path[1].casefold()))
        return child.pk if child else None

    def ensure(self, path: tuple[str, ...]) -> int:
        found = self.find(path)
        if found is not None:
            return found
        parent = self.top.get(path[0].casefold())
        if parent is None:
            parent, _ = Category.objects.get_or_create(workspace=self.workspace, parent=None, name=path[0],
                                                       defaults={"is_public": False})
            self._remember(parent)
        if len(path) == 1:
            return parent.pk
        child, _ = Category.objects.get_or_create(workspace=self.workspace, parent=parent, name=path[1],
                                                  defaults={"is_public": False})
        self._remember(child)
        return child.pk


class Products:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.by_key: dict[str, int] = {}
        products = list(Product.objects.filter(workspace=workspace).order_by("pk"))
        # Names win over codes, codes over aliases.
        for product in products:
            for alias in product.aliases or []:
                self.by_key.setdefault(_norm_name(str(alias)).casefold(), product.pk)
        for product in products:
            if product.code:
                self.by_key[_norm_name(product.code).casefold()] = product.pk
        for product in products:
            self.by_key[_norm_name(product.name).casefold()] = product.pk

    def find(self, name: str) -> int | None:
        return self.by_key.get(name.casefold())

    def ensure(self, name: str) -> int:
        found = self.find(name)
        if found is None:
            product, _ = Product.objects.get_or_create(workspace=self.workspace, name=name)
            found = self.by_key[name.casefold()] = product.pk
        return found


def _tag_ids(workspace: Workspace, names: Iterable[str]) -> dict[str, int]:
    wanted = set(names)
    if not wanted:
        return {}
    existing = dict(Tag.objects.filter(workspace=workspace, name__in=wanted).values_list("name", "pk"))
    missing = wanted - set(existing)
    if missing:
        Tag.objects.bulk_create([Tag(workspace=workspace, name=n) for n in sorted(missing)], ignore_conflicts=True)
        existing = dict(Tag.objects.filter(workspace=workspace, name__in=wanted).values_list("name", "pk"))
    return existing


def _assignees(workspace: Workspace) -> dict[str, int]:
    members = (Membership.objects.filter(workspace=workspace, is_active=True).exclude(role=Role.CLIENT_VIEWER)
               .values_list("user__email", "user_id"))
    return {email.lower(): user_id for email, user_id in members}


def _workspace_tz(workspace: Workspace) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start: start + size]


# --- validation -----------------------------------------------------------------------------------

@dataclass
class Row:
    """One valid row. For optional columns None means "column not in the file"."""

    number: int
    external_id: str
    subject: str
    body: str
    created_at: datetime | None = None
    channel: str | None = None
    status: str | None = None
    custom_status_id: int | None = None
    customer: CustomerRef = field(default_factory=CustomerRef)
    category: tuple[str, ...] | None = None  # () = blank cell
    product: str | None = None  # "" = blank cell
    type: str | None = None  # None = column missing or blank cell (type is never cleared)
    tags: list[str] | None = None
    assignee_id: int | None = None
    has_assignee: bool = False


class Validator:
    def __init__(self, workspace: Workspace, table: Table, summary: ImportSummary) -> None:
        self.workspace = workspace
        self.table = table
        self.summary = summary
        self.tz = _workspace_tz(workspace)
        self.channels = _choice_map(Channel, _CHANNEL_SYNONYMS)
        self.statuses = _choice_map(Status, _STATUS_SYNONYMS)
        self.custom_statuses = {header_key(ws.name): (ws.base_status, ws.pk)
                                for ws in WorkspaceStatus.objects.filter(workspace=workspace)}
        self.categories = Categories(workspace)
        self.products = Products(workspace)
        self.assignees = _assignees(workspace)
        self.columns: dict[str, int] = {}
        self.header_text: dict[str, str] = {}

    def map_headers(self) -> bool:
        for index, header in enumerate(self.table.headers):
            if not header:
                continue
            column = HEADER_MAP.get(header_key(header))
            if column is None:
                self.summary.ignored_columns.append(header)
            elif column in self.columns:
                self.summary.error(row=self.table.header_row, column=header, value=header,
                                   message=f"'{self.header_text[column]}' 열과 같은 항목({column})입니다. "
                                           "둘 중 한 열을 지우거나 이름을 바꿔 주세요.")
            else:
                self.columns[column] = index
                self.header_text[column] = header
        for column in REQUIRED_COLUMNS:
            if column not in self.columns:
                self.summary.error(row=self.table.header_row, column=column, value=None,
                                   message=f"필수 열 '{column}'({COLUMN_LABELS[column]})이 없습니다. "
                                           f"첫 행에 '{column}' 또는 '{COLUMN_LABELS[column]}' 열을 추가해 주세요.")
        return not self.summary.errors

    def rows(self) -> list[Row]:
        result: list[Row] = []
        first_row_of: dict[str, int] = {}
        for number, cells in self.table.rows:
            row = self._row(number, cells)
            if row is None:
                continue
            if row.external_id in first_row_of:
                self._error(number, "external_id", row.external_id,
                            f"외부 ID가 {first_row_of[row.external_id]}행과 중복됩니다. "
                            "행마다 다른 ID를 쓰거나 한 행을 지워 주세요.")
                continue
            first_row_of[row.external_id] = number
            result.append(row)
        return result

    def _error(self, number: int, column: str, value: Any, message: str) -> None:
        self.summary.error(row=number, column=self.header_text.get(column, column), value=value, message=message)

    def _row(self, number: int, cells: list[Any]) -> Row | None:
        def raw(column: str) -> Any:
            index = self.columns.get(column)
            return cells[index] if index is not None and index < len(cells) else None

        def text(column: str) -> str:
            return _text(raw(column))

        ok = True

        def bad(column: str, value: Any, message: str) -> None:
            nonlocal ok
            ok = False
            self._error(number, column, value, message)

        external_id = text("external_id")
        if not external_id:
            bad("external_id", "", "외부 ID가 비어 있습니다. 행마다 고유한 ID(예: 이전 시스템의 문의번호)를 넣어 주세요.")
        elif len(external_id) > 120:
            bad("external_id", external_id, "외부 ID가 너무 깁니다. 120자 이내로 줄여 주세요.")
        subject = " ".join(text("subject").split())[:250]
        if not subject:
            bad("subject", "", "제목이 비어 있습니다. 제목을 입력해 주세요.")
        body = text("body")
        row = Row(number=number, external_id=external_id, subject=subject, body=body)

        if "created_at" in self.columns and (value := raw("created_at")) not in (None, ""):
            try:
                row.created_at = parse_datetime(value, self.tz)
            except (ValueError, OverflowError, TypeError):
                bad("created_at", value, "접수일시를 읽을 수 없습니다. 2026-03-14 09:30, 2026.03.14 09:30, "
                                         "2026/03/14 같은 형식으로 입력해 주세요.")
        if "channel" in self.columns and (value := text("channel")):
            row.channel = self.channels.get(header_key(value))
            if row.channel is None:
                bad("channel", value, "알 수 없는 채널입니다. 게시판, 전화, 이메일, 채팅, 마켓, 메신저 중 하나"
                                      "(또는 board, phone, email, chat, marketplace, messenger)로 입력해 주세요.")
        if "status" in self.columns and (value := text("status")):
            custom = self.custom_statuses.get(header_key(value))
            row.status = self.statuses.get(header_key(value))
            if row.status is None and custom is not None:
                row.status, row.custom_status_id = custom
            if row.status is None:
                bad("status", value, "알 수 없는 상태입니다. 신규, 진행 중, 대기, 보류, 해결, 종료 중 하나"
                                     "(또는 new, open, pending, on_hold, solved, closed)로 입력해 주세요.")

        name = text("customer_name")[:120]
        phone = text("customer_phone")
        email = text("customer_email")
        if phone:
            normalized = normalize_phone(phone)
            if normalized is None:
                bad("customer_phone", phone, "전화번호 형식이 올바르지 않습니다. 010-1234-5678처럼 입력하거나 비워 두세요.")
            phone = normalized or ""
        if email:
            email = email.lower()
            try:
                validate_email(email)
            except ValidationError:
                bad("customer_email", email, "이메일 형식이 올바르지 않습니다. name@example.com처럼 입력하거나 비워 두세요.")
        row.customer = CustomerRef(name=name, phone=phone, email=email)

        if "category" in self.columns:
            value = text("category")
            row.category = ()
            if value:
                try:
                    row.category = self.categories.parse(value)
                except ValueError:
                    bad("category", value, "분류는 '부모 > 자식'(두 단계까지, 각 80자 이내) 또는 하나의 이름으로 "
                                           "입력해 주세요.")
        if "product" in self.columns:
            row.product = _norm_name(text("product"))
            if len(row.product) > 160:
                bad("product", row.product, "상품명이 너무 깁니다. 160자 이내로 줄이거나 상품 코드를 입력해 주세요.")
        if "type" in self.columns and (value := text("type")):
            row.type = _TICKET_TYPES.get(header_key(value))
            if row.type is None:
                bad("type", value, "알 수 없는 유형입니다. 문의, 불만, 요청, 장애, 제안 중 하나"
                                   "(또는 inquiry, complaint, request, incident, suggestion)로 입력해 주세요.")
        if "tags" in self.columns:
            row.tags = split_tags(text("tags"))
        if "assignee" in self.columns:
            row.has_assignee = True
            value = text("assignee")
            if value:
                row.assignee_id = self.assignees.get(value.lower())
                if row.assignee_id is None:
                    bad("assignee", value, "담당자를 찾을 수 없습니다. 이 워크스페이스에서 활동 중인 상담원의 "
                                           "이메일을 입력하거나 비워 두세요.")
        return row if ok else None


# --- writing ----------------------------------------------------------------------------------------

@dataclass
class _Resolved:
    category_id: int | None
    product_id: int | None
    tag_ids: list[int] | None


def import_tickets_file(*, workspace: Workspace, path: str | Path, by: Membership | None = None) -> ImportSummary:
    """Validate every row of a CSV/XLSX file, then create or update its tickets all together.

    Errors a user can fix come back in ``summary.errors`` (nothing is written then); the function
    raises only for errors they cannot cause.
    """
    summary = ImportSummary()
    if by is not None and (by.workspace_id != workspace.pk or not by.can_write):
        raise PermissionError("이 워크스페이스에서 가져오기를 할 권한이 없습니다.")
    try:
        table = read_table(Path(path))
    except FileProblem as exc:
        summary.error(row=None, column=None, value=None, message=str(exc))
        return summary
    validator = Validator(workspace, table, summary)
    if not validator.map_headers():
        return summary
    rows = validator.rows()
    if summary.errors:
        return summary
    actor = by.user if by else None
    try:
        _write(workspace=workspace, rows=rows, validator=validator, summary=summary, actor=actor)
    except IntegrityError as exc:
        logger.warning("ticket import into %s hit a conflict: %s", workspace.slug, exc)
        summary.created = summary.updated = summary.unchanged = 0
        summary.ticket_ids = []
        summary.error(row=None, column=None, value=None,
                      message="가져오는 동안 다른 작업이 같은 티켓이나 고객을 만들었습니다. "
                              "아무것도 저장하지 않았으니 다시 실행해 주세요.")
        return summary
    index_tickets(summary.ticket_ids)
    logger.info("imported tickets into %s: %s", workspace.slug, summary.as_dict())
    return summary


def _write(*, workspace: Workspace, rows: list[Row], validator: Validator, summary: ImportSummary,
           actor: User | None) -> None:
    existing_ids: dict[str, int] = {}
    ext_ids = [r.external_id for r in rows]
    for chunk in _chunks(ext_ids):
        for external_id, pk in (Ticket.objects.filter(workspace=workspace, external_id__in=chunk)
                                .values_list("external_id", "pk")):
            existing_ids[str(external_id)] = pk
    creates = [r for r in rows if r.external_id not in existing_ids]
    updates = [r for r in rows if r.external_id in existing_ids]

    with transaction.atomic():
        tag_ids = _tag_ids(workspace, (t for r in rows for t in (r.tags or [])))
        resolved: dict[int, _Resolved] = {}
        for r in rows:
            category_id = validator.categories.ensure(r.category) if r.category else None
            product_id = validator.products.ensure(r.product) if r.product else None
            resolved[r.number] = _Resolved(category_id, product_id,
                                           [tag_ids[t] for t in r.tags] if r.tags is not None else None)
        created_ids = _create(workspace=workspace, rows=creates, resolved=resolved, actor=actor)
        changed_ids, reindex_ids = _update(workspace=workspace, rows=updates, ids=existing_ids, resolved=resolved,
                                           actor=actor)
        # SLA deadlines of what was written, in bulk; warnings and breaches already past stay quiet.
        from cxops.sla.services import tickets_sla_compute

        tickets_sla_compute(workspace_id=workspace.pk, ticket_ids=created_ids + changed_ids, quiet_past=True)
    summary.created = len(created_ids)
    summary.updated = len(changed_ids)
    summary.unchanged = len(updates) - len(changed_ids)
    summary.ticket_ids = created_ids + reindex_ids


def _create(*, workspace: Workspace, rows: list[Row], resolved: dict[int, _Resolved], actor: User | None
            ) -> list[int]:
    if not rows:
        return []
    now = timezone.now()
    with_customer = [r for r in rows if r.customer.name or r.customer.phone or r.customer.email]
    found = customers_find_or_create_many(workspace=workspace, refs=[r.customer for r in with_customer])
    customer_of: dict[int, Customer | None] = {r.number: None for r in rows}
    customer_of.update((r.number, customer) for r, customer in zip(with_customer, found, strict=True))

    numbers = numbering.take_numbers(workspace.pk, len(rows))

    tickets: list[Ticket] = []
    for offset, r in enumerate(rows):
        created_at = r.created_at or now
        customer = customer_of[r.number]
        res = resolved[r.number]
        ticket = Ticket(
            workspace=workspace, number=numbers[offset], external_id=r.external_id, subject=r.subject,
            channel=r.channel or Channel.IMPORT, status=r.status or Status.CLOSED,
            custom_status_id=r.custom_status_id, category_id=res.category_id, product_id=res.product_id,
            type=r.type or TicketType.INQUIRY, assignee_id=r.assignee_id, customer=customer, created_at=created_at,
            updated_at=created_at,
            last_customer_message_at=created_at if r.body else None, message_count=1 if r.body else 0,
        )
        _status_timestamps(ticket, ticket.status, created_at)
        tickets.append(ticket)
    Ticket.objects.bulk_create(tickets, batch_size=BATCH)
    if any(t.pk is None for t in tickets):  # a backend that cannot return ids from bulk inserts
        pk_of = dict(Ticket.objects.filter(workspace=workspace, number__gte=numbers[0])
                     .values_list("number", "pk"))
        for t in tickets:
            t.pk = pk_of[t.number]

    messages = []
    through = Ticket.tags.through
    links = []
    for r, ticket in zip(rows, tickets, strict=True):
        if r.body:
            customer = customer_of[r.number]
            messages.append(Message(
                workspace_id=workspace.pk, ticket_id=ticket.pk, kind=MessageKind.CUSTOMER, channel=ticket.channel,
                author_name=r.customer.name or (customer.name if customer else ""), body_text=r.body,
                body_html=text_to_html(r.body), created_at=ticket.created_at,
            ))
        for tag_id in resolved[r.number].tag_ids or []:
            links.append(through(ticket_id=ticket.pk, tag_id=tag_id))
    Message.objects.bulk_create(messages, batch_size=BATCH)
    through.objects.bulk_create(links, batch_size=BATCH)
    label = f"import:{actor.label}" if actor else "import"
    for r, ticket in zip(rows, tickets, strict=True):
        audit.record(workspace=workspace, actor=actor, action="ticket.import", obj=ticket, actor_label=label,
                     changes={"external_id": [None, r.external_id], "channel": [None, ticket.channel],
                              "subject": [None, ticket.subject], "status": [None, ticket.status]})
    return [t.pk for t in tickets]


def _update(*, workspace: Workspace, rows: list[Row], ids: dict[str, int], resolved: dict[int, _Resolved],
            actor: User | None) -> tuple[list[int], list[int]]:
    """Returns the ids of the changed tickets and of those whose search document changed."""
    if not rows:
        return [], []
    now = timezone.now()
    by_id = {ids[r.external_id]: r for r in rows}
    changed: list[int] = []
    reindex: list[int] = []
    through = Ticket.tags.through
    label = f"import:{actor.label}" if actor else "import"
    names = _Names(workspace)
    for chunk in _chunks(list(by_id)):
        tickets = list(Ticket.objects.select_for_update().filter(pk__in=chunk).order_by("pk"))
        tags: dict[int, set[int]] = defaultdict(set)
        for ticket_id, tag_id in through.objects.filter(ticket_id__in=chunk).values_list("ticket_id", "tag_id"):
            tags[ticket_id].add(tag_id)
        first_message: dict[int, Message] = {}
        for message in (Message.objects.filter(ticket_id__in=chunk, kind=MessageKind.CUSTOMER)
                        .order_by("-created_at", "-id").only("id", "ticket_id", "body_text")):
            first_message[message.ticket_id] = message  # the last assignment is the earliest
        to_save: list[Ticket] = []
        bodies: list[Message] = []
        relink: dict[int, set[int]] = {}
        new_messages: list[Message] = []
        for ticket in tickets:
            r, res = by_id[ticket.pk], resolved[by_id[ticket.pk].number]
            wanted: dict[str, Any] = {"subject": r.subject}
            if r.status is not None:
                wanted["status"] = r.status
                # A base status equal to the current one keeps the workspace's finer status.
                if r.custom_status_id is not None or r.status != ticket.status:
                    wanted["custom_status_id"] = r.custom_status_id
            if r.channel is not None:
                wanted["channel"] = r.channel
            if r.category is not None:
                wanted["category_id"] = res.category_id
            if r.product is not None:
                wanted["product_id"] = res.product_id
            if r.type is not None:
                wanted["type"] = r.type
            if r.has_assignee:
                wanted["assignee_id"] = r.assignee_id
            before = {key: getattr(ticket, key) for key in wanted}
            delta = audit.diff(before, wanted)
            for key in delta:
                setattr(ticket, key, wanted[key])
            if "status" in delta:
                _status_timestamps(ticket, ticket.status, now)
            if res.tag_ids is not None and set(res.tag_ids) != tags[ticket.pk]:
                relink[ticket.pk] = set(res.tag_ids)
                delta["tags"] = [names.tags(tags[ticket.pk]), names.tags(relink[ticket.pk])]
            first = first_message.get(ticket.pk)
            if r.body and first is not None and first.body_text != r.body:
                first.body_text, first.body_html = r.body, text_to_html(r.body)
                bodies.append(first)
                delta["body"] = ["(이전 내용)", "(새 내용)"]
            elif r.body and first is None:
                new_messages.append(Message(
                    workspace_id=workspace.pk, ticket_id=ticket.pk, kind=MessageKind.CUSTOMER, channel=ticket.channel,
                    author_name=r.customer.name, body_text=r.body, body_html=text_to_html(r.body),
                    created_at=ticket.created_at))
                ticket.message_count += 1
                delta["body"] = [None, "(새 내용)"]
            if not delta:
                continue
            ticket.updated_at = now
            ticket.message_count += 1  # the timeline event below
            to_save.append(ticket)
            changed.append(ticket.pk)
            if {"subject", "tags", "body"} & set(delta):  # what the search document is made of
                reindex.append(ticket.pk)
            audit.record(workspace=workspace, actor=actor, action="ticket.import", obj=ticket, changes=delta,
                         actor_label=label)
            new_messages.append(Message(
                workspace_id=workspace.pk, ticket_id=ticket.pk, kind=MessageKind.EVENT, author=actor,
                author_name=actor.label if actor else "가져오기", body_text="가져오기로 변경 · " + names.describe(delta),
                meta={"changes": delta, "source": "import"}, created_at=now))
        _save_fields(Ticket, to_save, ["subject", "status", "custom_status", "channel", "category", "product", "type",
                                       "assignee", "solved_at", "closed_at", "updated_at", "message_count"])
        _save_fields(Message, bodies, ["body_text", "body_html"])
        if relink:
            through.objects.filter(ticket_id__in=list(relink)).delete()
            through.objects.bulk_create([through(ticket_id=ticket_id, tag_id=tag_id)
                                         for ticket_id, tag_ids in relink.items() for tag_id in sorted(tag_ids)],
                                        batch_size=BATCH)
        Message.objects.bulk_create(new_messages, batch_size=BATCH)
    return changed, reindex


def _save_fields(model: type[Any], objs: Sequence[Any], fields: Sequence[str]) -> None:
    """UPDATE … WHERE pk = … for many rows with different values, as one executemany.

    ``bulk_update`` builds a CASE expression per field and row, which costs seconds of Python time
    for thousands of rows; a prepared statement run many times costs milliseconds.
    """
    if not objs:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    sql = (f"UPDATE {quote(meta.db_table)} SET " + ", ".join(f"{quote(c.column)} = %s" for c in columns)
           + f" WHERE {quote(meta.pk.column)} = %s")
    params = [[c.get_db_prep_save(getattr(obj, c.attname), connection) for c in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class _Names:
    """Display names for the timeline line of an update, loaded once instead of per ticket."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.values: dict[str, dict[Any, str]] = {
            "status": {value: str(label) for value, label in Status.choices},
            "channel": {value: str(label) for value, label in Channel.choices},
            "category_id": {c.pk: str(c) for c in Category.objects.filter(workspace=workspace)
                            .select_related("parent")},
            "product_id": dict(Product.objects.filter(workspace=workspace).values_list("pk", "name")),
            "custom_status_id": dict(WorkspaceStatus.objects.filter(workspace=workspace).values_list("pk", "name")),
            "assignee_id": {u.pk: u.label for u in User.objects.filter(memberships__workspace=workspace)},
        }
        self.tag_names: dict[int, str] = {}

    def tags(self, ids: Iterable[int]) -> list[str]:
        missing = set(ids) - set(self.tag_names)
        if missing:
            self.tag_names.update(Tag.objects.filter(pk__in=missing).values_list("pk", "name"))
        return sorted(self.tag_names.get(i, str(i)) for i in ids)

    def show(self, key: str, value: Any) -> str:
        if value in (None, "", []):
            return "없음"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return self.values.get(key, {}).get(value, str(value))

    def describe(self, delta: dict[str, list[Any]]) -> str:
        parts = []
        for key, (old, new) in delta.items():
            if key == "body":
                parts.append("문의 내용 수정")
            else:
                label = FIELD_LABELS.get(key, "채널" if key == "channel" else key)
                parts.append(f"{label}: {self.show(key, old)} → {self.show(key, new)}")
        return " · ".join(parts)


# --- search ---------------------------------------------------------------------------------------

def index_tickets(ticket_ids: Sequence[int]) -> None:
    """Build the search documents of the imported tickets in batches."""
    search.index_ticket_ids(ticket_ids)


# --- export ---------------------------------------------------------------------------------------

def formula_safe(value: str) -> str:
    """Keep a spreadsheet from running text from customers as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_rows(workspace: Workspace) -> Iterator[list[Any]]:
    """The tickets of a workspace as rows of COLUMNS, oldest first; created_at naive, local time."""
    tz = _workspace_tz(workspace)
    ids = list(Ticket.objects.filter(workspace=workspace).order_by("number").values_list("pk", flat=True))
    for chunk in _chunks(ids, 1000):
        tickets = (Ticket.objects.filter(pk__in=chunk).order_by("number")
                   .select_related("category__parent", "product", "assignee", "customer", "custom_status"))
        bodies: dict[int, str] = {}
        for ticket_id, body in (Message.objects.filter(ticket_id__in=chunk, kind=MessageKind.CUSTOMER)
                                .order_by("-created_at", "-id").values_list("ticket_id", "body_text")):
            bodies[ticket_id] = body
        tags: dict[int, list[str]] = defaultdict(list)
        for ticket_id, name in (Ticket.tags.through.objects.filter(ticket_id__in=chunk)
                                .order_by("tag__name").values_list("ticket_id", "tag__name")):
            tags[ticket_id].append(name)
        for t in tickets:
            customer = t.customer
            category = ""
            if t.category is not None:
                category = f"{t.category.parent.name} > {t.category.name}" if t.category.parent else t.category.name
            yield [
                t.external_id or "", timezone.localtime(t.created_at, tz).replace(tzinfo=None, microsecond=0),
                t.channel, t.custom_status.name if t.custom_status else t.status, t.subject, bodies.get(t.pk, ""),
                customer.name if customer else "",
                format_phone(customer.phones[0]) if customer and customer.phones else "",
                customer.emails[0] if customer and customer.emails else "",
                category, t.product.name if t.product else "", t.type, ", ".join(tags[t.pk]),
                t.assignee.email if t.assignee else "",
            ]


def export_tickets_file(*, workspace: Workspace, path: str | Path) -> int:
    """Write every ticket of the workspace to .xlsx or .csv (UTF-8 with BOM); returns the count."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        from cxops.core.services import ServiceError

        raise ServiceError("내보낼 파일 이름은 .csv 또는 .xlsx로 끝나야 합니다.")
    try:
        return _export(workspace, target, suffix)
    except OSError as exc:
        from cxops.core.services import ServiceError

        raise ServiceError(f"파일을 쓸 수 없습니다: {target} ({exc.strerror or exc}). 폴더와 권한을 확인해 주세요.") from None


def _export(workspace: Workspace, target: Path, suffix: str) -> int:
    count = 0
    if suffix == ".csv":
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for row in export_rows(workspace):
                writer.writerow([v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, datetime) else formula_safe(v)
                                 for v in row])
                count += 1
        return count
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("tickets")
    sheet.append(list(COLUMNS))
    for row in export_rows(workspace):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            else:
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # text stays text, even when it starts with "="
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(target)
    return count
