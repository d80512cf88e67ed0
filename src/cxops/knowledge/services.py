"""Every write of the knowledge base: one transaction each, an audit row, and a KB version bump
whenever what customers or agents can be suggested changes. Event recorders (views, votes,
suggestions) are single cheap inserts without audit rows."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from cxops.core.audit import record
from cxops.core.embeddings import Embedder, get_embedder
from cxops.core.models import User, Workspace
from cxops.core.sanitize import html_to_text, sanitize_html
from cxops.core.services import ServiceError
from cxops.knowledge.models import (
    Article,
    ArticleAttachment,
    ArticleCategory,
    ArticleEmbedding,
    ArticleStatus,
    ArticleStep,
    ArticleVersion,
    ArticleView,
    ArticleVote,
    Audience,
    KnowledgeBaseState,
    Language,
    ReviewReminder,
    Source,
    SuggestionEvent,
    SuggestionKind,
)

MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024
SCREENSHOT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_STEPS = 50
MAX_TAGS = 20
EMBED_BATCH = 64


# --- the KB version counter (suggestion index cache key) ----------------------------------------

def kb_version_bump(*, workspace_id: int) -> None:
    updated = KnowledgeBaseState.objects.filter(workspace_id=workspace_id).update(version=F("version") + 1)
    if not updated:
        try:
            with transaction.atomic():
                KnowledgeBaseState.objects.create(workspace_id=workspace_id, version=1)
        except IntegrityError:  # created meanwhile by another process
            KnowledgeBaseState.objects.filter(workspace_id=workspace_id).update(version=F("version") + 1)


# --- categories ------------------------------------------------------------------------------------

@transaction.atomic
def category_create(*, workspace: Workspace, name: str, actor: User | None, description: str = "") -> ArticleCategory:
    name = " ".join(name.split())[:80]
    if not name:
        raise ServiceError("분류 이름을 입력해 주세요.")
    if ArticleCategory.objects.filter(workspace=workspace, name=name).exists():
        raise ServiceError(f"이미 있는 분류입니다: {name}")
    position = ArticleCategory.objects.filter(workspace=workspace).count()
    category = ArticleCategory.objects.create(workspace=workspace, name=name, description=description[:200],
                                              position=position)
    record(workspace=workspace, actor=actor, action="kb_category.create", obj=category)
    return category


def category_for_name(*, workspace: Workspace, name: str) -> ArticleCategory | None:
    """The category of that name, created when missing (imports); blank → None."""
    name = " ".join(name.split())[:80]
    if not name:
        return None
    category, _created = ArticleCategory.objects.get_or_create(workspace=workspace, name=name)
    return category


# --- articles ---------------------------------------------------------------------------------------

@dataclass
class ArticleInput:
    """What an editor, the API or an import sets on an article. ``body`` is HTML (sanitised here)."""

    title: str
    body: str = ""
    category_id: int | None = None
    tags: list[str] = field(default_factory=list)
    product: str = ""
    audience: str = Audience.PUBLIC
    language: str = Language.KO
    external_id: str | None = None


def clean_tags(tags: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).lstrip("#").split())[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:MAX_TAGS]


def _validate(workspace: Workspace, data: ArticleInput) -> None:
    if not data.title.strip():
        raise ServiceError("제목을 입력해 주세요.")
    if len(data.title.strip()) > 200:
        raise ServiceError("제목은 200자 이하로 입력해 주세요.")
    if data.audience not in Audience.values:
        raise ServiceError(f"대상은 public(공개) 또는 internal(내부) 중 하나여야 합니다: {data.audience}")
    if data.language not in Language.values:
        raise ServiceError(f"언어는 ko 또는 en 이어야 합니다: {data.language}")
    if len(data.body) > 200_000:
        raise ServiceError("본문이 너무 깁니다 (200,000자 이하).")
    if data.external_id is not None and len(data.external_id) > 120:
        raise ServiceError("외부 ID는 120자 이하로 입력해 주세요.")
    if data.category_id is not None and not ArticleCategory.objects.filter(
            workspace=workspace, pk=data.category_id).exists():
        raise ServiceError("이 워크스페이스의 분류만 고를 수 있습니다.")


def steps_text(article: Article) -> str:
    return "\n".join(f"{n}. {step.text}" for n, step in enumerate(article.steps.all(), start=1))


def _snapshot(article: Article, by: User | None) -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article, number=article.version, title=article.title, body=article.body,
        body_text=article.body_text, steps_text=steps_text(article), status=article.status, author=by,
        author_label=by.label if by else "system")


# Set while an import writes many articles: it bumps the version and computes vectors once at the end.
_bulk: contextvars.ContextVar[bool] = contextvars.ContextVar("kb_bulk", default=False)


@contextlib.contextmanager
def bulk_changes() -> Iterator[None]:
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def _after_change(article: Article, *, suggestions_changed: bool) -> None:
    """Bump the KB version (suggestions change) and queue the vector refresh after commit."""
    if _bulk.get():
        return
    if suggestions_changed:
        kb_version_bump(workspace_id=article.workspace_id)
    if article.is_published:
        article_id = article.pk

        def enqueue() -> None:
            from cxops.knowledge.jobs import kb_embed_articles

            kb_embed_articles([article_id])

        transaction.on_commit(enqueue)


def _apply(article: Article, data: ArticleInput) -> dict[str, Any]:
    before = {"title": article.title, "body_text": article.body_text, "category": article.category_id,
              "tags": list(article.tags), "product": article.product, "audience": article.audience,
              "language": article.language}
    article.title = data.title.strip()
    article.body = sanitize_html(data.body)
    article.body_text = html_to_text(article.body)
    article.category_id = data.category_id
    article.tags = clean_tags(data.tags)
    article.product = data.product.strip()[:160]
    article.audience = data.audience
    article.language = data.language
    after = {"title": article.title, "body_text": article.body_text, "category": article.category_id,
             "tags": list(article.tags), "product": article.product, "audience": article.audience,
             "language": article.language}
    return {k: [before[k], after[k]] for k in after if before[k] != after[k]}


@transaction.atomic
def article_create(*, workspace: Workspace, data: ArticleInput, by: User | None,
                   status: str = ArticleStatus.DRAFT, steps: Sequence[str] = ()) -> Article:
    _validate(workspace, data)
    if status not in ArticleStatus.values:
        raise ServiceError(f"상태는 draft 또는 published 여야 합니다: {status}")
    external_id = (data.external_id or "").strip() or None
    if external_id and Article.objects.filter(workspace=workspace, external_id=external_id).exists():
        raise ServiceError(f"외부 ID가 이미 쓰이고 있습니다: {external_id}")
    now = timezone.now()
    article = Article(workspace=workspace, owner=by, status=status, external_id=external_id, created_at=now,
                      updated_at=now, last_verified_at=now)
    _apply(article, data)
    if status == ArticleStatus.PUBLISHED:
        article.published_at = now
    article.save()
    ArticleStep.objects.bulk_create([ArticleStep(article=article, position=n, text=text.strip())
                                     for n, text in enumerate(steps) if text.strip()][:MAX_STEPS])
    _snapshot(article, by)
    record(workspace=workspace, actor=by, action="kb_article.create", obj=article,
           changes={"status": status, "audience": article.audience})
    _after_change(article, suggestions_changed=article.is_published)
    return article


@transaction.atomic
def article_update(*, article: Article, data: ArticleInput, by: User | None,
                   steps: Sequence[str] | None = None) -> Article:
    """Change content; ``steps`` (texts) replaces the step texts in order, keeping screenshots by position."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    _validate(article.workspace, data)
    external_id = (data.external_id or "").strip() or None if data.external_id is not None else article.external_id
    if external_id != article.external_id and external_id and Article.objects.filter(
            workspace_id=article.workspace_id, external_id=external_id).exclude(pk=article.pk).exists():
        raise ServiceError(f"외부 ID가 이미 쓰이고 있습니다: {external_id}")
    changes = _apply(article, data)
    if external_id != article.external_id:
        changes["external_id"] = [article.external_id, external_id]
        article.external_id = external_id
    if steps is not None:
        old = steps_text(article)
        _replace_steps(article, steps)
        if steps_text(article) != old:
            changes["steps"] = [old, steps_text(article)]
    if not changes:
        return article
    article.version += 1
    article.updated_at = timezone.now()
    article.save()
    _snapshot(article, by)
    record(workspace=article.workspace, actor=by, action="kb_article.update", obj=article,
           changes={k: v for k, v in changes.items() if k not in ("body_text", "steps")} | (
               {"body": "changed"} if "body_text" in changes else {}) | ({"steps": "changed"} if "steps" in changes
                                                                         else {}))
    _after_change(article, suggestions_changed=article.is_published)
    return article


