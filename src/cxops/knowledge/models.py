"""The knowledge base: articles (public guides and internal mini-guides), their versions, steps,
attachments and cached vectors, plus the append-only events that measure deflection.

Every row belongs to a workspace (directly or through its article). ``KnowledgeBaseState.version``
goes up on every change that can alter suggestions, so a process keeps its built index until then.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from cxops.core.models import AppendOnlyModel, Workspace

DEFAULT_REVIEW_DAYS = 180


class Audience(models.TextChoices):
    PUBLIC = "public", _("공개 (고객용)")
    INTERNAL = "internal", _("내부 (상담원용 미니 가이드)")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("초안")
    PUBLISHED = "published", _("게시됨")


class Language(models.TextChoices):
    KO = "ko", _("한국어")
    EN = "en", _("영어")


class ArticleCategory(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="kb_categories")
    name = models.CharField(_("이름"), max_length=80)
    description = models.CharField(_("설명"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_kb_category")]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="kb_articles")
    external_id = models.CharField(_("외부 ID"), max_length=120, null=True, blank=True)
    title = models.CharField(_("제목"), max_length=200)
    body = models.TextField(_("본문"), blank=True, help_text="Sanitised HTML.")
    body_text = models.TextField(blank=True, help_text="Plain text of body, for search and snippets.")
    category = models.ForeignKey(ArticleCategory, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="articles")
    tags = models.JSONField(default=list, blank=True)
    product = models.CharField(_("상품"), max_length=160, blank=True)
    audience = models.CharField(_("대상"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    status = models.CharField(_("상태"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    language = models.CharField(_("언어"), max_length=5, choices=Language.choices, default=Language.KO)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    version = models.PositiveIntegerField(default=1)
    last_verified_at = models.DateTimeField(_("마지막 확인"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "external_id"], name="uniq_kb_article_external_id",
                                    condition=models.Q(external_id__isnull=False)),
        ]
        indexes = [models.Index(fields=["workspace", "status", "audience"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.PUBLIC

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleStep(models.Model):
    """One numbered step of a guide ("which button, in which order"), optionally with a screenshot."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("설명"))
    image = models.FileField(_("스크린샷"), upload_to="kb/steps/%Y/%m/", blank=True)
    image_type = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["position", "id"]


class ArticleAttachment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="kb/files/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]


class ArticleVersion(AppendOnlyModel):
    """A snapshot of the article after each save (title, body text, steps) for history and diffs."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    steps_text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    author_label = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-number", "-id"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="uniq_kb_article_version")]


class ArticleEmbedding(models.Model):
    """The cached vector of an article for one embedding model; stale when content_hash differs."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="embeddings")
    embedder = models.CharField(max_length=80)
    content_hash = models.CharField(max_length=64)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField()
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "embedder"], name="uniq_kb_embedding")]


class KnowledgeBaseState(models.Model):
    """Per workspace: a counter raised by every change that alters suggestions (index cache key)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="kb_state")
    version = models.PositiveIntegerField(default=0)


class ReviewReminder(models.Model):
    """The "needs review" queue: one open row per stale article, closed when someone verifies it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="review_reminders")
    created_at = models.DateTimeField(default=now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["article"], condition=models.Q(resolved_at__isnull=True),
                                               name="uniq_kb_open_reminder")]


# --- analytics events (append-only, cheap) -------------------------------------------------------

class Source(models.TextChoices):
    BOARD = "board", _("문의 게시판")
    HELPCENTER = "helpcenter", _("헬프센터")
    AGENT = "agent", _("상담원")


class ArticleView(AppendOnlyModel):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="views")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.HELPCENTER)
    session_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at"])]


class ArticleVote(models.Model):
    """"Was this helpful?": one vote per article per browser session (a second vote replaces it)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    session_key = models.CharField(max_length=64)
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "session_key"], name="uniq_kb_vote")]


class SuggestionKind(models.TextChoices):
    SHOWN = "shown", _("표시")
    CLICKED = "clicked", _("클릭")
    USED = "used", _("상담원 사용")
    SUBMITTED = "submitted", _("문의 접수")


class SuggestionEvent(AppendOnlyModel):
    """One suggestion shown / clicked / used by an agent, or a board submission of a session.

    Deflection is derived, not stored: a board session that clicked a suggestion and did not submit
    the form within DEFLECTION_WINDOW afterwards (see selectors.deflection_stats).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=SuggestionKind.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    session_key = models.CharField(max_length=64, blank=True)
    query = models.CharField(max_length=200, blank=True)
    ticket_id = models.PositiveIntegerField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "kind", "created_at"]),
                   models.Index(fields=["workspace", "session_key"])]
