"""Who may call the API: personal tokens, the browser session (with CSRF), and nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cxops.core.models import ApiToken
from cxops.core.services import api_token_create, api_token_revoke, membership_deactivate
from tests.api.conftest import BASE, ApiClient, error_of
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_token_authenticates_and_is_stored_only_as_a_hash(agent):
    token, raw = api_token_create(user=agent.user, name="연동")
    response = ApiClient(Client(), raw).get("/workspaces")
    assert response.status_code == 200
    assert [w["slug"] for w in response.json()] == ["shop"]
    token.refresh_from_db()
    assert raw not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    assert token.last_used_at is not None


def test_last_used_at_is_written_at_most_once_a_minute(agent):
    token, raw = api_token_create(user=agent.user, name="연동")
    api = ApiClient(Client(), raw)
    api.get("/workspaces")
    token.refresh_from_db()
    first = token.last_used_at
    api.get("/workspaces")
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    api.get("/workspaces")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_missing_credentials_are_401(client):
    response = client.get(f"{BASE}/workspaces")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "bearer cxo_wrong-token"])
def test_wrong_token_is_401(client, agent, header):
    response = client.get(f"{BASE}/workspaces", headers={"Authorization": header})
    assert response.status_code == 401
    assert "토큰" in error_of(response)["message"]


def test_revoked_token_is_rejected(agent):
    token, raw = api_token_create(user=agent.user, name="연동")
    api = ApiClient(Client(), raw)
    assert api.get("/workspaces").status_code == 200
    api_token_revoke(token=token, actor=agent.user)
    response = api.get("/workspaces")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_token_of_a_deactivated_user_is_rejected(agent):
    _token, raw = api_token_create(user=agent.user, name="연동")
    agent.user.is_active = False
    agent.user.save(update_fields=["is_active"])
    assert ApiClient(Client(), raw).get("/workspaces").status_code == 401


def test_a_wrong_token_is_not_rescued_by_a_session(agent):
    client = Client()
    client.force_login(agent.user)
    response = client.get(f"{BASE}/workspaces", headers={"Authorization": "Bearer cxo_wrong"})
    assert response.status_code == 401


def test_deactivated_membership_makes_the_workspace_invisible(agent, agent_api, admin):
    assert agent_api.get("/workspaces/shop").status_code == 200
    membership_deactivate(membership=agent, actor=admin.user)
    assert agent_api.get("/workspaces").json() == []
    response = agent_api.get("/workspaces/shop")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_session_reads_without_csrf(agent, workspace):
    make_ticket(workspace)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent.user)
    response = client.get(f"{BASE}/workspaces/shop/tickets")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


def test_session_writes_need_the_csrf_token(agent, workspace):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent.user)
    body = '{"subject": "세션으로 만든 티켓", "body": "내용"}'

    refused = client.post(f"{BASE}/workspaces/shop/tickets", data=body, content_type="application/json")
    assert refused.status_code == 403
    error = error_of(refused)
    assert error["code"] == "forbidden" and "CSRF" in error["message"]

    # The docs page hands the browser a CSRF cookie, as any page of the app does.
    client.get(f"{BASE}/docs")
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(f"{BASE}/workspaces/shop/tickets", data=body, content_type="application/json",
                           headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["subject"] == "세션으로 만든 티켓"


def test_token_requests_need_no_csrf(agent):
    _token, raw = api_token_create(user=agent.user, name="연동")
    client = Client(enforce_csrf_checks=True)
    response = ApiClient(client, raw).post("/workspaces/shop/tickets", {"subject": "토큰", "body": "내용"})
    assert response.status_code == 201
