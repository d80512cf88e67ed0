from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from cxops.knowledge import jobs, suggest
from cxops.knowledge.demo import GUIDES, load_kb_demo
from cxops.knowledge.models import Article, ArticleEmbedding, ArticleStatus, Audience, ReviewReminder
from cxops.knowledge.recurring import cluster_vectors
from tests.factories import make_workspace
from tests.knowledge.conftest import make_article

pytestmark = pytest.mark.django_db


def test_demo_guides_for_the_three_demo_workspaces():
    workspaces = {slug: make_workspace(slug=slug) for slug in ("shop", "scooter", "waste")}
    created = load_kb_demo(workspaces=workspaces)
    assert created == sum(len(g) for g in GUIDES.values())
    for workspace in workspaces.values():
        articles = Article.objects.filter(workspace=workspace, status=ArticleStatus.PUBLISHED)
        assert articles.filter(audience=Audience.PUBLIC).count() >= 13
        assert articles.filter(audience=Audience.INTERNAL).exists()
        assert articles.filter(steps__isnull=False).exists()
    hits = suggest.suggest(workspaces["scooter"].pk, "킥보드 반납 방법", k=3)
    assert hits and hits[0].article.title == "반납 방법"


def test_embed_job_and_review_job(workspace):
    article = make_article(workspace, "환불 안내", "본문")
    assert jobs.kb_embed_articles.call_local([article.pk]) == 1
    assert ArticleEmbedding.objects.filter(article=article).count() == 1
    Article.objects.filter(pk=article.pk).update(last_verified_at=timezone.now() - timedelta(days=365))
    assert jobs.kb_review_reminders.call_local() == 1
    assert ReviewReminder.objects.filter(article=article, resolved_at__isnull=True).exists()


def test_cluster_vectors_groups_near_duplicates():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    near_a = np.array([0.99, 0.14]) / np.linalg.norm([0.99, 0.14])
    groups = cluster_vectors(np.vstack([a, b, near_a, a]).astype(np.float32), 0.9)
    assert sorted(map(sorted, groups)) == [[0, 2, 3], [1]]
