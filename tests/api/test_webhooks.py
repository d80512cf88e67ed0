"""Webhooks through the API, delivered for real to a local HTTP server and verified like a receiver would."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cxops.tickets.models import Webhook, WebhookDelivery
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook target on 127.0.0.1 (ephemeral port) that records requests and answers `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                # self.headers looks names up case-insensitively (urllib sends "X-cxops-event").
                receiver.requests.append({"path": self.path, "headers": self.headers, "body": body})
                payload = b'{"ok": true}' if receiver.status < 400 else b"receiver exploded"
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/cxops"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    # A proxy configured in the environment must not swallow requests to the local receiver.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with Receiver() as target:
        yield target


def test_ticket_created_through_the_api_is_delivered_signed(admin_api, workspace, receiver,
                                                            django_capture_on_commit_callbacks):
    created = admin_api.post("/workspaces/shop/webhooks", {"url": receiver.url, "events": ["ticket.created"]})
    assert created.status_code == 201, created.content
    hook = created.json()
    secret = hook["secret"]
    assert len(secret) >= 32 and hook["events"] == ["ticket.created"]
    # The secret is shown once: never again in the list.
    assert "secret" not in admin_api.get("/workspaces/shop/webhooks").json()[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post("/workspaces/shop/tickets", {
            "subject": "웹훅 시험", "body": "내용", "customer": {"name": "김민수", "phone": "010-1234-5678"}})
    assert response.status_code == 201
    number = response.json()["number"]

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks/cxops"
    assert headers["Content-Type"].startswith("application/json")
    assert headers["X-CXOps-Event"] == "ticket.created"
    timestamp = headers["X-CXOps-Timestamp"]
    assert abs(time.time() - int(timestamp)) < 60
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-CXOps-Signature"], f"sha256={expected}")
    # A receiver with the wrong secret would reject it.
    wrong = hmac.new(b"not-the-secret", timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-CXOps-Signature"] != f"sha256={wrong}"

    payload = json.loads(body)
    assert payload["event"] == "ticket.created"
    assert payload["ticket"]["workspace"] == "shop"
    assert payload["ticket"]["number"] == number
    assert payload["ticket"]["subject"] == "웹훅 시험"
    assert payload["ticket"]["channel"] == "api"

    delivery = WebhookDelivery.objects.get()
    assert headers["X-CXOps-Delivery"] == str(delivery.pk)
    assert (delivery.state, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)

    log = admin_api.get(f"/workspaces/shop/webhooks/{hook['id']}/deliveries").json()
    assert log["next_cursor"] is None
    assert log["items"][0]["state"] == "succeeded" and log["items"][0]["payload"]["ticket"]["number"] == number


def test_failing_target_leaves_a_delivery_log_row(admin_api, workspace, receiver,
                                                  django_capture_on_commit_callbacks):
    receiver.status = 500
    hook = admin_api.post("/workspaces/shop/webhooks",
                          {"url": receiver.url, "events": ["ticket.created", "ticket.updated"]}).json()
    with django_capture_on_commit_callbacks(execute=True):
        number = admin_api.post("/workspaces/shop/tickets", {"subject": "실패 시험", "body": "내용"}).json()["number"]
    with django_capture_on_commit_callbacks(execute=True):
        admin_api.patch(f"/workspaces/shop/tickets/{number}", {"priority": "urgent"})

    assert [r["headers"]["X-CXOps-Event"] for r in receiver.requests] == ["ticket.created", "ticket.updated"]
    items = admin_api.get(f"/workspaces/shop/webhooks/{hook['id']}/deliveries").json()["items"]
    assert [item["event"] for item in items] == ["ticket.updated", "ticket.created"]
    for item in items:
        # One attempt so far; the job has scheduled the retry with back-off.
        assert item["attempts"] == 1
        assert item["state"] == "pending"
        assert item["response_status"] == 500
        assert item["error"] == "HTTP 500"
        assert item["response_body"] == "receiver exploded"
        assert item["last_attempt_at"] is not None
    assert items[0]["payload"]["data"]["changes"]["priority"] == ["normal", "urgent"]

    page = admin_api.get(f"/workspaces/shop/webhooks/{hook['id']}/deliveries", {"limit": 1}).json()
    rest = admin_api.get(f"/workspaces/shop/webhooks/{hook['id']}/deliveries",
                         {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [page["items"][0]["id"], rest["items"][0]["id"]] == [items[0]["id"], items[1]["id"]]


def test_webhook_create_validation_and_delete(admin_api, workspace):
    bad_event = admin_api.post("/workspaces/shop/webhooks",
                               {"url": "https://example.kr/h", "events": ["ticket.deleted"]})
    assert bad_event.status_code == 422
    no_events = admin_api.post("/workspaces/shop/webhooks", {"url": "https://example.kr/h", "events": []})
    assert no_events.status_code == 422
    bad_url = admin_api.post("/workspaces/shop/webhooks", {"url": "ftp://example.kr/h", "events": ["ticket.created"]})
    assert bad_url.status_code == 422 and "http" in error_of(bad_url)["message"]

    hook = admin_api.post("/workspaces/shop/webhooks", {"url": "https://example.kr/h", "events": ["ticket.created"]})
    hook_id = hook.json()["id"]
    deleted = admin_api.delete(f"/workspaces/shop/webhooks/{hook_id}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert not Webhook.objects.filter(pk=hook_id).exists()
    assert admin_api.delete(f"/workspaces/shop/webhooks/{hook_id}").status_code == 404


@pytest.mark.parametrize("role_api", ["agent_api", "viewer_api"])
def test_webhooks_are_for_admins_only(request, admin_api, workspace, role_api):
    hook_id = admin_api.post("/workspaces/shop/webhooks",
                             {"url": "https://example.kr/h", "events": ["ticket.created"]}).json()["id"]
    api = request.getfixturevalue(role_api)
    for response in [
        api.get("/workspaces/shop/webhooks"),
        api.post("/workspaces/shop/webhooks", {"url": "https://example.kr/x", "events": ["ticket.created"]}),
        api.delete(f"/workspaces/shop/webhooks/{hook_id}"),
        api.get(f"/workspaces/shop/webhooks/{hook_id}/deliveries"),
    ]:
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"
    assert Webhook.objects.filter(workspace=workspace).count() == 1
