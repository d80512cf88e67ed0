"""Background jobs of the knowledge base: article vectors after a save, daily review reminders."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

log = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=60)
def kb_embed_articles(article_ids: Sequence[int]) -> int:
    """Compute the missing or outdated vectors of these (published) articles; returns how many."""
    from cxops.knowledge.models import Article, ArticleStatus
    from cxops.knowledge.services import embeddings_refresh

    articles = list(Article.objects.filter(pk__in=list(article_ids), status=ArticleStatus.PUBLISHED)
                    .select_related("category").order_by("pk"))
    if not articles:
        return 0
    return len(embeddings_refresh(articles=articles))


@db_periodic_task(crontab(hour="6", minute="5"))
def kb_review_reminders() -> int:
    """Daily: put published articles not verified within the review interval into the review queue."""
    from cxops.knowledge.services import review_reminders_create

    opened = review_reminders_create()
    if opened:
        log.info("knowledge: %s articles need review", opened)
    return opened