def _replace_steps(article: Article, texts: Sequence[str]) -> None:
    texts = [t.strip() for t in texts if t.strip()][:MAX_STEPS]
    existing = list(article.steps.all())
    for n, text in enumerate(texts):
        if n < len(existing):
            step = existing[n]
            if step.text != text or step.position != n:
                step.text, step.position = text, n
                step.save(update_fields=["text", "position"])
        else:
            ArticleStep.objects.create(article=article, position=n, text=text)
    for step in existing[len(texts):]:
        if step.image:
            step.image.delete(save=False)
        step.delete()


@transaction.atomic
def article_set_status(*, article: Article, status: str, by: User | None) -> Article:
    if status not in ArticleStatus.values:
        raise ServiceError(f"상태는 draft 또는 published 여야 합니다: {status}")
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == status:
        return article
    before = article.status
    article.status = status
    now = timezone.now()
    if status == ArticleStatus.PUBLISHED:
        article.published_at = now
        article.last_verified_at = now
    article.version += 1
    article.updated_at = now
    article.save()
    _snapshot(article, by)
    record(workspace=article.workspace, actor=by, action="kb_article.publish" if status == ArticleStatus.PUBLISHED
           else "kb_article.unpublish", obj=article, changes={"status": [before, status]})
    _after_change(article, suggestions_changed=True)
    return article


