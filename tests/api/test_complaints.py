"""REST API of complaint handling: flag, remedies and approval, escalations, regulators, report."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxops.complaints import services
from tests.api.conftest import error_of
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def test_flag_propose_approve_issue_and_report(api_as, workspace, django_capture_on_commit_callbacks):
    agent, lead, admin = (make_member(workspace, r) for r in ("agent", "lead", "admin"))
    services.policy_add(workspace=workspace, by=admin, kind="refund", max_amount=100_000)
    ticket = make_ticket(workspace, body="주문한 상품이 깨져서 왔어요")
    a, b = api_as(agent), api_as(lead)
    base = f"/workspaces/shop/tickets/{ticket.number}"
    with django_capture_on_commit_callbacks(execute=True):
        r = a.post(base + "/complaint/flag", {"complaint_type": "quality", "severity": "high", "note": "파손"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["flag"]["is_complaint"] and body["flag"]["source"] == "agent"
    assert body["escalations"][0]["tier"] == 1 and body["escalations"][0]["status"] == "open"

    r = a.post(base + "/remedies", {"kind": "refund", "amount": 50_000, "reason": "파손 환불"})
    assert r.status_code == 201 and r.json()["status"] == "pending_approval" and r.json()["proposer_limit"] == 30_000
    remedy_id = r.json()["id"]
    r = a.post(f"/workspaces/shop/remedies/{remedy_id}/approve", {"reason": "셀프"})
    assert r.status_code == 403 and error_of(r)["code"] == "forbidden"
    r = b.post(f"/workspaces/shop/remedies/{remedy_id}/reject", {"reason": ""})
    assert r.status_code == 400 and "반려 사유" in error_of(r)["message"]
    r = b.post(f"/workspaces/shop/remedies/{remedy_id}/approve", {"reason": "사진 확인"})
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["approver"] == lead.user.label
    assert a.post(f"/workspaces/shop/remedies/{remedy_id}/issue").json()["status"] == "issued"
    r = a.post(base + "/remedies", {"kind": "refund", "amount": -1, "reason": "x"})
    assert r.status_code in (400, 422)

    page = a.get("/workspaces/shop/remedies", {"limit": 10}).json()
    assert [i["id"] for i in page["items"]] == [remedy_id] and page["next_cursor"] is None
    report = a.get("/workspaces/shop/remedies/report").json()
    assert report == [{"product": "", "reason": "", "kind": "환불", "count": 1, "amount": 50_000}]

    esc = a.get("/workspaces/shop/escalations").json()["items"][0]
    assert b.post(f"/workspaces/shop/escalations/{esc['id']}/acknowledge").json()["status"] == "acknowledged"
    r = b.post(f"/workspaces/shop/escalations/{esc['id']}/resolve", {"resolution": "환불 완료 안내"})
    assert r.json()["status"] == "resolved"
    assert a.get("/workspaces/shop/escalations").json()["items"] == []


def test_regulator_complaints(api_as, workspace, django_capture_on_commit_callbacks):
    agent = make_member(workspace, "agent")
    make_member(workspace, "lead")
    ticket = make_ticket(workspace)
    a = api_as(agent)
    payload = {"agency": "epeople", "reference_number": "2AA-2612-0001234", "received_on": "2026-12-01",
               "response_due": "2026-12-15", "ticket_number": ticket.number, "summary": "국민신문고 이송 민원"}
    r = a.post("/workspaces/shop/regulator-complaints", payload)
    assert r.status_code == 201 and r.json()["ticket_number"] == ticket.number
    assert a.post("/workspaces/shop/regulator-complaints", payload).status_code == 400
    rows = a.get("/workspaces/shop/regulator-complaints").json()
    assert [row["reference_number"] for row in rows] == ["2AA-2612-0001234"]
    assert rows[0]["d_label"].startswith("D")
    detail = a.get(f"/workspaces/shop/tickets/{ticket.number}/complaint").json()
    assert detail["flag"]["severity"] == "critical" and detail["flag"]["source"] == "regulator"


def test_remedy_list_query_count_does_not_grow(api_as, workspace):
    agent, admin = make_member(workspace, "agent"), make_member(workspace, "admin")
    ticket = make_ticket(workspace)
    a = api_as(agent)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert a.get("/workspaces/shop/remedies", {"limit": 50}).status_code == 200
        return len(ctx.captured_queries)

    services.remedy_propose(ticket=ticket, by=admin, kind="coupon", amount=1000, reason="a")
    count()  # the first request of a token also records its last use
    one = count()
    for i in range(10):
        services.remedy_propose(ticket=ticket, by=admin, kind="coupon", amount=1000 + i, reason="b")
    assert count() == one
