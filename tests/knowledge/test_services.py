from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cxops.core.models import AuditEvent
from cxops.core.services import ServiceError
from cxops.knowledge import selectors, services, suggest
from cxops.knowledge.models import (
    Article,
    ArticleEmbedding,
    ArticleStatus,
    ArticleVersion,
    Audience,
    KnowledgeBaseState,
    ReviewReminder,
)
from tests.factories import make_member
from tests.knowledge.conftest import make_article

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_create_sanitises_and_snapshots(workspace):
    member = make_member(workspace, "agent")
    article = services.article_create(
        workspace=workspace, by=member.user, steps=["앱을 엽니다", "", "환불 버튼을 누릅니다"],
        data=services.ArticleInput(title=" 환불 ", body='<p onclick="x()">안내<script>alert(1)</script></p>',
                                   tags=["#환불", "환불", "카드"]))
    assert article.title == "환불" and "script" not in article.body and "onclick" not in article.body
    assert article.body_text == "안내" and article.tags == ["환불", "카드"]
    assert [s.text for s in article.steps.all()] == ["앱을 엽니다", "환불 버튼을 누릅니다"]
    version = ArticleVersion.objects.get(article=article)
    assert version.number == 1 and "1. 앱을 엽니다" in version.steps_text
    assert AuditEvent.objects.filter(action="kb_article.create", object_id=str(article.pk)).exists()
    assert article.status == ArticleStatus.DRAFT


def test_update_versions_and_diff(workspace):
    article = make_article(workspace, "환불 안내", "카드 환불은 3일 걸립니다.")
    data = services.ArticleInput(title="환불 안내", body="<p>카드 환불은 5일 걸립니다.</p>")
    article = services.article_update(article=article, data=data, by=None, steps=["주문 내역을 엽니다"])
    assert article.version == 2
    # Saving the same content again is not a new version.
    assert services.article_update(article=article, data=data, by=None).version == 2
    _current, previous, lines = selectors.version_diff(article=article, number=2)
    assert previous is not None and previous.number == 1
    assert ("del", "카드 환불은 3일 걸립니다.") in [(d.kind, d.text) for d in lines]
    assert ("add", "카드 환불은 5일 걸립니다.") in [(d.kind, d.text) for d in lines]
    assert ("add", "1. 주문 내역을 엽니다") in [(d.kind, d.text) for d in lines]


def test_validation_errors_write_nothing(workspace, other_workspace):
    foreign = services.category_for_name(workspace=other_workspace, name="남의 분류")
    for data in (services.ArticleInput(title=""), services.ArticleInput(title="x", audience="everyone"),
                 services.ArticleInput(title="x", category_id=foreign.pk if foreign else None)):
        with pytest.raises(ServiceError):
            services.article_create(workspace=workspace, data=data, by=None)
    make_article(workspace, "하나", external_id="a1")
    with pytest.raises(ServiceError, match="외부 ID"):
        make_article(workspace, "둘", external_id="a1")
    assert Article.objects.filter(workspace=workspace).count() == 1


def test_publish_bumps_version_and_index_follows(workspace):
    article = make_article(workspace, "배송 조회 방법", "송장 번호로 배송 상태를 봅니다", status=ArticleStatus.DRAFT)
    assert suggest.suggest(workspace.pk, "배송 조회", k=3) == []
    before = suggest.kb_version(workspace.pk)
    services.article_publish(article=article, by=None)
    assert suggest.kb_version(workspace.pk) == before + 1
    hits = suggest.suggest(workspace.pk, "배송 조회 방법 알려주세요", k=3)
    assert [h.article.id for h in hits] == [article.pk]
    assert ArticleEmbedding.objects.filter(article=article).count() == 1


def test_index_is_cached_until_the_kb_changes(workspace, django_assert_max_num_queries):
    make_article(workspace, "환불 신청 방법", "주문 내역에서 환불 신청")
    suggest.suggest(workspace.pk, "환불", k=3)
    with django_assert_max_num_queries(1):  # only the KB version is read
        suggest.suggest(workspace.pk, "환불 신청", k=3)
    article = make_article(workspace, "교환 신청 방법", "주문 내역에서 교환 신청")
    assert suggest.workspace_index(workspace.pk).refs.keys() >= {str(article.pk)}


