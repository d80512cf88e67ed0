"""Complaint pages: ticket panel actions, the overview, report + XLSX, settings, permissions."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cxops.complaints import services
from cxops.complaints.models import (
    CompensationPolicy,
    ComplaintFlag,
    ComplaintRule,
    EscalationRule,
    Remedy,
    RemedyStatus,
)
from cxops.tickets.models import Product
from tests.conftest import login
from tests.factories import make_member, make_ticket, make_workspace


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _ticket(workspace, capture, body="주문한 상품이 안 왔어요"):
    with capture(execute=True):
        return make_ticket(workspace, body=body)


def test_panel_flag_propose_and_lead_approves(client: Client, workspace, agent, lead, admin,
                                              django_capture_on_commit_callbacks):
    services.policy_add(workspace=workspace, by=admin, kind="refund", max_amount=100_000)
    ticket = _ticket(workspace, django_capture_on_commit_callbacks)
    base = f"/w/{workspace.slug}/tickets/{ticket.number}/complaint/"
    login(client, agent)
    page = client.get(base)
    assert page.status_code == 200 and "민원으로 감지되지 않았습니다" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(base + "flag/", {"action": "flag", "complaint_type": "quality", "severity": "high"},
                        HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "민원으로 지정하고 팀장에게 알렸습니다" in r.content.decode()
    assert ComplaintFlag.objects.get(ticket=ticket).complaint_type == "quality"
    r = client.post(base + "remedy/", {"kind": "refund", "amount": "50,000", "reason": "불량 환불"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert "승인을 요청했습니다" in html and "₩50,000" in html and "승인 대기" in html
    remedy = Remedy.objects.get(ticket=ticket)
    assert 'value="approve"' not in html  # the proposer sees no approve button
    # The agent cannot approve, even by posting.
    r = client.post(f"/w/{workspace.slug}/complaints/remedies/{remedy.pk}/", {"action": "approve"},
                    HTTP_HX_REQUEST="true")
    assert "팀장 이상" in r.content.decode() or r.status_code == 403
    remedy.refresh_from_db()
    assert remedy.status == RemedyStatus.PENDING
    login(client, lead)
    assert 'value="approve"' in client.get(base).content.decode()
    r = client.post(f"/w/{workspace.slug}/complaints/remedies/{remedy.pk}/", {"action": "approve", "reason": "확인"},
                    HTTP_HX_REQUEST="true")
    assert "보상을 승인했습니다" in r.content.decode()
    remedy.refresh_from_db()
    assert remedy.status == RemedyStatus.APPROVED and remedy.approver == lead.user


def test_amount_must_be_a_number(client, workspace, agent, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks)
    login(client, agent)
    r = client.post(f"/w/{workspace.slug}/tickets/{ticket.number}/complaint/remedy/",
                    {"kind": "refund", "amount": "오만원", "reason": "x"}, HTTP_HX_REQUEST="true")
    assert "금액을 숫자(원)로 입력해 주세요" in r.content.decode()


def test_viewer_reads_but_cannot_flag(client, workspace, viewer, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks)
    login(client, viewer)
    base = f"/w/{workspace.slug}/tickets/{ticket.number}/complaint/"
    page = client.get(base).content.decode()
    assert "민원으로 지정" not in page
    assert client.post(base + "flag/", {"action": "flag"}).status_code == 403
    assert client.get(f"/w/{workspace.slug}/complaints/").status_code == 200


def test_other_workspace_is_404(client, workspace, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks)
    other = make_workspace()
    stranger = make_member(other, "admin")
    login(client, stranger)
    assert client.get(f"/w/{workspace.slug}/tickets/{ticket.number}/complaint/").status_code == 404
    assert client.get(f"/w/{workspace.slug}/complaints/").status_code == 404
    remedy_url = f"/w/{other.slug}/complaints/remedies/999999/"
    assert client.post(remedy_url, {"action": "approve"}).status_code == 404


def test_overview_lists_pending_escalations_and_regulators_in_few_queries(
        client, workspace, agent, lead, admin, django_capture_on_commit_callbacks):
    services.policy_add(workspace=workspace, by=admin, kind="refund", max_amount=100_000)
    login(client, lead)
    for i in range(3):
        ticket = _ticket(workspace, django_capture_on_commit_callbacks, f"소비자원에 신고할게요 {i}")
        services.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=40_000 + i, reason="r")
        services.regulator_add(workspace=workspace, by=agent, agency="kca", reference_number=f"KCA-{i}",
                               received_on=date(2026, 12, 1), response_due=date(2026, 12, 9 + i), ticket=ticket)
    client.get(f"/w/{workspace.slug}/complaints/")  # warm caches (sidebar counts)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(f"/w/{workspace.slug}/complaints/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<td class="num">KCA-') == 3 and "₩40,002" in html
    assert ("D-" in html or "D+" in html) and html.count("[민원 1차]") == 0
    assert len(ctx.captured_queries) <= 20, [q["sql"] for q in ctx.captured_queries]


def test_regulator_form(client, workspace, agent, lead, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks)
    login(client, agent)
    r = client.post(f"/w/{workspace.slug}/complaints/regulator/", {
        "agency": "1372", "reference_number": "1372-77", "received_on": "2026-12-01", "response_due": "2026-12-08",
        "ticket_number": str(ticket.number)}, follow=True)
    assert "기관 민원을 등록했습니다" in r.content.decode()
    assert ComplaintFlag.objects.get(ticket=ticket).severity == "critical"
    r = client.post(f"/w/{workspace.slug}/complaints/regulator/", {
        "agency": "1372", "reference_number": "1372-78", "received_on": "2026-12-09", "response_due": "2026-12-08"},
        follow=True)
    assert "회신 기한은 접수일 이후여야 합니다" in r.content.decode()


def test_report_and_xlsx(client, workspace, agent, lead, admin, django_capture_on_commit_callbacks):
    services.policy_add(workspace=workspace, by=admin, kind="coupon", max_amount=10_000)
    product = Product.objects.create(workspace=workspace, name="=HYPERLINK(1)", product_type="과일")
    ticket = _ticket(workspace, django_capture_on_commit_callbacks)
    ticket.product = product
    ticket.save(update_fields=["product"])
    services.remedy_propose(ticket=ticket, by=agent, kind="coupon", amount=5_000, reason="사과")
    login(client, lead)
    html = client.get(f"/w/{workspace.slug}/complaints/report/").content.decode()
    assert "₩5,000" in html and "쿠폰" in html
    r = client.get(f"/w/{workspace.slug}/complaints/report.xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][3:] == (1, 5000)
    assert rows[-1][0] == "합계"


def test_settings_need_a_manager_and_save(client, workspace, agent, admin):
    login(client, agent)
    assert client.get(f"/w/{workspace.slug}/complaints/settings/").status_code == 403
    login(client, admin)
    assert client.get(f"/w/{workspace.slug}/complaints/settings/").status_code == 200
    save = f"/w/{workspace.slug}/complaints/settings/save/"
    client.post(save, {"op": "rule_add", "kind": "phrase", "value": "책임자", "weight": "0.8"})
    client.post(save, {"op": "matrix_add", "tier": "1", "owner_role": "lead", "response_minutes": "30",
                       "complaint_types": ["safety"]})
    client.post(save, {"op": "policy_add", "kind": "refund", "max_amount": "30,000", "channel": "email"})
    client.post(save, {"op": "limit_set", "member": str(agent.pk), "limit": "50000"})
    r = client.post(save, {"op": "config", "threshold": "0.7", "model_enabled": "on", "repeat_days": "5",
                           "repeat_min_tickets": "2", "regulator_reminder_days": "2", "limit_agent": "20000"},
                    follow=True)
    assert "설정을 저장했습니다" in r.content.decode()
    assert ComplaintRule.objects.get(workspace=workspace).weight == 0.8
    assert EscalationRule.objects.get(workspace=workspace).complaint_types == ["safety"]
    assert CompensationPolicy.objects.get(workspace=workspace).max_amount == 30_000
    assert services.authority_limit(agent) == 50_000
    lead2 = make_member(workspace, "lead")
    assert services.authority_limit(lead2) == 100_000
    r = client.post(save, {"op": "config", "threshold": "2"}, follow=True)
    assert "0.05~0.99" in r.content.decode()
    r = client.post(save, {"op": "retrain"}, follow=True)
    assert "모델을 다시 학습했습니다" in r.content.decode()
    assert "교차 검증 정확도" in client.get(f"/w/{workspace.slug}/complaints/settings/").content.decode()


def test_ticket_page_has_the_panel_and_sidebar_link(client, workspace, agent, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks)
    login(client, agent)
    html = client.get(f"/w/{workspace.slug}/tickets/{ticket.number}/").content.decode()
    assert f"/w/{workspace.slug}/tickets/{ticket.number}/complaint/" in html
    assert f"/w/{workspace.slug}/complaints/" in html