def article_publish(*, article: Article, by: User | None) -> Article:
    return article_set_status(article=article, status=ArticleStatus.PUBLISHED, by=by)


@transaction.atomic
def article_verify(*, article: Article, by: User | None) -> Article:
    """"Still correct": the review clock restarts today and open review reminders close."""
    now = timezone.now()
    Article.objects.filter(pk=article.pk).update(last_verified_at=now)
    article.last_verified_at = now
    ReviewReminder.objects.filter(article=article, resolved_at__isnull=True).update(resolved_at=now)
    record(workspace=article.workspace, actor=by, action="kb_article.verify", obj=article)
    return article


@transaction.atomic
def article_delete(*, article: Article, by: User | None) -> None:
    workspace = article.workspace
    record(workspace=workspace, actor=by, action="kb_article.delete", obj=article,
           changes={"title": article.title})
    for step in article.steps.exclude(image=""):
        step.image.delete(save=False)
    for attachment in article.attachments.all():
        attachment.file.delete(save=False)
    article.delete()
    kb_version_bump(workspace_id=workspace.pk)


def _read_file(upload: UploadedFile) -> tuple[str, str, bytes]:
    from cxops.portal.uploads import read_upload

    checked = read_upload(upload)
    return checked.filename, checked.content_type, checked.content


@transaction.atomic
def step_set_image(*, step: ArticleStep, upload: UploadedFile | None, by: User | None) -> ArticleStep:
    """Attach (or with None remove) the screenshot of a step: PNG, JPEG, GIF or WebP up to 5 MB."""
    from cxops.portal.uploads import content_type_for, signature_matches

    if step.image:
        step.image.delete(save=False)
        step.image_type = ""
    if upload is not None:
        filename = upload.name or "screenshot.png"
        content_type = content_type_for(filename, upload.content_type or "")
        if content_type not in SCREENSHOT_TYPES:
            raise ServiceError("스크린샷은 PNG, JPG, GIF, WebP 이미지만 올릴 수 있습니다.")
        if (upload.size or 0) > MAX_SCREENSHOT_BYTES:
            raise ServiceError("스크린샷은 5MB 이하만 올릴 수 있습니다.")
        upload.seek(0)
        content = upload.read()
        if not content or not signature_matches(content_type, content[:16]):
            raise ServiceError("이미지 파일의 내용이 확장자와 맞지 않습니다. 이미지를 다시 저장해서 올려 주세요.")
        step.image.save(filename[-100:], ContentFile(content), save=False)
        step.image_type = content_type
    step.save()
    record(workspace=step.article.workspace, actor=by, action="kb_article.step_image", obj=step.article,
           changes={"step": step.position + 1, "image": bool(upload)})
    return step


