"""The collaboration API: checklists, change calendar, request and decision log, exception queues."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxops.collaboration.models import ChecklistItem, ExceptionItem, RequestRevision
from tests.api.conftest import error_of
from tests.collaboration.fixtures import make_collab_objects
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db

TEMPLATE = {"name": "신규 제휴몰 입점", "items": [
    {"title": "전화번호 개통", "owner_team": "IT", "offset_business_days": -6},
    {"title": "오픈 당일 점검", "owner_team": "고객센터", "offset_business_days": 0},
    {"title": "첫 주 점검", "owner_team": "고객센터", "offset_business_days": 3},
]}


def test_instantiate_from_a_template_computes_business_day_due_dates(agent_api, workspace):
    # 2026-10-05 (Mon) is the substitute holiday of 개천절 (Sat 10-03): offset 0 moves back to Fri 10-02.
    response = agent_api.post("/workspaces/shop/checklists", {"launch_date": "2026-10-05", "template": TEMPLATE})
    assert response.status_code == 201, response.content
    body = response.json()
    items = {i["title"]: i for i in body["items"]}
    assert items["전화번호 개통"]["due_date"] == "2026-09-23"  # six business days back over Chuseok 9/24-25
    assert items["오픈 당일 점검"] == {**items["오픈 당일 점검"], "due_date": "2026-10-02", "d_label": "D-3"}
    assert items["첫 주 점검"]["due_date"] == "2026-10-08"
    assert items["첫 주 점검"]["d_label"] == "D+3"
    assert body["total"] == 3 and body["done"] == 0
    listed = agent_api.get("/workspaces/shop/checklists").json()
    assert [c["id"] for c in listed["items"]] == [body["id"]] and listed["next_cursor"] is None


def test_instantiate_needs_exactly_one_template(agent_api, workspace):
    response = agent_api.post("/workspaces/shop/checklists", {"launch_date": "2026-10-05"})
    assert response.status_code == 422
    assert "template" in error_of(response)["message"]
    response = agent_api.post("/workspaces/shop/checklists", {"launch_date": "9999-12-31", "template": TEMPLATE})
    assert response.status_code == 422


def test_update_item_status_assignee_and_comment(agent_api, agent, workspace, other_workspace):
    ids = make_collab_objects(workspace, agent)
    path = f"/workspaces/shop/checklist-items/{ids.checklist_item_id}"
    response = agent_api.patch(path, {"status": "done", "assignee_id": agent.user.pk,
                                      "outside_team_email": "partner@example.kr"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "done" and body["assignee"]["id"] == agent.user.pk and body["done_at"]
    assert body["outside_team_email"] == "partner@example.kr"
    # Only what is sent changes; null clears the assignee.
    body = agent_api.patch(path, {"assignee_id": None}).json()
    assert body["assignee"] is None and body["status"] == "done"
    stranger = make_member(other_workspace, "agent")
    response = agent_api.patch(path, {"assignee_id": stranger.user.pk})
    assert response.status_code == 400
    assert agent_api.patch(path, {"outside_team_email": "not-an-email"}).status_code == 400
    comment = agent_api.post(path + "/comments", {"body": "확인 완료"})
    assert comment.status_code == 201 and comment.json()["author"] == agent.user.label
    detail = agent_api.get(f"/workspaces/shop/checklists/{ids.checklist_id}").json()
    item = next(i for i in detail["items"] if i["id"] == ids.checklist_item_id)
    assert [c["body"] for c in item["comments"]] == ["확인 완료"]
    assert ChecklistItem.objects.get(pk=ids.checklist_item_id).done_by_label == agent.user.label


def test_change_calendar_range_create_and_update(agent_api, agent, workspace):
    macro = make_ticket(workspace)  # a ticket, not a macro: its id must be refused as a macro id
    base = {"kind": "marketing", "title": "가을 세일 푸시", "starts_on": "2026-11-10", "ends_on": "2026-11-12",
            "channels": "앱 푸시", "expected_impact": "high", "prepared_answer": "쿠폰은 11/12까지 쓸 수 있습니다."}
    created = agent_api.post("/workspaces/shop/changes", base)
    assert created.status_code == 201, created.content
    event = created.json()
    assert event["submitted_by"] == agent.user.label and event["remind_days_before"] is None
    assert agent_api.post("/workspaces/shop/changes", {**base, "ends_on": "2026-11-01"}).status_code == 400
    assert agent_api.post("/workspaces/shop/changes", {**base, "macro_ids": [macro.pk + 999]}).status_code == 400
    inside = agent_api.get("/workspaces/shop/changes", {"start": "2026-11-12", "end": "2026-11-30"}).json()
    assert [e["id"] for e in inside] == [event["id"]]
    assert agent_api.get("/workspaces/shop/changes", {"start": "2026-11-13", "end": "2026-11-30"}).json() == []
    too_long = agent_api.get("/workspaces/shop/changes", {"start": "2026-01-01", "end": "2027-12-31"})
    assert too_long.status_code == 422
    updated = agent_api.patch(f"/workspaces/shop/changes/{event['id']}", {"remind_days_before": 5,
                                                                           "title": "가을 세일 2차"})
    assert updated.status_code == 200
    assert updated.json()["remind_days_before"] == 5 and updated.json()["title"] == "가을 세일 2차"
    assert updated.json()["channels"] == "앱 푸시"
    assert agent_api.patch(f"/workspaces/shop/changes/{event['id']}", {"title": None}).status_code == 422


def test_requests_history_decisions_positions_and_search(agent_api, agent, workspace):
    ticket = make_ticket(workspace)
    created = agent_api.post("/workspaces/shop/requests", {
        "title": "자동 품절취소 실패 주문 관리 화면", "department": "개발팀", "priority": "high",
        "owner_id": agent.user.pk, "ticket_numbers": [ticket.number],
        "stakeholders": [{"name": "물류팀", "position": "화면이 있으면 매일 확인하겠다"}]})
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    base = f"/workspaces/shop/requests/{number}"
    assert agent_api.post(base + "/status", {"status": "in_review"}).status_code == 200
    assert agent_api.post(base + "/positions", {"name": "개발팀", "position": "다음 분기에 가능"}).status_code == 200
    decided = agent_api.post(base + "/decisions", {"decision": "다음 분기 개발", "decision_date": "2026-11-20",
                                                   "rationale": "월 300건 수작업"})
    assert decided.status_code == 200
    detail = decided.json()
    assert detail["status"] == "decided" and detail["revision"] == 4
    assert [r["revision"] for r in detail["history"]] == [4, 3, 2, 1]
    assert detail["history"][-1]["status"] == "open" and detail["history"][-1]["decision"] == ""
    assert {s["name"] for s in detail["current"]["stakeholders"]} == {"물류팀", "개발팀"}
    assert detail["current"]["ticket_numbers"] == [ticket.number]
    assert detail["owner"]["id"] == agent.user.pk
    assert RequestRevision.objects.filter(request__number=number).count() == 4
    found = agent_api.get("/workspaces/shop/requests", {"q": "품절취소"}).json()
    assert [r["number"] for r in found["items"]] == [number]
    assert agent_api.get("/workspaces/shop/requests", {"q": "없는말"}).json()["items"] == []
    assert agent_api.get("/workspaces/shop/requests", {"status": "decided"}).json()["items"][0]["number"] == number
    missing = agent_api.post("/workspaces/shop/requests", {"title": "x", "ticket_numbers": [987654]})
    assert missing.status_code == 400 and "#987654" in error_of(missing)["message"]


def test_exception_queue_import_list_done_and_check(agent_api, agent, workspace):
    ids = make_collab_objects(workspace, agent)
    base = f"/workspaces/shop/queues/{ids.queue_id}"
    imported = agent_api.post(base + "/items", {"rows": [
        {"reference": "ORD-1"}, {"reference": "ORD-3", "summary": "환불 실패", "data": {"금액": "12000"}}]})
    assert imported.json() == {"added": 1, "skipped": 1}
    open_items = agent_api.get(base + "/items").json()["items"]
    assert [i["reference"] for i in open_items] == ["ORD-1", "ORD-2", "ORD-3"]
    assert open_items[2]["data"] == {"금액": "12000"} and open_items[2]["source"] == "api"
    done = agent_api.post(f"/workspaces/shop/queue-items/{ids.queue_item_id}/done", {"note": "수동 취소"})
    assert done.status_code == 200 and done.json()["done_by"] == agent.user.label
    again = agent_api.post(f"/workspaces/shop/queue-items/{ids.queue_item_id}/done", {})
    assert again.status_code == 400
    assert [i["id"] for i in agent_api.get(base + "/items", {"done": "true"}).json()["items"]] == [ids.queue_item_id]
    queues = agent_api.get("/workspaces/shop/queues").json()
    assert queues[0]["open"] == 2 and queues[0]["done_today"] == 1 and queues[0]["last_checked_at"] is None
    checked = agent_api.post(base + "/check").json()
    assert checked["last_checked_by"] == agent.user.label and checked["check_missed"] is False
    assert ExceptionItem.objects.filter(queue_id=ids.queue_id, done_at__isnull=True).count() == 2


def test_list_endpoints_have_a_fixed_query_count(agent_api, agent, workspace):
    for _ in range(2):
        make_collab_objects(workspace, agent, requests=2)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert agent_api.get(path).status_code == 200
        return len(ctx.captured_queries)

    paths = ["/workspaces/shop/checklists", "/workspaces/shop/requests", "/workspaces/shop/queues",
             f"/workspaces/shop/changes?start={timezone.localdate()}"]
    count(paths[0])  # the token's first use of the day is recorded once
    before = {p: count(p) for p in paths}
    for _ in range(3):
        make_collab_objects(workspace, agent, requests=3)
    assert {p: count(p) for p in paths} == before
    checklist = ChecklistItem.objects.filter(checklist__workspace=workspace).first().checklist_id
    detail_before = count(f"/workspaces/shop/checklists/{checklist}")
    assert detail_before <= 10


def test_viewers_read_but_cannot_instantiate(viewer_api, workspace):
    response = viewer_api.post("/workspaces/shop/checklists", {"launch_date": "2026-10-05", "template": TEMPLATE})
    assert response.status_code == 403
    assert viewer_api.get("/workspaces/shop/checklists").status_code == 200
