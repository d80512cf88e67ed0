"""Tenant isolation and read-only client viewers, checked on EVERY route of the OpenAPI schema.

The walk takes the routes from the schema itself, so a new route is covered as soon as it exists;
it must only get a valid sample request in ROUTE_SAMPLES (the test fails until it has one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from cxops.api.api import api
from cxops.knowledge.models import Article
from cxops.knowledge.services import ArticleInput, article_create
from cxops.mail.models import Mailbox, QuarantinedEmail
from cxops.mail.services import email_ingest, mailbox_save
from cxops.sla.services import workspace_sla_defaults_install
from cxops.tickets.channels.base import CustomerRef
from cxops.tickets.models import Call, Customer, Message, Ticket, Webhook
from cxops.tickets.services import customer_find_or_create, webhook_create
from tests.api.conftest import ApiClient, error_of
from tests.assignment.fixtures import assignment_snapshot, make_assignment_objects
from tests.collaboration.fixtures import collab_snapshot, make_collab_objects
from tests.complaints.fixtures import make_complaint_objects
from tests.factories import make_member, make_ticket
from tests.workforce.fixtures import make_workforce_objects

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    # One walk sends more requests per token than the per-minute limit allows (the limit has its own test).
    settings.RATE_LIMITS_ENABLED = False

PREFIX = "/api/v1"

# (method, path template) → a request that passes validation: query parameters for GET, a JSON
# body for the others. `{source_id}` in a body is filled in like a path parameter.
ROUTE_SAMPLES: dict[tuple[str, str], dict[str, Any] | None] = {
    ("GET", "/workspaces"): None,
    ("GET", "/workspaces/{slug}"): None,
    ("GET", "/workspaces/{slug}/tickets"): {"status": "new"},
    ("POST", "/workspaces/{slug}/tickets"): {"subject": "새 문의", "body": "내용"},
    ("GET", "/workspaces/{slug}/tickets/{number}"): None,
    ("PATCH", "/workspaces/{slug}/tickets/{number}"): {"priority": "urgent", "tags": ["x"]},
    ("GET", "/workspaces/{slug}/tickets/{number}/messages"): None,
    ("POST", "/workspaces/{slug}/tickets/{number}/replies"): {"body": "답변"},
    ("POST", "/workspaces/{slug}/tickets/{number}/notes"): {"body": "메모"},
    ("POST", "/workspaces/{slug}/tickets/{number}/customer-messages"): {"body": "고객 메시지"},
    ("GET", "/workspaces/{slug}/customers"): {"q": "김"},
    ("GET", "/workspaces/{slug}/customers/{customer_id}"): None,
    ("PATCH", "/workspaces/{slug}/customers/{customer_id}"): {"tier": "VIP"},
    ("POST", "/workspaces/{slug}/customers/{customer_id}/merge"): {"source_id": "{source_id}"},
    ("GET", "/workspaces/{slug}/calls"): {"limit": 10},
    ("POST", "/workspaces/{slug}/calls"): {"summary": "통화", "phone": "010-7777-8888"},
    ("GET", "/workspaces/{slug}/search"): {"q": "배송"},
    ("GET", "/workspaces/{slug}/macros"): None,
    ("GET", "/workspaces/{slug}/webhooks"): None,
    ("POST", "/workspaces/{slug}/webhooks"): {"url": "https://example.kr/hook", "events": ["ticket.created"]},
    ("DELETE", "/workspaces/{slug}/webhooks/{webhook_id}"): None,
    ("GET", "/workspaces/{slug}/webhooks/{webhook_id}/deliveries"): None,
    ("GET", "/kb/suggest"): {"q": "배송", "workspace": "shop"},
    ("GET", "/workspaces/{slug}/kb/articles"): {"status": "published"},
    ("POST", "/workspaces/{slug}/kb/articles"): {"title": "새 문서", "body": "<p>내용</p>"},
    ("GET", "/workspaces/{slug}/kb/articles/{article_id}"): None,
    ("PATCH", "/workspaces/{slug}/kb/articles/{article_id}"): {"title": "바뀐 제목"},
    ("POST", "/workspaces/{slug}/kb/articles/{article_id}/publish"): {"status": "published"},
    ("GET", "/workspaces/{slug}/kb/categories"): None,
    ("GET", "/workspaces/{slug}/checklists"): {"limit": 10},
    ("POST", "/workspaces/{slug}/checklists"): {"launch_date": "2026-10-05", "template": {
        "name": "오픈", "items": [{"title": "전화번호 개통", "owner_team": "IT", "offset_business_days": -3}]}},
    ("GET", "/workspaces/{slug}/checklists/{checklist_id}"): None,
    ("PATCH", "/workspaces/{slug}/checklist-items/{checklist_item_id}"): {"status": "done", "outside_team": "물류팀"},
    ("POST", "/workspaces/{slug}/checklist-items/{checklist_item_id}/comments"): {"body": "확인했습니다"},
    ("GET", "/workspaces/{slug}/changes"): {"start": "2026-11-01", "end": "2026-12-31"},
    ("POST", "/workspaces/{slug}/changes"): {"kind": "promotion", "title": "겨울 세일", "starts_on": "2026-12-01"},
    ("GET", "/workspaces/{slug}/changes/{event_id}"): None,
    ("PATCH", "/workspaces/{slug}/changes/{event_id}"): {"expected_impact": "high"},
    ("GET", "/workspaces/{slug}/requests"): {"q": "관리"},
    ("POST", "/workspaces/{slug}/requests"): {"title": "반품 관리 화면 요청"},
    ("GET", "/workspaces/{slug}/requests/{request_number}"): None,
    ("POST", "/workspaces/{slug}/requests/{request_number}/decisions"): {"decision": "개발하기로 함",
                                                                         "decision_date": "2026-11-20"},
    ("POST", "/workspaces/{slug}/requests/{request_number}/positions"): {"name": "물류팀", "position": "매일 확인"},
    ("POST", "/workspaces/{slug}/requests/{request_number}/status"): {"status": "in_review"},
    ("GET", "/workspaces/{slug}/queues"): None,
    ("GET", "/workspaces/{slug}/queues/{queue_id}/items"): {"done": "false"},
    ("POST", "/workspaces/{slug}/queues/{queue_id}/items"): {"rows": [{"reference": "ORD-NEW-1"}]},
    ("POST", "/workspaces/{slug}/queues/{queue_id}/check"): None,
    ("POST", "/workspaces/{slug}/queue-items/{queue_item_id}/done"): {"note": "처리함"},
    ("GET", "/workspaces/{slug}/tickets/{number}/tag-suggestions"): None,
    ("POST", "/workspaces/{slug}/tickets/{number}/tag-suggestions"): {"field": "type", "label": "request"},
    ("GET", "/workspaces/{slug}/voc/trends"): {"by": "category", "period": "week", "periods": 4},
    ("GET", "/workspaces/{slug}/voc/alerts"): None,
    ("GET", "/workspaces/{slug}/products"): {"q": "이어폰"},
    ("GET", "/workspaces/{slug}/workforce/staffing"): {"calls": 100, "aht_s": 180, "shrinkage": "0.3"},
    ("GET", "/workspaces/{slug}/workforce/forecast"): {"channel": "phone", "days": 1},
    ("GET", "/workspaces/{slug}/workforce/schedules"): None,
    ("GET", "/workspaces/{slug}/workforce/schedules/{schedule_id}"): None,
    ("GET", "/workspaces/{slug}/workforce/kpis"): None,
    ("GET", "/workspaces/{slug}/notifications"): {"unread": "true"},
    ("POST", "/workspaces/{slug}/notifications/read"): {"ids": None},
    ("GET", "/workspaces/{slug}/notifications/preference"): None,
    ("PUT", "/workspaces/{slug}/notifications/preference"): {"digest": "hourly"},
    ("GET", "/workspaces/{slug}/mailboxes"): None,
    ("POST", "/workspaces/{slug}/mailboxes"): {"address": "new@shop.example", "imap_host": "127.0.0.1",
                                               "imap_user": "new", "smtp_host": "127.0.0.1"},
    ("GET", "/workspaces/{slug}/mailboxes/{mailbox_id}"): None,
    ("PATCH", "/workspaces/{slug}/mailboxes/{mailbox_id}"): {"name": "바뀐 이름", "imap_password": "새 비밀번호"},
    ("DELETE", "/workspaces/{slug}/mailboxes/{mailbox_id}"): None,
    ("POST", "/workspaces/{slug}/mailboxes/{mailbox_id}/test"): None,
    ("POST", "/workspaces/{slug}/mailboxes/{mailbox_id}/poll"): None,
    ("GET", "/workspaces/{slug}/mail-quarantine"): {"status": "all"},
    ("GET", "/workspaces/{slug}/mail-quarantine/{quarantine_id}"): None,
    ("GET", "/workspaces/{slug}/mail-quarantine/{quarantine_id}/raw"): None,
    ("POST", "/workspaces/{slug}/mail-quarantine/{quarantine_id}/reprocess"): None,
    ("POST", "/workspaces/{slug}/mail-quarantine/{quarantine_id}/discard"): None,
    ("GET", "/workspaces/{slug}/assignment/settings"): None,
    ("PUT", "/workspaces/{slug}/assignment/settings"): {"claim_order": "oldest_first"},
    ("GET", "/workspaces/{slug}/assignment/teams/{team_id}"): None,
    ("PUT", "/workspaces/{slug}/assignment/teams/{team_id}"): {"mode": "least_loaded"},
    ("POST", "/workspaces/{slug}/assignment/claim"): None,
    ("POST", "/workspaces/{slug}/tickets/{number}/assign"): None,
    ("GET", "/workspaces/{slug}/routing-rules"): None,
    ("POST", "/workspaces/{slug}/routing-rules"): {"name": "전화", "team_id": "{team_id}", "channels": ["phone"]},
    ("PATCH", "/workspaces/{slug}/routing-rules/{rule_id}"): {"position": 5},
    ("DELETE", "/workspaces/{slug}/routing-rules/{rule_id}"): None,
    ("GET", "/workspaces/{slug}/sla/calendars"): None,
    ("POST", "/workspaces/{slug}/sla/calendars"): {"name": "주말 달력", "weekly_hours": {"sat": ["10:00-14:00"]}},
    ("PATCH", "/workspaces/{slug}/sla/calendars/{calendar_id}"): {"cutoff_time": "16:00"},
    ("GET", "/workspaces/{slug}/sla/policies"): None,
    ("POST", "/workspaces/{slug}/sla/policies"): {"name": "VIP", "customer_tiers": ["VIP"],
                                                   "first_response_minutes": 30},
    ("PATCH", "/workspaces/{slug}/sla/policies/{policy_id}"): {"warn_share": 0.5},
    ("GET", "/workspaces/{slug}/tickets/{number}/complaint"): None,
    ("POST", "/workspaces/{slug}/tickets/{number}/complaint/flag"): {"complaint_type": "quality", "note": "항의"},
    ("POST", "/workspaces/{slug}/tickets/{number}/complaint/unflag"): {"note": "민원 아님"},
    ("POST", "/workspaces/{slug}/tickets/{number}/remedies"): {"kind": "coupon", "amount": 5000, "reason": "사과"},
    ("GET", "/workspaces/{slug}/remedies"): {"status": "pending_approval"},
    ("GET", "/workspaces/{slug}/remedies/report"): {"from": "2026-01-01"},
    ("POST", "/workspaces/{slug}/remedies/{remedy_id}/approve"): {"reason": "확인"},
    ("POST", "/workspaces/{slug}/remedies/{remedy_id}/reject"): {"reason": "정책 밖"},
    ("POST", "/workspaces/{slug}/remedies/{remedy_id}/issue"): None,
    ("GET", "/workspaces/{slug}/escalations"): {"limit": 10},
    ("POST", "/workspaces/{slug}/escalations/{escalation_id}/acknowledge"): None,
    ("POST", "/workspaces/{slug}/escalations/{escalation_id}/resolve"): {"resolution": "통화 완료"},
    ("GET", "/workspaces/{slug}/regulator-complaints"): None,
    ("POST", "/workspaces/{slug}/regulator-complaints"): {"agency": "1372", "reference_number": "1372-1",
                                                          "received_on": "2026-12-01", "response_due": "2026-12-10"},
}

# Routes about the caller's own things (their notifications): a client viewer may use them too.
PERSONAL = ("/notifications",)
OBJECT_PARAMS = ("number", "customer_id", "webhook_id", "article_id", "checklist_id", "checklist_item_id", "event_id",
                 "request_number", "queue_id", "queue_item_id", "schedule_id", "mailbox_id", "quarantine_id",
                 "team_id", "rule_id", "calendar_id", "policy_id", "remedy_id", "escalation_id")
# Admin-only routes (integration settings): a client viewer cannot even read them.
ADMIN_ONLY = ("/webhooks", "/mailboxes", "/mail-quarantine")
# Assignment settings and routing rules: managers and admins change them (agents get 403).
MANAGER_ONLY = ("/assignment/settings", "/assignment/teams/", "/routing-rules", "/sla/",
                # Approving remedies and handling escalations take a lead (or the escalation's owner).
                "/remedies/{remedy_id}/approve", "/remedies/{remedy_id}/reject", "/escalations/{escalation_id}/")


def schema_routes() -> list[tuple[str, str]]:
    routes = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        assert path.startswith(PREFIX)
        for method in operations:
            routes.append((method.upper(), path.removeprefix(PREFIX)))
    return routes


@dataclass
class Tenant:
    slug: str
    values: dict[str, Any]


def build_tenant(workspace: Any, tickets: int) -> Tenant:
    numbers = [make_ticket(workspace, subject=f"배송 문의 {i}", phone=f"010-4{workspace.pk:03d}-{i:04d}").number
               for i in range(tickets)]
    customer = Customer.objects.filter(workspace=workspace).order_by("pk").first()
    other = customer_find_or_create(workspace=workspace, ref=CustomerRef(name="김중복", phone="010-9876-5432"))
    owner = make_member(workspace, "admin")
    hook = webhook_create(workspace=workspace, by=owner, url="https://example.kr/a", events=["ticket.created"])
    article = article_create(workspace=workspace, by=owner.user, data=ArticleInput(title=f"배송 안내 {workspace.pk}"))
    mailbox = mailbox_save(workspace=workspace, by=owner, address=f"cs{workspace.pk}@shop.example",
                           imap_host="127.0.0.1", imap_port=1, imap_user="cs", imap_password="imap-secret",
                           smtp_host="127.0.0.1", smtp_port=1, smtp_password="smtp-secret")
    quarantined = email_ingest(workspace=workspace, raw=b"\r\n\r\n", mailbox=mailbox).quarantine_id
    sla = workspace_sla_defaults_install(workspace=workspace)
    return Tenant(workspace.slug, {"number": numbers[-1], "customer_id": customer.pk, "source_id": other.pk,
                                   "webhook_id": hook.pk, "article_id": article.pk, "mailbox_id": mailbox.pk,
                                   "quarantine_id": quarantined, "calendar_id": sla.calendar.pk,
                                   "policy_id": sla.policies[0].pk,
                                   **make_collab_objects(workspace, owner, requests=tickets).as_values(),
                                   **make_workforce_objects(workspace, owner).as_values(),
                                   **make_assignment_objects(workspace, owner).as_values(),
                                   **make_complaint_objects(workspace, owner, numbers[-1])})


def fill(template: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)


def call(client: ApiClient, method: str, template: str, values: dict[str, Any]) -> Any:
    sample = ROUTE_SAMPLES[(method, template)]
    path = fill(template, values)
    if method == "GET":
        return client.get(path, sample)
    body = None if sample is None else {
        key: (values[value[1:-1]] if isinstance(value, str) and value.startswith("{") else value)
        for key, value in sample.items()
    }
    return client.send(method, path, body)


def snapshot(workspace: Any) -> tuple[Any, ...]:
    tickets = Ticket.objects.filter(workspace=workspace)
    return (
        list(tickets.order_by("pk").values_list("pk", "priority", "status", "updated_at", "message_count")),
        Message.objects.filter(workspace=workspace).count(),
        Call.objects.filter(workspace=workspace).count(),
        list(Customer.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "tier", "merged_into")),
        list(Webhook.objects.filter(workspace=workspace).values_list("pk", flat=True)),
        list(Article.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "title", "status", "version")),
        collab_snapshot(workspace),
        assignment_snapshot(workspace),
        list(Mailbox.objects.filter(workspace=workspace).order_by("pk").values_list(
            "pk", "name", "imap_password_enc", "last_polled_at")),
        list(QuarantinedEmail.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "status")),
    )


def test_every_route_has_a_sample():
    assert sorted(schema_routes()) == sorted(ROUTE_SAMPLES)


def test_other_workspaces_are_404_on_every_route(api_as, workspace, other_workspace):
    mine = build_tenant(workspace, tickets=1)
    theirs = build_tenant(other_workspace, tickets=3)
    assert theirs.values["number"] != mine.values["number"]
    me = api_as(make_member(workspace, "admin"))
    before = snapshot(other_workspace)

    checked = 0
    for method, template in schema_routes():
        if "{slug}" not in template:
            continue
        # B's slug with B's objects: B does not exist as far as I can tell …
        response = call(me, method, template, {"slug": theirs.slug, **theirs.values})
        assert response.status_code == 404, (method, template, response.content)
        assert error_of(response)["code"] == "not_found"
        # … exactly like a workspace that does not exist at all.
        ghost = call(me, method, template, {"slug": "no-such-workspace", **theirs.values})
        assert (ghost.status_code, ghost.json()) == (404, response.json()), (method, template)
        checked += 1

        # My own slug with B's objects: still 404.
        if any(f"{{{param}}}" in template for param in OBJECT_PARAMS):
            response = call(me, method, template, {"slug": mine.slug, **theirs.values})
            assert response.status_code == 404, (method, template, response.content)
            assert error_of(response)["code"] == "not_found"
            checked += 1
    assert checked >= 30
    assert snapshot(other_workspace) == before


def test_merging_a_customer_of_another_workspace_is_404(api_as, workspace, other_workspace):
    mine = build_tenant(workspace, tickets=1)
    theirs = build_tenant(other_workspace, tickets=1)
    me = api_as(make_member(workspace, "agent"))
    response = me.post(f"/workspaces/shop/customers/{mine.values['customer_id']}/merge",
                       {"source_id": theirs.values["customer_id"]})
    assert response.status_code == 404
    assert Customer.objects.get(pk=theirs.values["customer_id"]).merged_into_id is None


def test_the_workspace_list_shows_only_my_workspaces(api_as, workspace, other_workspace):
    me = make_member(workspace, "agent")
    make_member(other_workspace, "agent")
    assert [w["slug"] for w in api_as(me).get("/workspaces").json()] == ["shop"]


def test_client_viewers_may_read_everything_but_write_nothing(api_as, workspace):
    tenant = build_tenant(workspace, tickets=2)
    viewer = api_as(make_member(workspace, "client_viewer"))
    before = snapshot(workspace)
    writes = 0
    for method, template in schema_routes():
        response = call(viewer, method, template, {"slug": tenant.slug, **tenant.values})
        if method == "GET":
            if any(part in template for part in ADMIN_ONLY):
                assert response.status_code == 403, template  # admin-only, not a viewer's
            else:
                assert response.status_code == 200, (template, response.content)
            continue
        if any(part in template for part in PERSONAL):
            assert response.status_code == 200, (method, template, response.content)
            continue
        assert response.status_code == 403, (method, template, response.content)
        error = error_of(response)
        assert error["code"] == "forbidden"
        writes += 1
    assert writes == sum(1 for method, path in ROUTE_SAMPLES
                         if method != "GET" and not any(part in path for part in PERSONAL))
    assert snapshot(workspace) == before


def test_agents_write_on_every_write_route_that_is_not_admin_only(api_as, workspace):
    tenant = build_tenant(workspace, tickets=2)
    agent = api_as(make_member(workspace, "agent"))
    for method, template in schema_routes():
        if method == "GET" or any(part in template for part in ADMIN_ONLY):
            continue
        if any(part in template for part in MANAGER_ONLY):
            response = call(agent, method, template, {"slug": tenant.slug, **tenant.values})
            assert response.status_code == 403, (method, template, response.content)
            continue
        response = call(agent, method, template, {"slug": tenant.slug, **tenant.values})
        assert response.status_code in (200, 201, 204), (method, template, response.content)
