"""Agent pages of the knowledge base: article list and editor, history with diffs, the dashboard,
recurring questions and the ticket side panel. Thin adapters over selectors and services."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cxops.core.models import Role
from cxops.core.sanitize import text_to_html
from cxops.core.services import ServiceError
from cxops.knowledge import selectors, services, suggest
from cxops.knowledge.models import Article, ArticleStatus, Audience, Language, Source, SuggestionKind
from cxops.web.decorators import get_membership, workspace_view

log = logging.getLogger(__name__)

NEW_STEP_ROWS = 3


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@workspace_view()
def articles(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    status, audience = request.GET.get("status", ""), request.GET.get("audience", "")
    category_id, stale = _int(request.GET.get("category")), request.GET.get("stale") == "1"
    q = request.GET.get("q", "")[:200]
    rows = list(selectors.articles_list(membership=membership, status=status, audience=audience,
                                        category_id=category_id, stale=stale, q=q)[:300])
    cutoff = selectors.stale_cutoff(membership.workspace)
    for a in rows:
        a.is_stale = a.is_published and (a.last_verified_at is None or a.last_verified_at < cutoff)  # type: ignore[attr-defined]
    return render(request, "knowledge/articles.html", {
        "rows": rows, "categories": list(selectors.categories_list(workspace=membership.workspace)),
        "filters": {"status": status, "audience": audience, "category": category_id, "stale": stale, "q": q},
        "statuses": ArticleStatus.choices, "audiences": Audience.choices, "tab": "articles",
        "review_days": services.review_days(membership.workspace),
    })


def _form_data(request: HttpRequest) -> tuple[services.ArticleInput, list[str]]:
    body = request.POST.get("body", "")
    if body.strip() and "<" not in body:
        body = text_to_html(body)
    tags = [t for t in request.POST.get("tags", "").replace(";", ",").split(",") if t.strip()]
    data = services.ArticleInput(
        title=request.POST.get("title", ""), body=body, category_id=_int(request.POST.get("category")),
        tags=tags, product=request.POST.get("product", ""), audience=request.POST.get("audience", Audience.PUBLIC),
        language=request.POST.get("language", Language.KO),
        external_id=request.POST.get("external_id", "").strip() or None)
    return data, request.POST.getlist("steps")


def _save_step_images(request: HttpRequest, article: Article, by: Any) -> None:
    steps = list(article.steps.all())
    for n, step in enumerate(steps):
        upload = request.FILES.get(f"step_image_{n}")
        if isinstance(upload, UploadedFile):
            services.step_set_image(step=step, upload=upload, by=by)
        elif request.POST.get(f"step_image_clear_{n}") and step.image:
            services.step_set_image(step=step, upload=None, by=by)
    for upload in request.FILES.getlist("attachments"):
        services.attachment_add(article=article, upload=upload, by=by)


def _editor(request: HttpRequest, article: Article | None, *, initial: dict[str, Any] | None = None,
            error: str = "", status: int = 200) -> HttpResponse:
    membership = get_membership(request)
    steps = selectors.article_steps(article=article) if article else []
    step_texts = request.POST.getlist("steps") if request.method == "POST" else [s.text for s in steps]
    texts = [*step_texts, *[""] * NEW_STEP_ROWS]
    step_rows: list[dict[str, Any]] = [{"text": text, "step": steps[n] if n < len(steps) else None, "index": n}
                                       for n, text in enumerate(texts)]
    return render(request, "knowledge/article_edit.html", {
        "article": article, "initial": initial or {}, "error": error, "step_rows": step_rows,
        "categories": list(selectors.categories_list(workspace=membership.workspace)),
        "audiences": Audience.choices, "languages": Language.choices, "tab": "articles",
        "attachments": selectors.article_attachments(article=article) if article else [],
        "versions": list(selectors.article_versions(article=article)[:20]) if article else [],
        "help_url": reverse("kb_help_article", kwargs={"slug": membership.workspace.slug, "article_id": article.pk})
        if article and article.is_public and article.is_published else "",
    }, status=status)


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """A draft from a ticket reply (?ticket=N[&message=M]) or a recurring-question cluster (?title=&body=)."""
    from cxops.tickets import selectors as ticket_selectors
    from cxops.tickets.models import Message, MessageKind

    membership = get_membership(request)
    initial: dict[str, Any] = {"title": request.GET.get("title", "")[:200], "body": request.GET.get("body", "")[:5000]}
    number = _int(request.GET.get("ticket"))
    if number is not None:
        ticket = ticket_selectors.ticket_get(membership=membership, number=number)
        replies = Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).order_by("-created_at", "-id")
        message_id = _int(request.GET.get("message"))
        if message_id is not None:
            replies = replies.filter(pk=message_id)
        reply = replies.first()
        initial["title"] = initial["title"] or ticket.subject
        if reply is not None:
            initial["body"] = reply.body_text
    return initial


@workspace_view(min_role=Role.AGENT)
def article_new(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    if request.method != "POST":
        return _editor(request, None, initial=_prefill(request))
    data, steps = _form_data(request)
    try:
        article = services.article_create(workspace=membership.workspace, data=data, by=membership.user, steps=steps)
        _save_step_images(request, article, membership.user)
    except ServiceError as exc:
        return _editor(request, None, initial=request.POST.dict(), error=str(exc), status=400)
    messages.success(request, _("문서를 초안으로 저장했습니다. 내용을 확인한 뒤 게시해 주세요."))
    return redirect("kb_article", slug=membership.workspace.slug, article_id=article.pk)


@workspace_view()
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    membership = get_membership(request)
    article = selectors.article_get(membership=membership, article_id=article_id)
    if request.method != "POST":
        initial = {"title": article.title, "body": article.body, "category": article.category_id,
                   "tags": ", ".join(article.tags or []), "product": article.product, "audience": article.audience,
                   "language": article.language, "external_id": article.external_id or ""}
        return _editor(request, article, initial=initial)
    data, steps = _form_data(request)
    try:
        article = services.article_update(article=article, data=data, by=membership.user, steps=steps)
        _save_step_images(request, article, membership.user)
    except ServiceError as exc:
        return _editor(request, article, initial=request.POST.dict(), error=str(exc), status=400)
    messages.success(request, _("저장했습니다."))
    return redirect("kb_article", slug=membership.workspace.slug, article_id=article.pk)


@workspace_view(min_role=Role.AGENT, write=True)
def article_publish(request: HttpRequest, article_id: int) -> HttpResponse:
    membership = get_membership(request)
    article = selectors.article_get(membership=membership, article_id=article_id)
    status = ArticleStatus.DRAFT if request.POST.get("status") == ArticleStatus.DRAFT else ArticleStatus.PUBLISHED
    services.article_set_status(article=article, status=status, by=membership.user)
    messages.success(request, _("게시했습니다.") if status == ArticleStatus.PUBLISHED else _("게시를 중단했습니다."))
    return redirect("kb_article", slug=membership.workspace.slug, article_id=article.pk)


@workspace_view(min_role=Role.AGENT, write=True)
def article_verify(request: HttpRequest, article_id: int) -> HttpResponse:
    membership = get_membership(request)
    article = selectors.article_get(membership=membership, article_id=article_id)
    services.article_verify(article=article, by=membership.user)
    messages.success(request, _("오늘 날짜로 내용을 확인했습니다."))
    return redirect(request.POST.get("next") or reverse("kb_article", kwargs={
        "slug": membership.workspace.slug, "article_id": article.pk}))


@workspace_view(min_role=Role.LEAD, write=True)
def article_delete(request: HttpRequest, article_id: int) -> HttpResponse:
    membership = get_membership(request)
    article = selectors.article_get(membership=membership, article_id=article_id)
    services.article_delete(article=article, by=membership.user)
    messages.success(request, _("문서를 삭제했습니다."))
    return redirect("kb_articles", slug=membership.workspace.slug)


@workspace_view()
def article_history(request: HttpRequest, article_id: int) -> HttpResponse:
    membership = get_membership(request)
    article = selectors.article_get(membership=membership, article_id=article_id)
    versions = list(selectors.article_versions(article=article))
    number = _int(request.GET.get("v")) or (versions[0].number if versions else None)
    diff: Any = None
    if number is not None:
        diff = selectors.version_diff(article=article, number=number)
    return render(request, "knowledge/article_history.html", {
        "article": article, "versions": versions, "diff": diff, "number": number, "tab": "articles"})


def _serve(field_file: Any, content_type: str, filename: str, *, inline: bool) -> HttpResponseBase:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        log.error("knowledge file %s is missing from storage", field_file.name)
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response


@workspace_view()
def step_image(request: HttpRequest, article_id: int, step_id: int) -> HttpResponseBase:
    membership = get_membership(request)
    step = selectors.step_get(workspace=membership.workspace, article_id=article_id, step_id=step_id)
    if not step.image:
        raise Http404
    return _serve(step.image, step.image_type or "image/png", f"step-{step.position + 1}", inline=True)


@workspace_view()
def attachment_download(request: HttpRequest, article_id: int, attachment_id: int) -> HttpResponseBase:
    membership = get_membership(request)
    attachment = selectors.attachment_get(workspace=membership.workspace, article_id=article_id,
                                          attachment_id=attachment_id)
    return _serve(attachment.file, attachment.content_type, attachment.filename, inline=False)


@workspace_view(min_role=Role.AGENT, write=True)
def attachment_delete(request: HttpRequest, article_id: int, attachment_id: int) -> HttpResponse:
    membership = get_membership(request)
    attachment = selectors.attachment_get(workspace=membership.workspace, article_id=article_id,
                                          attachment_id=attachment_id)
    services.attachment_delete(attachment=attachment, by=membership.user)
    return redirect("kb_article", slug=membership.workspace.slug, article_id=article_id)


@workspace_view(min_role=Role.MANAGER, write=True)
def review_settings(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    try:
        services.review_days_set(workspace=membership.workspace, days=_int(request.POST.get("days")) or 0,
                                 actor=membership.user)
        messages.success(request, _("검토 주기를 바꿨습니다."))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("kb_articles", slug=membership.workspace.slug)


@workspace_view(min_role=Role.AGENT, write=True)
def category_new(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    try:
        services.category_create(workspace=membership.workspace, name=request.POST.get("name", ""),
                                 actor=membership.user)
        messages.success(request, _("분류를 만들었습니다."))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("kb_articles", slug=membership.workspace.slug)


# --- dashboard ---------------------------------------------------------------------------------------

@workspace_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    days = _int(request.GET.get("days")) or 30
    days = days if days in (7, 30, 90) else 30
    board = selectors.dashboard(membership=membership, days=days)
    return render(request, "knowledge/dashboard.html", {"board": board, "days": days, "tab": "dashboard"})


# --- the ticket side panel ------------------------------------------------------------------------------

def _ticket_query(ticket: Any) -> str:
    from cxops.tickets.models import Message, MessageKind

    first = (Message.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER).order_by("created_at", "id")
             .values_list("body_text", flat=True).first()) or ""
    return f"{ticket.subject} {first}"[:600]


@workspace_view()
def ticket_panel(request: HttpRequest, number: int) -> HttpResponse:
    from cxops.knowledge.macros import matching_macros
    from cxops.tickets import selectors as ticket_selectors
    from cxops.tickets.models import Message, MessageKind

    membership = get_membership(request)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    query = _ticket_query(ticket)
    suggestions = suggest.suggest(membership.workspace_id, query, k=3, include_internal=True)
    if suggestions:
        services.suggestion_record(workspace_id=membership.workspace_id, kind=SuggestionKind.SHOWN,
                                   source=Source.AGENT, article_ids=[s.article.id for s in suggestions],
                                   query=query, ticket_id=ticket.pk, user=membership.user)
    ids = [s.article.id for s in suggestions]
    full = selectors.articles_by_ids(workspace_id=membership.workspace_id, ids=ids)
    items = []
    for s in suggestions:
        article = full.get(s.article.id)
        if article is None:
            continue
        link = "" if s.article.internal else request.build_absolute_uri(
            reverse("kb_help_article", kwargs={"slug": membership.workspace.slug, "article_id": article.pk}))
        items.append({"s": s, "article": article, "link": link,
                      "text": article.body_text + ("\n\n" + services.steps_text(article) if article.steps.exists()
                                                   else "")})
    last_reply = (Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).order_by("-created_at", "-id")
                  .values_list("pk", flat=True).first())
    return render(request, "knowledge/_ticket_panel.html", {
        "ticket": ticket, "items": items, "macros": matching_macros(membership=membership, text=query),
        "last_reply": last_reply, "can_write": membership.can_write})


@workspace_view(min_role=Role.AGENT, write=True)
def suggestion_used(request: HttpRequest, article_id: int) -> HttpResponse:
    """An agent inserted a suggested article's link or text into a reply."""
    membership = get_membership(request)
    article = selectors.article_get(membership=membership, article_id=article_id)
    services.suggestion_record(workspace_id=membership.workspace_id, kind=SuggestionKind.USED, source=Source.AGENT,
                               article_ids=[article.pk], ticket_id=_int(request.POST.get("ticket")),
                               user=membership.user, query=request.POST.get("how", "")[:20])
    return HttpResponse(status=204)


# --- recurring questions --------------------------------------------------------------------------------

@workspace_view()
def recurring(request: HttpRequest) -> HttpResponse:
    from cxops.knowledge.recurring import MAX_TICKETS, recurring_questions

    membership = get_membership(request)
    days = 7 if request.GET.get("days") == "7" else 30
    clusters = recurring_questions(workspace=membership.workspace, days=days,
                                   use_cache=request.GET.get("refresh") != "1")
    return render(request, "knowledge/recurring.html", {"clusters": clusters, "days": days, "tab": "recurring",
                                                        "max_tickets": MAX_TICKETS})
