from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from cxops.core.models import Membership
from cxops.core.services import api_token_create

BASE = "/api/v1"


class ApiClient:
    """The Django test client speaking JSON with an API token (or with the session, token=None)."""

    def __init__(self, client: Client, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(BASE + path, data=params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        data = "" if body is None else json.dumps(body)
        return self.client.generic(method, BASE + path, data=data, content_type="application/json",
                                   headers=self._headers(headers))

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("POST", path, {} if body is None else body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("PATCH", path, {} if body is None else body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.send("DELETE", path, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # Rate-limit counters live in the (process-wide) cache; every test starts with none.
    cache.clear()


@pytest.fixture
def api_as(db: None) -> Callable[[Membership], ApiClient]:
    def make(membership: Membership) -> ApiClient:
        _token, raw = api_token_create(user=membership.user, name="test")
        return ApiClient(Client(), raw)

    return make


@pytest.fixture
def agent_api(api_as: Callable[[Membership], ApiClient], agent: Membership) -> ApiClient:
    return api_as(agent)


@pytest.fixture
def admin_api(api_as: Callable[[Membership], ApiClient], admin: Membership) -> ApiClient:
    return api_as(admin)


@pytest.fixture
def viewer_api(api_as: Callable[[Membership], ApiClient], viewer: Membership) -> ApiClient:
    return api_as(viewer)


def error_of(response: Any) -> dict[str, Any]:
    """The error object of a response, after checking it has exactly the API's error shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    return body["error"]
