from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cxops.knowledge import selectors
from cxops.knowledge.models import ArticleStatus, ArticleView, ArticleVote, Audience, SuggestionEvent
from tests.factories import make_member
from tests.knowledge.conftest import make_article
from tests.portal.conftest import board_data  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def test_home_lists_public_published_articles_only(workspace, client, django_assert_max_num_queries):
    make_article(workspace, "환불 신청 방법", "본문", category="결제")
    make_article(workspace, "상담원 전용 기준", "본문", audience=Audience.INTERNAL, category="결제")
    make_article(workspace, "쓰는 중", "본문", status=ArticleStatus.DRAFT, category="배송")
    with django_assert_max_num_queries(6):
        response = client.get("/p/shop/help/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "환불 신청 방법" in html and "상담원 전용 기준" not in html and "쓰는 중" not in html
    assert "결제" in html and "배송" not in html  # a category without public articles is hidden
    assert 'hx-get="/p/shop/help/search/"' in html


def test_internal_and_draft_articles_are_404(workspace, client):
    internal = make_article(workspace, "내부", "본문", audience=Audience.INTERNAL)
    draft = make_article(workspace, "초안", "본문", status=ArticleStatus.DRAFT)
    assert client.get(f"/p/shop/help/a/{internal.pk}/").status_code == 404
    assert client.get(f"/p/shop/help/a/{draft.pk}/").status_code == 404


def test_other_workspace_article_is_404(workspace, other_workspace, client):
    theirs = make_article(other_workspace, "남의 문서", "본문")
    assert client.get(f"/p/shop/help/a/{theirs.pk}/").status_code == 404


def test_article_page_with_steps_and_vote_once_per_session(workspace, client):
    article = make_article(workspace, "환불 신청 방법", "환불 안내", steps=("주문 내역을 엽니다", "환불 신청을 누릅니다"))
    response = client.get(f"/p/shop/help/a/{article.pk}/")
    html = response.content.decode()
    assert "주문 내역을 엽니다" in html and "이 도움말이 도움이 되었나요?" in html
    assert "/p/shop/inquiry/?subject=" in html  # still need help → the board, prefilled
    assert ArticleView.objects.filter(article=article).count() == 1
    client.post(f"/p/shop/help/a/{article.pk}/vote/", {"helpful": "yes"})
    client.post(f"/p/shop/help/a/{article.pk}/vote/", {"helpful": "no"})
    assert list(ArticleVote.objects.filter(article=article).values_list("helpful", flat=True)) == [False]
    assert "의견 감사합니다" in client.get(f"/p/shop/help/a/{article.pk}/").content.decode()


def test_instant_search_partial(workspace, client):
    empty = client.get("/p/shop/help/search/", {"q": "배송 조회"})
    assert "맞는 도움말을 찾지 못했습니다" in empty.content.decode()
    article = make_article(workspace, "배송 조회 방법", "송장 번호로 배송 상태 확인")
    response = client.get("/p/shop/help/search/", {"q": "배송조회"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f"/p/shop/help/a/{article.pk}/?src=helpcenter" in html
    assert SuggestionEvent.objects.filter(kind="shown", source="helpcenter", article=article).exists()
    full = client.get("/p/shop/help/search/", {"q": "배송조회"})
    assert "<html" in full.content.decode() and "배송 조회 방법" in full.content.decode()


def test_board_form_has_the_suggestion_hook_and_prefill(workspace, client):
    html = client.get("/p/shop/inquiry/", {"subject": "환불 문의"}).content.decode()
    assert 'hx-get="/p/shop/inquiry-suggestions/"' in html
    assert 'value="환불 문의"' in html


def test_board_suggestions_click_and_deflection(workspace, client):
    article = make_article(workspace, "환불 신청 방법", "주문 내역에서 환불 신청 버튼")
    response = client.get("/p/shop/inquiry-suggestions/", {"subject": "환불 신청", "body": "어떻게 하나요"})
    html = response.content.decode()
    assert f"/p/shop/help/a/{article.pk}/?src=board" in html
    client.get(f"/p/shop/help/a/{article.pk}/", {"src": "board", "q": "환불 신청"})
    key = client.session.session_key
    kinds = list(SuggestionEvent.objects.filter(session_key=key).order_by("id").values_list("kind", flat=True))
    assert kinds == ["shown", "clicked"]
    now = timezone.now()
    stats = selectors.deflection_stats(workspace=workspace, since=now - timedelta(days=1), now=now)
    assert (stats.sessions_shown, stats.sessions_clicked, stats.sessions_deflected, stats.sessions_pending) == (
        1, 1, 0, 1)
    later = now + timedelta(minutes=31)
    stats = selectors.deflection_stats(workspace=workspace, since=now - timedelta(days=1), now=later)
    assert stats.sessions_deflected == 1 and stats.rate == 1.0


def test_a_session_that_submits_is_not_deflected(workspace):
    from cxops.knowledge import services

    article = make_article(workspace, "환불 신청 방법", "본문")
    for kind in ("shown", "clicked", "submitted"):
        services.suggestion_record(workspace_id=workspace.pk, kind=kind, source="board", article_ids=[article.pk],
                                   session_key="s1")
    later = timezone.now() + timedelta(hours=1)
    stats = selectors.deflection_stats(workspace=workspace, since=later - timedelta(days=1), now=later)
    assert stats.sessions_clicked == 1 and stats.sessions_deflected == 0


def test_board_submission_records_the_session(workspace, client, board_data):  # noqa: F811
    make_article(workspace, "환불 신청 방법", "주문 내역에서 환불 신청 버튼")
    client.get("/p/shop/inquiry-suggestions/", {"subject": "환불 신청"})
    assert client.session.session_key
    response = client.post("/p/shop/inquiry/", board_data)
    assert response.status_code == 302
    assert SuggestionEvent.objects.filter(kind="submitted", session_key=client.session.session_key).exists()


def test_step_image_served_only_for_public_articles(workspace, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cxops.knowledge import services

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    article = make_article(workspace, "가이드", "본문", steps=("하나",))
    step = article.steps.get()
    services.step_set_image(step=step, upload=SimpleUploadedFile("s.png", png), by=None)
    response = client.get(f"/p/shop/help/a/{article.pk}/steps/{step.pk}/image/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == png
    internal = make_article(workspace, "내부 가이드", "본문", steps=("하나",), audience=Audience.INTERNAL)
    istep = internal.steps.get()
    services.step_set_image(step=istep, upload=SimpleUploadedFile("s.png", png), by=None)
    assert client.get(f"/p/shop/help/a/{internal.pk}/steps/{istep.pk}/image/").status_code == 404
    member = make_member(workspace, "agent")
    agent = Client()
    agent.force_login(member.user)
    assert agent.get(f"/w/shop/kb/{internal.pk}/steps/{istep.pk}/image/").status_code == 200


def test_shown_is_recorded_once_per_session_and_article(workspace, client):
    article = make_article(workspace, "환불 신청 방법", "주문 내역에서 환불 신청 버튼")
    for text in ("환불 신청", "환불 신청 방법", "환불 신청 방법 알려주세요"):
        client.get("/p/shop/inquiry-suggestions/", {"subject": text})
    assert SuggestionEvent.objects.filter(kind="shown", article=article).count() == 1
