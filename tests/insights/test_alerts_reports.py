from __future__ import annotations

import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from openpyxl import load_workbook

from cxops.insights import services
from cxops.insights.alerts import alert_inbox_url, scan_workspace
from cxops.insights.models import TrendAlert
from cxops.insights.report import build_report, korean_font, to_pdf, to_xlsx
from cxops.insights.sharing import send_weekly, share_grant, share_token
from cxops.insights.trends import period_start, shift
from cxops.tickets.models import Category, Message, Product, Ticket
from tests.factories import make_member, make_ticket
from tests.insights.test_trends import bulk_tickets

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 18)


@pytest.fixture
def spike(workspace):
    refund = Category.objects.get(workspace=workspace, name="환불")
    late = Category.objects.get(workspace=workspace, name="배송 지연")
    product = Product.objects.create(workspace=workspace, name="무선 이어폰")
    this_week = period_start(TODAY, "week")
    plan = []
    for w in range(10):
        monday = shift(this_week, "week", -9 + w)
        plan.append((monday, 10, late, None, "board"))
        plan.append((monday + timedelta(days=1), 40 if w == 9 else 4, refund, product, "board"))
    bulk_tickets(workspace, plan)
    return product


def test_scan_stores_each_alert_once_and_emails_managers(workspace, spike, settings):
    manager = make_member(workspace, "manager")
    make_member(workspace, "agent")
    created = scan_workspace(workspace=workspace, until=TODAY)
    dims = {(a.dimension, a.period) for a in created}
    assert ("category", "week") in dims and ("product", "week") in dims and ("product_category", "week") in dims
    refund = next(a for a in created if a.dimension == "category" and a.period == "week")
    assert refund.count == 40 and "이번 주 40건, 평소 4±0건" in refund.explanation
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [manager.user.email]
    assert "고객의 소리 알림" in mail.outbox[0].subject and "티켓 보기" in mail.outbox[0].body
    # Deduplicated per key and period.
    assert scan_workspace(workspace=workspace, until=TODAY) == []
    assert len(mail.outbox) == 1
    url = alert_inbox_url(refund)
    assert f"category={refund.key}" in url and "created_from=2026-11-16" in url and "created_to=2026-11-22" in url


def test_thresholds_and_recipients_are_per_workspace(workspace, spike):
    admin = make_member(workspace, "admin")
    agent = make_member(workspace, "agent")
    services.alert_settings_save(workspace=workspace, by=admin, min_count=100, min_score=3.0, email_enabled=True,
                                 notify_managers=False, recipient_ids=[agent.user_id])
    assert scan_workspace(workspace=workspace, until=TODAY) == []
    services.alert_settings_save(workspace=workspace, by=admin, min_count=5, min_score=3.0, email_enabled=True,
                                 notify_managers=False, recipient_ids=[agent.user_id])
    assert scan_workspace(workspace=workspace, until=TODAY)
    assert mail.outbox[-1].to == [agent.user.email]
    with pytest.raises(PermissionError):
        services.alert_settings_save(workspace=workspace, by=agent, min_count=5, min_score=3.0, email_enabled=True,
                                     notify_managers=True, recipient_ids=[])


def test_report_counts_changes_verbatims_and_exports(workspace, spike):
    ticket = make_ticket(workspace, subject="환불 문의", body="홍길동입니다. 010-1234-5678 로 연락 주세요. 환불이 안 돼요",
                         name="홍길동")
    refund = Category.objects.get(workspace=workspace, name="환불")
    Ticket.objects.filter(pk=ticket.pk).update(product=spike, category=refund, created_at=Ticket.objects.filter(
        workspace=workspace, category=refund).order_by("-created_at").first().created_at)
    report = build_report(workspace=workspace, product=spike, start=TODAY - timedelta(days=13), end=TODAY)
    row = next(r for r in report.reasons if r.label == "취소/교환/반품 > 환불")
    assert row.count == 4 + 40 + 1 and row.previous == 8
    assert report.open_count == 1 and report.open_tickets[0].number == ticket.number
    assert report.verbatims and "010-****-5678" in report.verbatims[0].text and "홍길동" not in report.verbatims[0].text
    assert report.remedies_available and report.remedies == []
    assert "<svg" in report.chart_svg()
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    assert book.sheetnames == ["요약", "사유별", "주별 추이", "고객 의견", "보상 내역", "미해결 티켓"]
    assert book["사유별"]["A2"].value == "취소/교환/반품 > 환불"
    assert Message.objects.filter(ticket=ticket).exists()


