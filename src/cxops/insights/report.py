"""The product feedback report: one product, one period — reasons, trend, verbatims, open tickets — and
its XLSX and PDF exports.

Verbatims are the customers' own first messages with phone numbers, emails and names masked
(`cxops.core.masking`). Remedies paid come from complaint handling; no compensation records exist
yet, so the report says that instead of showing an empty table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from cxops.core.masking import mask_name, mask_text
from cxops.core.models import Workspace
from cxops.core.services import ServiceError
from cxops.insights import charts
from cxops.insights.labels import category_label
from cxops.insights.trends import trend_table
from cxops.tickets.models import OPEN_STATUSES, Category, Message, MessageKind, Product, Ticket

VERBATIMS_PER_REASON = 2
VERBATIM_REASONS = 5
OPEN_LIMIT = 20
MAX_DAYS = 366


@dataclass
class ReasonRow:
    label: str
    category_id: int | None
    count: int
    previous: int
    inbox_url: str

    @property
    def change(self) -> int:
        return self.count - self.previous

    @property
    def change_pct(self) -> float | None:
        return None if not self.previous else (self.count - self.previous) * 100 / self.previous


@dataclass
class Verbatim:
    number: int
    created_at: datetime
    reason: str
    text: str


@dataclass
class OpenTicket:
    number: int
    subject: str
    status: str
    created_at: datetime


@dataclass
class ProductReport:
    workspace: Workspace
    product: Product
    start: date
    end: date  # inclusive
    total: int
    previous_total: int
    reasons: list[ReasonRow]
    weeks: list[date]
    weekly: dict[str, list[int]]
    verbatims: list[Verbatim]
    open_tickets: list[OpenTicket]
    open_count: int
    inbox_url: str
    remedies_available: bool = False
    remedies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def change_pct(self) -> float | None:
        return None if not self.previous_total else (self.total - self.previous_total) * 100 / self.previous_total

    @property
    def title(self) -> str:
        return f"{self.product.name} 고객 피드백 보고서 ({self.start:%Y-%m-%d} ~ {self.end:%Y-%m-%d})"

    def chart_svg(self) -> str:
        return charts.line_chart(self.weekly, [f"{d:%m/%d}" for d in self.weeks], title="주별 사유 추이")

    def reasons_svg(self) -> str:
        return charts.bar_chart([(r.label, r.count) for r in self.reasons[:10]], title="사유별 건수")


def default_period(workspace: Workspace, today: date | None = None) -> tuple[date, date]:
    """The last four full weeks plus this one so far."""
    today = today or timezone.now().astimezone(ZoneInfo(workspace.timezone)).date()
    return today - timedelta(days=27), today


def parse_period(workspace: Workspace, start: str | None, end: str | None) -> tuple[date, date]:
    default_start, default_end = default_period(workspace)
    try:
        first = date.fromisoformat(start) if start else default_start
        last = date.fromisoformat(end) if end else default_end
    except ValueError as exc:
        raise ServiceError("기간은 YYYY-MM-DD 형식으로 입력해 주세요.") from exc
    if last < first:
        raise ServiceError("종료일이 시작일보다 앞설 수 없습니다.")
    if (last - first).days >= MAX_DAYS:
        raise ServiceError("보고서 기간은 1년 이내로 골라 주세요.")
    return first, last


def inbox_link(workspace: Workspace, **filters: Any) -> str:
    query = {"view": "all", **{k: v for k, v in filters.items() if v not in (None, "")}}
    return reverse("inbox", kwargs={"slug": workspace.slug}) + "?" + urlencode(query)


def build_report(*, workspace: Workspace, product: Product, start: date, end: date) -> ProductReport:
    if product.workspace_id != workspace.pk:
        raise ServiceError("다른 워크스페이스의 상품입니다.")
    tz = ZoneInfo(workspace.timezone)
    days = (end - start).days + 1
    lo = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    prev_lo = lo - timedelta(days=days)
    tickets = Ticket.objects.filter(workspace=workspace, product=product)
    current = dict(tickets.filter(created_at__gte=lo, created_at__lt=hi).values_list("category_id")
                   .annotate(n=Count("id")).order_by())
    previous = dict(tickets.filter(created_at__gte=prev_lo, created_at__lt=lo).values_list("category_id")
                    .annotate(n=Count("id")).order_by())
    rows = list(Category.objects.filter(workspace=workspace).only("pk", "name", "parent_id"))
    names = {c.pk: c.name for c in rows}
    labels: dict[int | None, str] = {c.pk: category_label(c, names) for c in rows}
    labels[None] = "미분류"
    period = {"created_from": start.isoformat(), "created_to": end.isoformat()}
    reasons = [ReasonRow(labels.get(cid, str(cid)), cid, current.get(cid, 0), previous.get(cid, 0),
                         inbox_link(workspace, product=product.pk, category=cid, **period) if cid else
                         inbox_link(workspace, product=product.pk, **period))
               for cid in set(current) | set(previous)]
    reasons.sort(key=lambda r: (-r.count, -r.previous, r.label))

    weeks_n = max(4, min(26, days // 7 + 1))
    table = trend_table(workspace=workspace, by="category", period="week", periods=weeks_n, until=end,
                        product_id=product.pk)
    order = sorted(range(len(table.keys)), key=lambda k: -sum(table.series(k)))[:5]
    weekly = {table.labels[k]: table.series(k) for k in order}

    first_body = (Message.objects.filter(ticket=OuterRef("pk"), kind=MessageKind.CUSTOMER)
                  .order_by("created_at", "id").values("body_text")[:1])
    verbatims: list[Verbatim] = []
    customer_names: set[str] = set()
    for reason in [r for r in reasons if r.count][:VERBATIM_REASONS]:
        found = (tickets.filter(created_at__gte=lo, created_at__lt=hi)
                 .filter(**({"category_id": reason.category_id} if reason.category_id else {"category__isnull": True}))
                 .annotate(body=Subquery(first_body)).exclude(body__isnull=True).exclude(body="")
                 .order_by("-created_at").values_list("number", "created_at", "body", "customer__name")
                 [:VERBATIMS_PER_REASON])
        for number, created_at, body, customer_name in found:
            text = mask_text(" ".join(str(body).split()))
            if customer_name:
                customer_names.add(customer_name)
                text = text.replace(customer_name, mask_name(customer_name))
            verbatims.append(Verbatim(number or 0, created_at, reason.label, text[:300]))

    open_qs = tickets.filter(status__in=list(OPEN_STATUSES))
    open_tickets = [OpenTicket(t.number or 0, t.subject, t.status_label, t.created_at)
                    for t in open_qs.select_related("custom_status").order_by("-created_at")[:OPEN_LIMIT]]
    return ProductReport(
        workspace=workspace, product=product, start=start, end=end, total=sum(current.values()),
        previous_total=sum(previous.values()), reasons=reasons, weeks=table.output_starts, weekly=weekly,
        verbatims=verbatims, open_tickets=open_tickets, open_count=open_qs.count(),
        inbox_url=inbox_link(workspace, product=product.pk, **period),
        remedies_available=apps.is_installed("cxops.complaints"),
        remedies=_remedies(workspace, product, lo, hi),
    )


def _remedies(workspace: Workspace, product: Product, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
    """Remedies paid for this product in the period, from complaint handling when it is installed."""
    if not apps.is_installed("cxops.complaints"):
        return []
    from cxops.complaints.selectors import product_remedies

    return [{"reason": r.reason, "kind": r.kind, "count": r.count, "amount": r.amount}
            for r in product_remedies(workspace_id=workspace.pk, product_id=product.pk, since=lo, until=hi)]


# --- exports -------------------------------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}%"


def to_xlsx(report: ProductReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def safe(value: Any) -> Any:
        # A cell starting with = + - @ would be run as a formula by Excel.
        return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "요약"
    bold = Font(bold=True)
    for row in [("보고서", report.title), ("상품", report.product.name), ("상품 코드", report.product.code),
                ("기간", f"{report.start:%Y-%m-%d} ~ {report.end:%Y-%m-%d}"), ("문의 건수", report.total),
                ("직전 같은 기간", report.previous_total), ("증감", _pct(report.change_pct)),
                ("미해결 티켓", report.open_count)]:
        summary.append([safe(v) for v in row])
        summary.cell(row=summary.max_row, column=1).font = bold
    summary.column_dimensions["A"].width = 16
    summary.column_dimensions["B"].width = 60

    sheet = book.create_sheet("사유별")
    sheet.append(["사유", "건수", "직전 기간", "증감", "증감률"])
    for r in report.reasons:
        sheet.append([safe(r.label), r.count, r.previous, r.change, _pct(r.change_pct)])
    sheet.column_dimensions["A"].width = 32

    weekly = book.create_sheet("주별 추이")
    weekly.append(["주 시작", *[safe(k) for k in report.weekly]])
    for i, week in enumerate(report.weeks):
        weekly.append([week, *[points[i] for points in report.weekly.values()]])
    weekly.column_dimensions["A"].width = 12

    voices = book.create_sheet("고객 의견")
    voices.append(["티켓", "접수일", "사유", "내용 (개인정보 가림)"])
    for v in report.verbatims:
        voices.append([v.number, v.created_at.astimezone(ZoneInfo(report.workspace.timezone)).strftime("%Y-%m-%d"),
                       safe(v.reason), safe(v.text)])
    voices.column_dimensions["D"].width = 80

    paid = book.create_sheet("보상 내역")
    paid.append(["사유", "보상", "건수", "금액(원)"])
    for paid_row in report.remedies:
        paid.append([safe(paid_row["reason"]), safe(paid_row["kind"]), paid_row["count"], paid_row["amount"]])
    paid.column_dimensions["A"].width = 32

    pending = book.create_sheet("미해결 티켓")
    pending.append(["티켓", "제목", "상태", "접수일"])
    for t in report.open_tickets:
        pending.append([t.number, safe(t.subject), t.status,
                        t.created_at.astimezone(ZoneInfo(report.workspace.timezone)).strftime("%Y-%m-%d")])
    pending.column_dimensions["B"].width = 60
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = bold
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 1),  # Debian fonts-noto-cjk; 1 = Korean
    ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", 0),  # Debian fonts-nanum
    ("/usr/share/fonts/opentype/noto/NotoSansKR-Regular.otf", 0),
)


def korean_font() -> tuple[str, int]:
    """A Korean font file for PDFs: CXOPS_PDF_FONT (path[:index]) or a Debian font package."""
    configured = str(getattr(settings, "CXOPS_PDF_FONT", "") or "")
    candidates: list[tuple[str, int]] = list(FONT_CANDIDATES)
    if configured:
        path, _, number = configured.partition(":")
        candidates.insert(0, (path, int(number) if number.isdigit() else 0))
    for path, index in candidates:
        if Path(path).is_file():
            return path, index
    raise ServiceError("PDF에 쓸 한글 글꼴을 찾을 수 없습니다. 서버에 'fonts-noto-cjk' 패키지를 설치하거나 "
                       "(apt-get install fonts-noto-cjk) CXOPS_PDF_FONT 설정에 글꼴 파일 경로를 지정해 주세요.")


def to_pdf(report: ProductReport) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    path, index = korean_font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("kr", fname=path, collection_font_number=index) if path.endswith(".ttc") else pdf.add_font(
        "kr", fname=path)
    pdf.set_title(report.title)
    pdf.add_page()
    tz = ZoneInfo(report.workspace.timezone)

    def line(text: str, size: int = 10, height: float = 6, color: tuple[int, int, int] = (17, 24, 39)) -> None:
        pdf.set_font("kr", size=size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(report.title, 15, 9)
    line(f"{report.workspace.name} · 생성 {timezone.now().astimezone(tz):%Y-%m-%d %H:%M}", 9, 5, (107, 114, 128))
    pdf.ln(3)
    line(f"문의 {report.total}건 (직전 같은 기간 {report.previous_total}건, {_pct(report.change_pct)}) · "
         f"미해결 {report.open_count}건", 11, 7)
    pdf.ln(2)
    line("사유별 건수", 12, 8)
    pdf.set_font("kr", size=9)
    widths = (90, 25, 25, 25)
    table: list[tuple[str, ...]] = [("사유", "건수", "직전", "증감률")]
    table += [(r.label, str(r.count), str(r.previous), _pct(r.change_pct)) for r in report.reasons[:25]]
    for row in table:
        for width, value in zip(widths, row, strict=True):
            pdf.cell(width, 6, value[:40], border=1)
        pdf.ln(6)
    pdf.ln(3)
    if report.weeks:
        line("주별 추이 (상위 사유)", 12, 8)
        pdf.set_font("kr", size=8)
        head = ["주 시작", *[k[:14] for k in report.weekly]]
        col = min(30.0, 180 / max(len(head), 1))
        for cells in [head, *[[f"{w:%m/%d}", *[str(p[i]) for p in report.weekly.values()]]
                              for i, w in enumerate(report.weeks)]]:
            for value in cells:
                pdf.cell(col, 5, value, border=1)
            pdf.ln(5)
        pdf.ln(3)
    line("고객 의견 (개인정보 가림)", 12, 8)
    for v in report.verbatims:
        line(f"#{v.number} · {v.created_at.astimezone(tz):%Y-%m-%d} · {v.reason}", 9, 5, (107, 114, 128))
        line(v.text, 10, 5.5)
        pdf.ln(1)
    if not report.verbatims:
        line("이 기간의 고객 의견이 없습니다.", 10)
    pdf.ln(2)
    line("보상 내역", 12, 8)
    if not report.remedies_available:
        line("불만 처리의 보상 기록이 아직 없어 이 항목은 표시하지 않습니다.", 10)
    elif not report.remedies:
        line("이 기간에 지급한 보상이 없습니다.", 10)
    for r in report.remedies:
        line(f"{r['reason']} · {r['kind']}: {r['count']}건, {r['amount']:,}원", 10)
    pdf.ln(2)
    line(f"미해결 티켓 ({report.open_count}건)", 12, 8)
    for t in report.open_tickets:
        line(f"#{t.number} [{t.status}] {t.subject} ({t.created_at.astimezone(tz):%Y-%m-%d})", 9, 5)
    return bytes(pdf.output())
