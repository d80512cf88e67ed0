from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cxops.knowledge.models import Article, ArticleStatus, Audience, SuggestionEvent
from cxops.tickets.services import macro_save
from tests.conftest import login
from tests.factories import make_member, make_ticket
from tests.knowledge.conftest import make_article

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def agent_client(workspace):
    return login(Client(), make_member(workspace, "agent"))


def test_list_filters_and_query_count(workspace, agent_client, django_assert_max_num_queries):
    for n in range(6):
        make_article(workspace, f"공개 문서 {n}", "본문", category="배송")
    make_article(workspace, "내부 문서", "본문", audience=Audience.INTERNAL)
    make_article(workspace, "초안 문서", "본문", status=ArticleStatus.DRAFT)
    agent_client.get("/w/shop/kb/")  # warm the sidebar cache
    with django_assert_max_num_queries(20):
        response = agent_client.get("/w/shop/kb/")
    assert response.status_code == 200 and "공개 문서 5" in response.content.decode()
    html = agent_client.get("/w/shop/kb/", {"audience": "internal"}).content.decode()
    assert "내부 문서" in html and "공개 문서 1" not in html
    html = agent_client.get("/w/shop/kb/", {"status": "draft"}).content.decode()
    assert "초안 문서" in html and "내부 문서" not in html


def test_create_edit_publish_verify_history(workspace, agent_client):
    response = agent_client.post("/w/shop/kb/new/", {
        "title": "앱에서 환불 신청하기", "body": "환불은 앱에서 신청합니다.", "audience": "public", "language": "ko",
        "tags": "환불, 앱", "steps": ["앱을 엽니다", "주문 내역 > 환불 신청을 누릅니다", ""],
        "step_image_1": SimpleUploadedFile("shot.png", PNG, content_type="image/png")})
    assert response.status_code == 302
    article = Article.objects.get(workspace=workspace)
    assert article.status == ArticleStatus.DRAFT and article.tags == ["환불", "앱"]
    steps = list(article.steps.all())
    assert [s.text for s in steps] == ["앱을 엽니다", "주문 내역 > 환불 신청을 누릅니다"]
    assert not steps[0].image and steps[1].image
    page = agent_client.get(f"/w/shop/kb/{article.pk}/").content.decode()
    assert "앱을 엽니다" in page and f"/w/shop/kb/{article.pk}/steps/{steps[1].pk}/image/" in page
    response = agent_client.post(f"/w/shop/kb/{article.pk}/", {
        "title": "앱에서 환불 신청하기", "body": "환불은 앱이나 웹에서 신청합니다.", "audience": "public",
        "language": "ko", "tags": "환불", "steps": ["앱을 엽니다", "주문 내역 > 환불 신청을 누릅니다"]})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2
    assert agent_client.post(f"/w/shop/kb/{article.pk}/publish/").status_code == 302
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert agent_client.post(f"/w/shop/kb/{article.pk}/verify/").status_code == 302
    history = agent_client.get(f"/w/shop/kb/{article.pk}/history/", {"v": 2}).content.decode()
    assert "환불은 앱이나 웹에서 신청합니다." in history and "환불은 앱에서 신청합니다." in history


def test_editor_errors_keep_input(workspace, agent_client):
    response = agent_client.post("/w/shop/kb/new/", {"title": "", "body": "내용 보존", "audience": "public"})
    assert response.status_code == 400
    assert "제목을 입력해 주세요" in response.content.decode() and "내용 보존" in response.content.decode()
    assert not Article.objects.exists()


def test_viewer_and_other_workspace(workspace, other_workspace, client):
    article = make_article(workspace, "문서", "본문")
    theirs = make_article(other_workspace, "남의 문서", "본문")
    viewer = login(client, make_member(workspace, "client_viewer"))
    assert viewer.get(f"/w/shop/kb/{article.pk}/").status_code == 200
    assert viewer.post(f"/w/shop/kb/{article.pk}/publish/").status_code == 403
    assert viewer.post("/w/shop/kb/new/", {"title": "x"}).status_code == 403
    assert viewer.get(f"/w/shop/kb/{theirs.pk}/").status_code == 404
    assert viewer.get("/w/other/kb/").status_code == 404


def test_ticket_panel_suggests_articles_and_macros(workspace, settings):
    settings.CXOPS_KB_THRESHOLD = 0.0  # the runner-up's calibrated score is tiny next to an exact match
    agent = make_member(workspace, "agent")
    client = login(Client(), agent)
    public = make_article(workspace, "환불 신청 방법", "주문 내역에서 환불 신청 버튼을 누릅니다")
    internal = make_article(workspace, "환불 예외 처리 기준", "상담원용: 환불 신청 예외", audience=Audience.INTERNAL)
    macro_save(workspace=workspace, by=agent, title="환불 신청 안내", body="환불은 주문 내역에서 신청해 주세요")
    ticket = make_ticket(workspace, subject="환불 신청 어떻게 해요", body="환불 신청 방법을 알려 주세요")
    response = client.get(f"/w/shop/tickets/{ticket.number}/kb-panel/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "환불 신청 방법" in html and "환불 예외 처리 기준" in html  # internal mini-guides for agents
    assert f"http://testserver/p/shop/help/a/{public.pk}/" in html  # link only for public articles
    assert "환불 신청 안내" in html and "data-macro-apply" in html
    assert f"/w/shop/kb/new/?ticket={ticket.number}" in html
    assert SuggestionEvent.objects.filter(kind="shown", source="agent", ticket_id=ticket.pk).count() >= 1
    response = client.post(f"/w/shop/kb/{internal.pk}/used/", {"ticket": ticket.pk, "how": "text"})
    assert response.status_code == 204
    assert SuggestionEvent.objects.filter(kind="used", article=internal).count() == 1
    detail = client.get(f"/w/shop/tickets/{ticket.number}/").content.decode()
    assert f"/w/shop/tickets/{ticket.number}/kb-panel/" in detail  # registered through the extension point


def test_make_article_from_a_reply(workspace):
    from cxops.tickets.services import ticket_reply

    agent = make_member(workspace, "agent")
    client = login(Client(), agent)
    ticket = make_ticket(workspace, subject="포인트 적립 문의")
    ticket_reply(ticket=ticket, by=agent, body_text="포인트는 구매 확정 후 7일 뒤 적립됩니다.")
    html = client.get("/w/shop/kb/new/", {"ticket": ticket.number}).content.decode()
    assert 'value="포인트 적립 문의"' in html and "포인트는 구매 확정 후 7일 뒤 적립됩니다." in html


def test_dashboard_and_recurring(workspace, agent_client, django_assert_max_num_queries):
    article = make_article(workspace, "배송 조회 방법", "송장 번호로 배송 조회")
    for n in range(3):
        make_ticket(workspace, subject="배송 조회가 안 돼요", body="배송 조회 방법 알려주세요",
                    phone=f"010-2222-{n:04d}")
    agent_client.get("/w/shop/kb/dashboard/")
    with django_assert_max_num_queries(25):
        response = agent_client.get("/w/shop/kb/dashboard/")
    assert response.status_code == 200 and "배송 조회 방법" in response.content.decode()
    html = agent_client.get("/w/shop/kb/recurring/", {"days": "7"}).content.decode()
    assert "배송 조회가 안 돼요" in html and f"/w/shop/kb/{article.pk}/" in html
