"""Read-only share links for product reports (signed, expiring, no account) and the weekly report email."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cxops.core.services import ServiceError
from cxops.insights.models import ReportSubscription
from cxops.insights.report import build_report, to_pdf, to_xlsx
from cxops.tickets.models import Product

log = logging.getLogger(__name__)

SALT = "cxops.insights.report-share"
MAX_DAYS = 90


@dataclass(frozen=True)
class ShareGrant:
    workspace_id: int
    product_id: int
    start: date
    end: date


def share_token(*, workspace_id: int, product_id: int, start: date, end: date, days: int) -> str:
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(f"공유 기간은 1~{MAX_DAYS}일로 골라 주세요.")
    return signing.dumps({"w": workspace_id, "p": product_id, "s": start.isoformat(), "e": end.isoformat(), "d": days},
                         salt=SALT, compress=True)


def share_grant(token: str, *, workspace_id: int) -> ShareGrant | None:
    """What a link opens, or None when it is forged, expired or for another workspace."""
    try:
        data = signing.loads(token, salt=SALT)
        days = int(data["d"])
        signing.loads(token, salt=SALT, max_age=timedelta(days=min(days, MAX_DAYS)))
        grant = ShareGrant(int(data["w"]), int(data["p"]), date.fromisoformat(data["s"]), date.fromisoformat(data["e"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return grant if grant.workspace_id == workspace_id else None


def share_url(*, slug: str, token: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + reverse("insights_shared_report", kwargs={"slug": slug, "token": token})


def send_weekly(subscription: ReportSubscription, *, today: date | None = None) -> bool:
    """Email last week's report (Monday..Sunday) of one product with PDF (or XLSX) attached and a link."""
    workspace = subscription.workspace
    product: Product = subscription.product
    today = today or timezone.now().astimezone(ZoneInfo(workspace.timezone)).date()
    end = today - timedelta(days=today.weekday() + 1)
    start = end - timedelta(days=6)
    report = build_report(workspace=workspace, product=product, start=start, end=end)
    token = share_token(workspace_id=workspace.pk, product_id=product.pk, start=start, end=end, days=14)
    link = share_url(slug=workspace.slug, token=token)
    lines = [f"{r.label}: {r.count}건 (직전 주 {r.previous}건)" for r in report.reasons[:8]]
    text = (f"{report.title}\n\n문의 {report.total}건 (직전 주 {report.previous_total}건), 미해결 {report.open_count}건\n\n"
            + "\n".join(lines) + f"\n\n보고서 보기 (14일간 유효): {link}\n")
    html = (f"<h2>{escape(report.title)}</h2><p>문의 {report.total}건 (직전 주 {report.previous_total}건), "
            f"미해결 {report.open_count}건</p><ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines)
            + f'</ul><p><a href="{escape(link)}">보고서 보기</a> (14일간 유효)</p>')
    message = EmailMultiAlternatives(f"[CXOps] {report.title}", text, to=list(subscription.emails))
    message.attach_alternative(html, "text/html")
    try:
        message.attach(f"voc-report-{product.pk}-{start:%Y%m%d}.pdf", to_pdf(report), "application/pdf")
    except ServiceError as exc:  # no Korean font on this server: send the workbook instead
        log.warning("weekly report PDF skipped: %s", exc)
        message.attach(f"voc-report-{product.pk}-{start:%Y%m%d}.xlsx", to_xlsx(report),
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    message.send()
    ReportSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now())
    return True