def test_report_lists_the_remedies_paid_for_the_product(workspace, spike):
    from cxops.complaints import services as complaints

    agent, lead = make_member(workspace, "agent"), make_member(workspace, "lead")
    ticket = make_ticket(workspace, subject="불량 환불", body="제품이 불량이에요")
    refund = Category.objects.get(workspace=workspace, name="환불")
    Ticket.objects.filter(pk=ticket.pk).update(product=spike, category=refund)
    ticket.refresh_from_db()
    paid = complaints.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=50_000, reason="불량")
    complaints.remedy_approve(remedy=paid, by=lead, reason="불량 확인")
    complaints.remedy_reject(remedy=complaints.remedy_propose(ticket=ticket, by=agent, kind="coupon", amount=90_000,
                                                              reason="추가 요청"), by=lead, reason="중복")
    today = date.fromisoformat(paid.created_at.astimezone(ZoneInfo("Asia/Seoul")).date().isoformat())
    report = build_report(workspace=workspace, product=spike, start=today - timedelta(days=6), end=today)
    assert report.remedies == [{"reason": "취소/교환/반품 > 환불", "kind": "환불", "count": 1, "amount": 50_000}]
    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["보상 내역"]
    assert [c.value for c in sheet[2]] == ["취소/교환/반품 > 환불", "환불", 1, 50_000]


def test_pdf_has_korean_font(workspace, spike):
    try:
        korean_font()
    except Exception:
        pytest.skip("no Korean font installed (apt-get install fonts-noto-cjk)")
    report = build_report(workspace=workspace, product=spike, start=TODAY - timedelta(days=6), end=TODAY)
    pdf = to_pdf(report)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_missing_font_is_a_clear_error(settings, monkeypatch):
    from cxops.core.services import ServiceError
    from cxops.insights import report

    monkeypatch.setattr(report, "FONT_CANDIDATES", ())
    settings.CXOPS_PDF_FONT = "/nonexistent.ttf"
    with pytest.raises(ServiceError, match="fonts-noto-cjk"):
        report.korean_font()


def test_share_tokens_expire_and_stay_in_their_workspace(workspace, other_workspace, spike, client):
    token = share_token(workspace_id=workspace.pk, product_id=spike.pk, start=TODAY - timedelta(days=6), end=TODAY,
                        days=7)
    assert share_grant(token, workspace_id=workspace.pk).product_id == spike.pk
    assert share_grant(token, workspace_id=other_workspace.pk) is None
    assert share_grant(token + "x", workspace_id=workspace.pk) is None
    response = client.get(f"/s/shop/voc-report/{token}/")
    assert response.status_code == 200 and "무선 이어폰" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(f"/s/shop/voc-report/{token}/?format=xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    assert client.get(f"/s/other/voc-report/{token}/").status_code == 404
    from django.core import signing

    with pytest.MonkeyPatch.context() as mp:
        real = signing.loads
        mp.setattr(signing, "loads", lambda t, **kw: real(t, **{**kw, "max_age": -1} if "max_age" in kw else kw))
        assert share_grant(token, workspace_id=workspace.pk) is None


def test_weekly_email_to_a_list(workspace, spike, admin):
    sub = services.report_subscription_create(workspace=workspace, by=admin, product=spike,
                                              emails=["qa@example.kr", " MD@example.kr "])
    assert sub.emails == ["qa@example.kr", "md@example.kr"]
    assert send_weekly(sub, today=date(2026, 11, 23))
    message = mail.outbox[-1]
    assert message.to == ["qa@example.kr", "md@example.kr"]
    assert "2026-11-16 ~ 2026-11-22" in message.subject
    assert message.attachments and "/s/shop/voc-report/" in message.body
    from cxops.core.services import ServiceError

    with pytest.raises(ServiceError):
        services.report_subscription_create(workspace=workspace, by=admin, product=spike, emails=["not-an-email"])


def test_alert_rows_are_kept_per_workspace(workspace, other_workspace, spike):
    scan_workspace(workspace=workspace, until=TODAY, send_email=False)
    assert TrendAlert.objects.filter(workspace=other_workspace).count() == 0