@transaction.atomic
def attachment_add(*, article: Article, upload: UploadedFile, by: User | None) -> ArticleAttachment:
    filename, content_type, content = _read_file(upload)
    attachment = ArticleAttachment(article=article, filename=filename[:255], content_type=content_type,
                                   size=len(content))
    attachment.file.save(filename[-100:], ContentFile(content), save=False)
    attachment.save()
    record(workspace=article.workspace, actor=by, action="kb_article.attach", obj=article,
           changes={"file": filename})
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: ArticleAttachment, by: User | None) -> None:
    article = attachment.article
    record(workspace=article.workspace, actor=by, action="kb_article.detach", obj=article,
           changes={"file": attachment.filename})
    attachment.file.delete(save=False)
    attachment.delete()


# --- vectors -----------------------------------------------------------------------------------------

def passage_for(article: Article, steps: str | None = None) -> Any:
    from cxops.knowledge.retrieval import Passage

    body = article.body_text
    steps = steps_text(article) if steps is None else steps
    if steps:
        body = f"{body}\n{steps}" if body else steps
    extra = " ".join([*(article.tags or []), article.category.name if article.category else "", article.product])
    return Passage(key=str(article.pk), title=article.title, body=body,
                   internal=article.audience == Audience.INTERNAL, extra=extra.strip())


def content_hash(embedder_name: str, text: str) -> str:
    return hashlib.sha256(f"{embedder_name}\n{text}".encode()).hexdigest()


# Raised when what is embedded per article changes, so every cached stack is recomputed once.
STACK_FORMAT = "stack-v2"


def embeddings_refresh(*, articles: Sequence[Article], passages: Sequence[Any] | None = None,
                       embedder: Embedder | None = None) -> dict[int, np.ndarray[Any, Any]]:
    """Vector stacks of the articles for the embedder (the passage vector, then one per body sentence;
    see ``retrieval.passage_texts``), computing in batches and storing only the missing or outdated
    ones. Returns {article id: (rows × dim) matrix}."""
    from cxops.knowledge.retrieval import passage_texts

    embedder = embedder or get_embedder()
    passages = list(passages) if passages is not None else [passage_for(a) for a in articles]
    texts = {a.pk: passage_texts(p) for a, p in zip(articles, passages, strict=True)}
    hashes = {pk: content_hash(embedder.name, "\x1e".join([STACK_FORMAT, *group])) for pk, group in texts.items()}
    cached = {row.article_id: row for row in ArticleEmbedding.objects.filter(
        article_id__in=list(texts), embedder=embedder.name)}
    out: dict[int, np.ndarray[Any, Any]] = {}
    missing: list[int] = []
    for pk, group in texts.items():
        row = cached.get(pk)
        if row is not None and row.content_hash == hashes[pk] and row.dim == embedder.dim:
            stack = np.frombuffer(bytes(row.vector), dtype=np.float32).reshape(-1, embedder.dim)
            if len(stack) == len(group):
                out[pk] = stack
                continue
        missing.append(pk)
    now = timezone.now()
    start = 0
    while start < len(missing):
        # Whole articles per batch, about EMBED_BATCH texts each.
        chunk: list[int] = []
        size = 0
        while start < len(missing) and (not chunk or size + len(texts[missing[start]]) <= EMBED_BATCH):
            chunk.append(missing[start])
            size += len(texts[missing[start]])
            start += 1
        flat = embedder.embed_passages([t for pk in chunk for t in texts[pk]])
        new, changed = [], []
        offset = 0
        for pk in chunk:
            stack = np.ascontiguousarray(flat[offset:offset + len(texts[pk])], dtype=np.float32)
            offset += len(texts[pk])
            out[pk] = stack
            row = cached.get(pk)
            if row is None:
                new.append(ArticleEmbedding(article_id=pk, embedder=embedder.name, content_hash=hashes[pk],
                                            dim=embedder.dim, vector=stack.tobytes(), updated_at=now))
            else:
                row.content_hash, row.dim, row.vector, row.updated_at = hashes[pk], embedder.dim, stack.tobytes(), now
                changed.append(row)
        ArticleEmbedding.objects.bulk_create(new, ignore_conflicts=True)
        if changed:
            ArticleEmbedding.objects.bulk_update(changed, ["content_hash", "dim", "vector", "updated_at"])
    return out


