from __future__ import annotations

from datetime import date

import pytest

from cxops.insights import services
from cxops.insights.alerts import scan_workspace
from cxops.tickets.models import Product
from tests.api.conftest import ApiClient, api_as  # noqa: F401  (fixture)
from tests.factories import make_member, make_ticket
from tests.insights.test_alerts_reports import TODAY, spike  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_suggestions_list_confirm_and_correct(api_as, workspace, agent):  # noqa: F811
    ticket = make_ticket(workspace, subject="환불 요청", body="환불 언제 되나요")
    services.suggestions_refresh_ticket(ticket=ticket)
    client: ApiClient = api_as(agent)
    listed = client.get(f"/workspaces/shop/tickets/{ticket.number}/tag-suggestions").json()
    assert [s["field"] for s in listed] == ["category", "product", "type"]
    category = listed[0]
    assert category["label"] == "취소/교환/반품 > 환불" and category["status"] == "suggested"
    done = client.post(f"/workspaces/shop/tickets/{ticket.number}/tag-suggestions", {"field": "category"}).json()
    assert done["status"] == "confirmed" and done["final_label"] == "취소/교환/반품 > 환불"
    fixed = client.post(f"/workspaces/shop/tickets/{ticket.number}/tag-suggestions",
                        {"field": "type", "label": "complaint"}).json()
    assert fixed["final_label"] == "complaint"
    ticket.refresh_from_db()
    assert ticket.type == "complaint" and ticket.category.name == "환불"
    bad = client.post(f"/workspaces/shop/tickets/{ticket.number}/tag-suggestions", {"field": "product", "label": "없음"})
    assert bad.status_code == 400 and "없는 상품" in bad.json()["error"]["message"]


def test_trends_alerts_products(api_as, workspace, spike):  # noqa: F811
    scan_workspace(workspace=workspace, until=TODAY, send_email=False)
    client = api_as(make_member(workspace, "client_viewer"))
    alerts = client.get("/workspaces/shop/voc/alerts").json()
    assert alerts and alerts[0]["tickets_url"].startswith("/w/shop/inbox/?view=all")
    rows = client.get("/workspaces/shop/voc/trends", {"by": "product", "period": "month", "periods": 3}).json()
    assert all(r["key"] == "무선 이어폰" for r in rows)
    assert {"key", "period_start", "count", "share", "expected", "score", "alert", "explanation"} == set(rows[0])
    assert client.get("/workspaces/shop/voc/trends", {"by": "nope"}).status_code == 422
    Product.objects.create(workspace=workspace, name="보조배터리", code="PB-1")
    products = client.get("/workspaces/shop/products", {"q": "PB"}).json()
    assert [p["name"] for p in products] == ["보조배터리"]
    assert date.fromisoformat(rows[0]["period_start"]).day == 1
