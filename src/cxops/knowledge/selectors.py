"""Every read of the knowledge base, scoped by workspace (and by membership for agent pages)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cxops.core.models import Membership, Workspace
from cxops.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleCategory,
    ArticleStatus,
    ArticleStep,
    ArticleVersion,
    ArticleView,
    ArticleVote,
    Audience,
    ReviewReminder,
    Source,
    SuggestionEvent,
    SuggestionKind,
)
from cxops.knowledge.services import review_days

# A board session that clicked a suggestion and did not submit the form within this long is deflected.
DEFLECTION_WINDOW = timedelta(minutes=30)


# --- categories ----------------------------------------------------------------------------------

def categories_list(*, workspace: Workspace) -> QuerySet[ArticleCategory]:
    return ArticleCategory.objects.filter(workspace=workspace)


def public_categories(*, workspace: Workspace) -> list[ArticleCategory]:
    """Categories with at least one published public article, with ``article_count``."""
    published = Q(articles__status=ArticleStatus.PUBLISHED, articles__audience=Audience.PUBLIC)
    return list(ArticleCategory.objects.filter(workspace=workspace)
                .annotate(article_count=Count("articles", filter=published)).filter(article_count__gt=0))


# --- articles -------------------------------------------------------------------------------------

def stale_cutoff(workspace: Workspace, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=review_days(workspace))


def articles_list(*, membership: Membership, status: str = "", audience: str = "", category_id: int | None = None,
                  stale: bool = False, q: str = "") -> QuerySet[Article]:
    workspace = membership.workspace
    qs = (Article.objects.filter(workspace=workspace).select_related("category", "owner")
          .annotate(needs_review=Exists(ReviewReminder.objects.filter(article=OuterRef("pk"),
                                                                      resolved_at__isnull=True))))
    if status in ArticleStatus.values:
        qs = qs.filter(status=status)
    if audience in Audience.values:
        qs = qs.filter(audience=audience)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    if stale:
        qs = qs.filter(status=ArticleStatus.PUBLISHED).filter(
            Q(last_verified_at__lt=stale_cutoff(workspace)) | Q(needs_review=True))
    if q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(external_id=q.strip()))
    return qs.order_by("-updated_at", "-id")


def article_get(*, membership: Membership, article_id: int) -> Article:
    article = (Article.objects.select_related("category", "owner", "workspace")
               .filter(workspace=membership.workspace, pk=article_id).first())
    if article is None:
        raise Http404
    return article


def article_steps(*, article: Article) -> list[ArticleStep]:
    return list(ArticleStep.objects.filter(article=article).order_by("position", "id"))


def article_attachments(*, article: Article) -> list[ArticleAttachment]:
    return list(ArticleAttachment.objects.filter(article=article))


def attachment_get(*, workspace: Workspace, article_id: int, attachment_id: int,
                   public_only: bool = False) -> ArticleAttachment:
    qs = ArticleAttachment.objects.filter(article__workspace=workspace, article_id=article_id, pk=attachment_id)
    if public_only:
        qs = qs.filter(article__status=ArticleStatus.PUBLISHED, article__audience=Audience.PUBLIC)
    attachment = qs.first()
    if attachment is None:
        raise Http404
    return attachment


def step_get(*, workspace: Workspace, article_id: int, step_id: int, public_only: bool = False) -> ArticleStep:
    qs = ArticleStep.objects.select_related("article__workspace").filter(
        article__workspace=workspace, article_id=article_id, pk=step_id)
    if public_only:
        qs = qs.filter(article__status=ArticleStatus.PUBLISHED, article__audience=Audience.PUBLIC)
    step = qs.first()
    if step is None:
        raise Http404
    return step


def visible_article_get(*, workspace: Workspace, article_id: int, include_internal: bool) -> Article:
    """A published article as the help center (public) or a member (internal too) may read it."""
    qs = Article.objects.select_related("category").filter(workspace=workspace, pk=article_id,
                                                           status=ArticleStatus.PUBLISHED)
    if not include_internal:
        qs = qs.filter(audience=Audience.PUBLIC)
    article = qs.first()
    if article is None:
        raise Http404
    return article


def public_articles(*, workspace: Workspace, category_id: int | None = None) -> QuerySet[Article]:
    qs = Article.objects.filter(workspace=workspace, status=ArticleStatus.PUBLISHED, audience=Audience.PUBLIC)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    return qs.order_by("title", "id")


def articles_by_ids(*, workspace_id: int, ids: list[int]) -> dict[int, Article]:
    return {a.pk: a for a in Article.objects.filter(workspace_id=workspace_id, pk__in=ids)}


# --- history -----------------------------------------------------------------------------------------

def article_versions(*, article: Article) -> QuerySet[ArticleVersion]:
    return ArticleVersion.objects.filter(article=article).order_by("-number")


def _version_text(version: ArticleVersion) -> list[str]:
    lines = [f"# {version.title}", "", *version.body_text.splitlines()]
    if version.steps_text:
        lines += ["", "## 단계", *version.steps_text.splitlines()]
    return lines


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "ctx", "hunk"
    text: str


def version_diff(*, article: Article, number: int) -> tuple[ArticleVersion, ArticleVersion | None, list[DiffLine]]:
    """Version ``number`` and the one before it, with a unified line diff of title, body and steps."""
    versions = {v.number: v for v in ArticleVersion.objects.filter(article=article, number__in=[number, number - 1])}
    current = versions.get(number)
    if current is None:
        raise Http404
    previous = versions.get(number - 1)
    before = _version_text(previous) if previous else []
    lines: list[DiffLine] = []
    for line in difflib.unified_diff(before, _version_text(current), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = "hunk" if line.startswith("@@") else "add" if line.startswith("+") else (
            "del" if line.startswith("-") else "ctx")
        lines.append(DiffLine(kind=kind, text=line[1:] if kind != "hunk" else line))
    return current, previous, lines


# --- analytics -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeflectionStats:
    sessions_shown: int  # board sessions that were shown at least one suggestion
    sessions_clicked: int
    sessions_deflected: int  # clicked, then no submission within DEFLECTION_WINDOW
    sessions_pending: int  # clicked less than DEFLECTION_WINDOW ago, not submitted yet

    @property
    def rate(self) -> float | None:
        """Deflected sessions per session shown a suggestion."""
        return self.sessions_deflected / self.sessions_shown if self.sessions_shown else None


def deflection_stats(*, workspace: Workspace, since: datetime, until: datetime | None = None,
                     now: datetime | None = None) -> DeflectionStats:
    """Deflection on the board, computed from SuggestionEvent at query time (no job needed):
    a session that clicked a suggested article and did not submit the board form within 30 minutes
    after its first click counts as deflected."""
    now = now or timezone.now()
    until = until or now
    events = SuggestionEvent.objects.filter(workspace=workspace, source=Source.BOARD, created_at__gte=since,
                                            created_at__lt=until).exclude(session_key="")
    shown = set(events.filter(kind=SuggestionKind.SHOWN).values_list("session_key", flat=True).distinct())
    first_click: dict[str, datetime] = {}
    for key, at in events.filter(kind=SuggestionKind.CLICKED).order_by("created_at").values_list(
            "session_key", "created_at"):
        first_click.setdefault(key, at)
    submissions: dict[str, list[datetime]] = {}
    for key, at in SuggestionEvent.objects.filter(
            workspace=workspace, source=Source.BOARD, kind=SuggestionKind.SUBMITTED,
            session_key__in=list(first_click), created_at__gte=since).values_list("session_key", "created_at"):
        submissions.setdefault(key, []).append(at)
    deflected = pending = 0
    for key, clicked_at in first_click.items():
        if any(clicked_at <= at <= clicked_at + DEFLECTION_WINDOW for at in submissions.get(key, [])):
            continue
        if now - clicked_at >= DEFLECTION_WINDOW:
            deflected += 1
        else:
            pending += 1
    return DeflectionStats(sessions_shown=len(shown | set(first_click)), sessions_clicked=len(first_click),
                           sessions_deflected=deflected, sessions_pending=pending)


@dataclass(frozen=True)
class Dashboard:
    days: int
    deflection: DeflectionStats
    views: int
    helpful_yes: int
    helpful_no: int
    agent_uses: int
    helpcenter_searches: int
    stale: int
    published: int
    rows: list[dict[str, Any]]

    @property
    def helpful_rate(self) -> float | None:
        total = self.helpful_yes + self.helpful_no
        return self.helpful_yes / total if total else None


def dashboard(*, membership: Membership, days: int = 30, now: datetime | None = None) -> Dashboard:
    workspace = membership.workspace
    now = now or timezone.now()
    since = now - timedelta(days=days)
    views = ArticleView.objects.filter(workspace=workspace, created_at__gte=since)
    votes = ArticleVote.objects.filter(workspace=workspace, created_at__gte=since)
    events = SuggestionEvent.objects.filter(workspace=workspace, created_at__gte=since)
    view_counts = dict(views.values("article_id").annotate(n=Count("id")).values_list("article_id", "n"))
    yes = dict(votes.filter(helpful=True).values("article_id").annotate(n=Count("id")).values_list("article_id", "n"))
    no = dict(votes.filter(helpful=False).values("article_id").annotate(n=Count("id")).values_list("article_id", "n"))
    per_kind: dict[tuple[int, str], int] = {
        (row["article_id"], row["kind"]): row["n"]
        for row in events.exclude(article_id=None).values("article_id", "kind").annotate(n=Count("id"))}
    cutoff = stale_cutoff(workspace, now)
    published = list(Article.objects.filter(workspace=workspace, status=ArticleStatus.PUBLISHED)
                     .select_related("category").order_by("title", "id"))
    rows = []
    for a in published:
        rows.append({
            "article": a, "views": view_counts.get(a.pk, 0), "yes": yes.get(a.pk, 0), "no": no.get(a.pk, 0),
            "shown": per_kind.get((a.pk, SuggestionKind.SHOWN), 0),
            "clicked": per_kind.get((a.pk, SuggestionKind.CLICKED), 0),
            "used": per_kind.get((a.pk, SuggestionKind.USED), 0),
            "stale": a.last_verified_at is None or a.last_verified_at < cutoff,
        })
    rows.sort(key=lambda r: (-r["views"] - r["clicked"] - r["used"], r["article"].title))
    return Dashboard(
        days=days, deflection=deflection_stats(workspace=workspace, since=since, now=now),
        views=sum(view_counts.values()), helpful_yes=sum(yes.values()), helpful_no=sum(no.values()),
        agent_uses=events.filter(kind=SuggestionKind.USED).count(),
        helpcenter_searches=events.filter(kind=SuggestionKind.SHOWN, source=Source.HELPCENTER)
        .values("session_key", "query").distinct().count(),
        stale=sum(1 for r in rows if r["stale"]), published=len(published), rows=rows)