# --- review reminders ---------------------------------------------------------------------------------

def review_days(workspace: Workspace) -> int:
    from cxops.knowledge.models import DEFAULT_REVIEW_DAYS

    value = ((workspace.settings or {}).get("knowledge") or {}).get("review_days", DEFAULT_REVIEW_DAYS)
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return DEFAULT_REVIEW_DAYS


@transaction.atomic
def review_days_set(*, workspace: Workspace, days: int, actor: User | None) -> None:
    if not 1 <= days <= 3650:
        raise ServiceError("검토 주기는 1일에서 3650일 사이로 입력해 주세요.")
    workspace = Workspace.objects.select_for_update().get(pk=workspace.pk)
    settings = dict(workspace.settings or {})
    before = review_days(workspace)
    settings["knowledge"] = {**(settings.get("knowledge") or {}), "review_days": days}
    workspace.settings = settings
    workspace.save(update_fields=["settings"])
    record(workspace=workspace, actor=actor, action="kb.review_days", obj=workspace, changes={"review_days": [before, days]})


def review_reminders_create(*, now: datetime | None = None) -> int:
    """Open a "needs review" reminder for every published article not verified within its workspace's
    review interval (one open reminder per article). Returns how many were opened."""
    now = now or timezone.now()
    opened = 0
    for workspace in Workspace.objects.filter(kb_articles__status=ArticleStatus.PUBLISHED).distinct():
        cutoff = now - timedelta(days=review_days(workspace))
        stale = (Article.objects.filter(workspace=workspace, status=ArticleStatus.PUBLISHED,
                                        last_verified_at__lt=cutoff)
                 .exclude(Exists(ReviewReminder.objects.filter(article=OuterRef("pk"), resolved_at__isnull=True)))
                 .values_list("pk", flat=True))
        rows = [ReviewReminder(workspace=workspace, article_id=pk, created_at=now) for pk in stale]
        ReviewReminder.objects.bulk_create(rows, ignore_conflicts=True)
        opened += len(rows)
    return opened


# --- events ------------------------------------------------------------------------------------------

def view_record(*, article: Article, source: str, session_key: str = "") -> None:
    ArticleView.objects.create(workspace_id=article.workspace_id, article=article,
                               source=source if source in Source.values else Source.HELPCENTER,
                               session_key=session_key[:64])


def vote_record(*, article: Article, session_key: str, helpful: bool) -> ArticleVote:
    """One vote per session and article; voting again changes the answer."""
    if not session_key:
        raise ServiceError("세션이 없어 의견을 저장할 수 없습니다. 쿠키를 허용해 주세요.")
    vote, _created = ArticleVote.objects.update_or_create(
        article=article, session_key=session_key[:64],
        defaults={"workspace_id": article.workspace_id, "helpful": helpful, "created_at": timezone.now()})
    return vote


def suggestion_record(*, workspace_id: int, kind: str, source: str, article_ids: Sequence[int] = (),
                      session_key: str = "", query: str = "", ticket_id: int | None = None,
                      user: User | None = None) -> None:
    if kind not in SuggestionKind.values or source not in Source.values:
        raise ServiceError("알 수 없는 추천 기록 종류입니다.")
    now = timezone.now()
    ids: list[int | None] = list(article_ids) or [None]
    SuggestionEvent.objects.bulk_create([
        SuggestionEvent(workspace_id=workspace_id, article_id=pk, kind=kind, source=source,
                        session_key=session_key[:64], query=" ".join(query.split())[:200], ticket_id=ticket_id,
                        user=user, created_at=now)
        for pk in ids])