def test_internal_articles_only_when_asked(workspace):
    internal = make_article(workspace, "환불 예외 처리 기준", "상담원용 환불 예외 기준", audience=Audience.INTERNAL)
    assert internal.pk not in [h.article.id for h in suggest.suggest(workspace.pk, "환불 예외 처리 기준")]
    assert internal.pk in [h.article.id for h in suggest.suggest(workspace.pk, "환불 예외 처리 기준",
                                                                  include_internal=True)]


def test_vectors_are_reused_and_refreshed_on_change(workspace):
    article = make_article(workspace, "배송 조회", "송장 번호")
    suggest.workspace_index(workspace.pk)
    row = ArticleEmbedding.objects.get(article=article)
    services.embeddings_refresh(articles=[article])
    assert ArticleEmbedding.objects.get(article=article).content_hash == row.content_hash
    services.article_update(article=article, data=services.ArticleInput(title="배송 조회", body="<p>택배사</p>"),
                            by=None)
    services.embeddings_refresh(articles=[Article.objects.get(pk=article.pk)])
    assert ArticleEmbedding.objects.get(article=article).content_hash != row.content_hash


def test_screenshot_type_and_size_limits(workspace):
    article = make_article(workspace, "가이드", "본문", steps=("첫 단계",))
    step = article.steps.get()
    with pytest.raises(ServiceError, match="PNG"):
        services.step_set_image(step=step, upload=SimpleUploadedFile("a.exe", b"MZ"), by=None)
    with pytest.raises(ServiceError, match="내용"):
        services.step_set_image(step=step, upload=SimpleUploadedFile("a.png", b"not a png"), by=None)
    big = SimpleUploadedFile("a.png", PNG + b"\x00" * services.MAX_SCREENSHOT_BYTES)
    with pytest.raises(ServiceError, match="5MB"):
        services.step_set_image(step=step, upload=big, by=None)
    services.step_set_image(step=step, upload=SimpleUploadedFile("a.png", PNG), by=None)
    step.refresh_from_db()
    assert step.image and step.image_type == "image/png"


def test_review_reminders_and_verify(workspace):
    article = make_article(workspace, "오래된 안내", "본문")
    fresh = make_article(workspace, "새 안내", "본문")
    Article.objects.filter(pk=article.pk).update(last_verified_at=timezone.now() - timedelta(days=200))
    assert services.review_reminders_create() == 1
    assert services.review_reminders_create() == 0  # one open reminder per article
    member = make_member(workspace, "lead")
    stale_ids = [a.pk for a in selectors.articles_list(membership=member, stale=True)]
    assert stale_ids == [article.pk] and fresh.pk not in stale_ids
    services.article_verify(article=article, by=member.user)
    assert not ReviewReminder.objects.filter(article=article, resolved_at__isnull=True).exists()
    assert list(selectors.articles_list(membership=member, stale=True)) == []


def test_review_days_setting(workspace):
    member = make_member(workspace, "admin")
    services.review_days_set(workspace=workspace, days=30, actor=member.user)
    workspace.refresh_from_db()
    assert services.review_days(workspace) == 30
    with pytest.raises(ServiceError):
        services.review_days_set(workspace=workspace, days=0, actor=member.user)


def test_delete_bumps_version(workspace):
    article = make_article(workspace, "지울 문서", "본문")
    version = KnowledgeBaseState.objects.get(workspace=workspace).version
    services.article_delete(article=article, by=None)
    assert KnowledgeBaseState.objects.get(workspace=workspace).version == version + 1
    assert suggest.suggest(workspace.pk, "지울 문서") == []


def test_votes_one_per_session(workspace):
    article = make_article(workspace, "안내", "본문")
    services.vote_record(article=article, session_key="s1", helpful=True)
    services.vote_record(article=article, session_key="s1", helpful=False)
    services.vote_record(article=article, session_key="s2", helpful=True)
    assert sorted(article.votes.values_list("session_key", "helpful")) == [("s1", False), ("s2", True)]
