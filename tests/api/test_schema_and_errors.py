"""The OpenAPI schema, the offline docs page, and the one error format for every kind of error."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cxops.api import schemas as api_schemas
from cxops.api.api import api
from cxops.core.services import api_token_create
from tests.api.conftest import BASE, ApiClient, error_of
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def operations():
    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_operation_documents_its_response_and_errors():
    components = api.get_openapi_schema()["components"]["schemas"]
    for path, method, op in operations():
        success = [code for code in op["responses"] if str(code).startswith("2")]
        assert success, (method, path)
        for code in success:
            if str(code) == "204":
                continue
            content = op["responses"][code].get("content", {})
            # JSON, or a documented file download (the original of a quarantined mail).
            assert content and all("schema" in body for body in content.values()), (method, path, code)
            assert "application/json" in content or all(
                body["schema"].get("format") == "binary" for body in content.values()), (method, path, code)
        for code in (400, 401, 403, 404, 422, 429):
            ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorOut"), (method, path, code)
        assert op.get("summary"), (method, path)
        assert op.get("security"), (method, path)
    error = components["ErrorBody"]
    assert set(error["properties"]) == {"code", "message", "details"}


def test_operation_ids_and_schema_names_are_unique():
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids))
    # Ninja keys components by class name; two schemas with one name would overwrite each other.
    names: dict[str, type] = {}
    stack = [api_schemas.ApiSchema]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("cxops.api."):
                assert names.setdefault(sub.__name__, sub) is sub, f"two schemas named {sub.__name__}"
            stack.append(sub)
    assert "TicketCreateInput" in names and "TicketUpdateInput" in names


def test_openapi_json_and_metadata(client):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "CXOps API" and schema["info"]["version"] == "1"
    assert "X-CXOps-Signature" in schema["info"]["description"]
    assert f"{BASE}/workspaces/{{slug}}/tickets" in schema["paths"]


def test_docs_page_needs_nothing_from_the_internet(client):
    response = client.get(f"{BASE}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # Every script, stylesheet and icon comes from this server.
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith(f"{BASE}/docs/assets/") for src in sources), sources
    assert "cdn" not in html.lower() and "//" not in "".join(sources)
    assert '"validatorUrl": null' in html
    assert f'"url": "{BASE}/openapi.json"' in html
    for src in sources:
        asset = client.get(src)
        assert asset.status_code == 200, src
        assert b"".join(asset.streaming_content)
    assert client.get(f"{BASE}/docs/assets/redoc.standalone.js").status_code == 404
    assert client.get(f"{BASE}/docs/assets/..%2F..%2F__init__.py").status_code == 404


def test_unknown_paths_and_methods_use_the_error_format(agent_api):
    for path in ["/nope", "/", "/workspaces/shop/tickets/abc", "/workspaces/bad%20slug"]:
        response = agent_api.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"
    response = agent_api.send("PUT", "/workspaces")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


def test_malformed_json_is_a_bad_request(agent_api, workspace):
    response = agent_api.client.post(f"{BASE}/workspaces/shop/tickets", data="{not json",
                                      content_type="application/json",
                                      headers={"Authorization": f"Bearer {agent_api.token}"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


def test_validation_errors_are_detailed_in_korean(agent_api, workspace):
    response = agent_api.post("/workspaces/shop/tickets", {"subject": "x" * 300, "priority": "soon"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["message"].startswith("입력값이 올바르지 않습니다.")
    by_loc = {tuple(d["loc"]): d for d in error["details"]}
    assert by_loc[("body", "subject")] == {"loc": ["body", "subject"], "msg": "250자 이하로 입력해 주세요.",
                                          "type": "string_too_long"}
    assert by_loc[("body", "priority")]["type"] == "enum"
    assert "urgent" in by_loc[("body", "priority")]["msg"]


def test_service_errors_are_400_with_the_service_message(agent_api, workspace):
    ticket = make_ticket(workspace)
    response = agent_api.post(f"/workspaces/shop/tickets/{ticket.number}/replies", {"body": ""})
    assert response.status_code == 400
    assert error_of(response)["message"] == "답변 내용을 입력해 주세요."


def test_rate_limit_per_token(settings, agent, workspace):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_api": "3/60"}
    _t, first = api_token_create(user=agent.user, name="a")
    _t, second = api_token_create(user=agent.user, name="b")
    api_a, api_b = ApiClient(Client(), first), ApiClient(Client(), second)
    assert [api_a.get("/workspaces").status_code for _ in range(3)] == [200, 200, 200]
    limited = api_a.get("/workspaces")
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another token of the same person has its own budget.
    assert api_b.get("/workspaces").status_code == 200

    settings.RATE_LIMITS_ENABLED = False
    assert api_a.get("/workspaces").status_code == 200


def test_unexpected_errors_are_logged_and_answered_in_the_error_format(agent_api, workspace, monkeypatch, caplog):
    from cxops.tickets import selectors

    def explode(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "macros_list", explode)
    agent_api.client.raise_request_exception = False
    response = agent_api.get("/workspaces/shop/macros")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error" and "database" not in error["message"]
    assert any("database on fire" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_korean_text_is_not_escaped(agent_api, workspace):
    response = agent_api.get("/workspaces/shop")
    assert "맛있는 식탁".encode() in response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
