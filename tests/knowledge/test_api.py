from __future__ import annotations

import pytest
from django.test import Client

from cxops.knowledge.models import Article, ArticleStatus, Audience
from tests.api.conftest import ApiClient, error_of
from tests.factories import make_member
from tests.knowledge.conftest import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api_as(db):
    from cxops.core.services import api_token_create

    def make(membership):
        _token, raw = api_token_create(user=membership.user, name="test")
        return ApiClient(Client(), raw)

    return make


def test_public_suggest_without_login_hides_internal(workspace, client):
    public = make_article(workspace, "환불 신청 방법", "주문 내역에서 환불 신청 버튼을 누르세요", external_id="r1")
    make_article(workspace, "환불 예외 기준", "상담원용 환불 예외 기준", audience=Audience.INTERNAL)
    make_article(workspace, "환불 초안", "환불 초안", status=ArticleStatus.DRAFT)
    response = client.get("/api/v1/kb/suggest", {"q": "환불 신청 어떻게 해요", "k": 5, "workspace": "shop"})
    assert response.status_code == 200, response.content
    hits = response.json()
    assert hits and hits[0]["id"] == public.pk and hits[0]["external_id"] == "r1"
    assert all(h["audience"] == "public" for h in hits)
    assert hits[0]["url"] == f"/p/shop/help/a/{public.pk}/"


def test_members_also_get_internal_articles(workspace, api_as, other_workspace):
    internal = make_article(workspace, "환불 예외 기준", "상담원용 환불 예외 기준", audience=Audience.INTERNAL)
    me = api_as(make_member(workspace, "agent"))
    hits = me.get("/kb/suggest", {"q": "환불 예외 기준", "workspace": "shop"}).json()
    assert internal.pk in [h["id"] for h in hits]
    # A member of another workspace is anonymous here.
    stranger = api_as(make_member(other_workspace, "agent"))
    hits = stranger.get("/kb/suggest", {"q": "환불 예외 기준", "workspace": "shop"}).json()
    assert internal.pk not in [h["id"] for h in hits]


def test_suggest_errors(workspace, client):
    response = client.get("/api/v1/kb/suggest", {"q": "환불", "workspace": "nope"})
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    response = client.get("/api/v1/kb/suggest", {"q": "", "workspace": "shop"})
    assert response.status_code == 422 and error_of(response)["code"] == "validation_error"
    response = client.get("/api/v1/kb/suggest", {"q": "환불", "workspace": "shop"},
                          headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401


def test_suggest_is_rate_limited(workspace, client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public_api": "2/60"}
    for _ in range(2):
        assert client.get("/api/v1/kb/suggest", {"q": "환불", "workspace": "shop"}).status_code == 200
    response = client.get("/api/v1/kb/suggest", {"q": "환불", "workspace": "shop"})
    assert response.status_code == 429 and error_of(response)["code"] == "rate_limited"


def test_crud_and_publish(workspace, api_as):
    agent = api_as(make_member(workspace, "agent"))
    category = agent.get("/workspaces/shop/kb/categories").json()
    assert category == []
    response = agent.post("/workspaces/shop/kb/articles", {
        "title": "교환 방법", "body": "<p>교환은 <b>7일</b> 이내<script>x</script></p>", "tags": ["교환"],
        "steps": ["주문 내역을 엽니다", "교환 신청을 누릅니다"], "external_id": "ex-1"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft" and "script" not in data["body"] and data["steps"][1] == "교환 신청을 누릅니다"
    article_id = data["id"]
    response = agent.patch(f"/workspaces/shop/kb/articles/{article_id}", {"title": "교환 신청 방법"})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert response.json()["tags"] == ["교환"]  # fields left out stay
    response = agent.post(f"/workspaces/shop/kb/articles/{article_id}/publish", {})
    assert response.json()["status"] == "published"
    listed = agent.get("/workspaces/shop/kb/articles", {"status": "published"}).json()
    assert [a["id"] for a in listed] == [article_id]
    response = agent.patch(f"/workspaces/shop/kb/articles/{article_id}", {"title": None})
    assert response.status_code == 422
    response = agent.post("/workspaces/shop/kb/articles", {"title": "중복", "external_id": "ex-1"})
    assert response.status_code == 400 and "외부 ID" in error_of(response)["message"]


def test_viewer_reads_but_cannot_write(workspace, api_as):
    article = make_article(workspace, "안내", "본문")
    viewer = api_as(make_member(workspace, "client_viewer"))
    assert viewer.get(f"/workspaces/shop/kb/articles/{article.pk}").status_code == 200
    response = viewer.patch(f"/workspaces/shop/kb/articles/{article.pk}", {"title": "x"})
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).title == "안내"


def test_article_list_query_count(workspace, api_as, django_assert_max_num_queries):
    for n in range(8):
        make_article(workspace, f"문서 {n}", "본문", steps=("하나", "둘"), category="배송")
    agent = api_as(make_member(workspace, "agent"))
    with django_assert_max_num_queries(8):
        response = agent.get("/workspaces/shop/kb/articles")
    assert len(response.json()) == 8
