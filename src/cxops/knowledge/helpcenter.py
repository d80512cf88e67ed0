"""The public help center of a workspace and the board form's article suggestions.

Anonymous pages, so every lookup goes through the workspace's public slug and only published
public articles are ever shown. Events are keyed by the browser session:
* the board form asks `board_suggest` while the customer types (htmx, debounced) → "shown";
* opening a suggested article (``?src=board``) → "clicked" (and a view);
* submitting the board form → "submitted" (portal hook `board_submitted`);
a clicked session without a submission within 30 minutes is a deflection (selectors.deflection_stats).
"""

from __future__ import annotations

import logging

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from cxops.core.models import Workspace
from cxops.core.ratelimit import rate_limited
from cxops.knowledge import selectors, services, suggest
from cxops.knowledge.models import Source, SuggestionKind
from cxops.portal.branding import brand_for
from cxops.portal.selectors import workspace_public_get

log = logging.getLogger(__name__)

RATE_LIMITED_TEMPLATE = "portal/rate_limited.html"
BOARD_SUGGESTIONS = 3
SEARCH_SUGGESTIONS = 5
MIN_QUERY_CHARS = 2
SHOWN_SESSION_KEY = "kb_shown"


def session_key(request: HttpRequest) -> str:
    """The browser session's key, creating the session (and its cookie) when there is none yet."""
    if not request.session.session_key:
        request.session["kb"] = 1
        request.session.save()
    return request.session.session_key or ""


def _context(workspace: Workspace, **extra: object) -> dict[str, object]:
    return {"workspace": workspace, "brand": brand_for(workspace.brand_color), **extra}


def board_url(workspace: Workspace, subject: str = "") -> str:
    url = reverse("portal_inquiry", args=[workspace.slug])
    return f"{url}?{urlencode({'subject': subject[:200]})}" if subject else url


def board_submitted(request: HttpRequest, workspace: Workspace) -> None:
    """Called by the board form after a successful submission (marks the session as not deflected)."""
    key = request.session.session_key
    if key:
        services.suggestion_record(workspace_id=workspace.pk, kind=SuggestionKind.SUBMITTED, source=Source.BOARD,
                                   session_key=key)


@require_GET
def help_home(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_public_get(slug=slug)
    categories = selectors.public_categories(workspace=workspace)
    articles = list(selectors.public_articles(workspace=workspace).select_related("category")[:200])
    return render(request, "knowledge/help/home.html", _context(
        workspace, categories=categories, articles=articles, board=board_url(workspace)))


@require_GET
def help_category(request: HttpRequest, slug: str, category_id: int) -> HttpResponse:
    workspace = workspace_public_get(slug=slug)
    category = next((c for c in selectors.public_categories(workspace=workspace) if c.pk == category_id), None)
    if category is None:
        raise Http404
    articles = list(selectors.public_articles(workspace=workspace, category_id=category.pk))
    return render(request, "knowledge/help/category.html", _context(
        workspace, category=category, articles=articles, board=board_url(workspace)))


def _suggest(request: HttpRequest, workspace: Workspace, query: str, *, k: int, source: str) -> list[suggest.Suggestion]:
    if len(query.strip()) < MIN_QUERY_CHARS:
        return []
    results = suggest.suggest(workspace.pk, query, k=k, include_internal=False)
    if results:
        # As-you-type asks many times: record each article once per session and source.
        key = session_key(request)
        seen = list(request.session.get(SHOWN_SESSION_KEY) or [])
        new = [s.article.id for s in results if f"{source}:{s.article.id}" not in seen]
        if new:
            services.suggestion_record(workspace_id=workspace.pk, kind=SuggestionKind.SHOWN, source=source,
                                       article_ids=new, session_key=key, query=query)
            request.session[SHOWN_SESSION_KEY] = (seen + [f"{source}:{pk}" for pk in new])[-100:]
    return results


@require_GET
@rate_limited("public_api", template_name=RATE_LIMITED_TEMPLATE)
def help_search(request: HttpRequest, slug: str) -> HttpResponse:
    """Search results: the whole page, or (htmx, as you type) just the list."""
    workspace = workspace_public_get(slug=slug)
    query = " ".join(request.GET.get("q", "").split())[:300]
    results = _suggest(request, workspace, query, k=SEARCH_SUGGESTIONS, source=Source.HELPCENTER)
    context = _context(workspace, query=query, results=results, board=board_url(workspace, query), src="helpcenter")
    if getattr(request, "htmx", False):
        return render(request, "knowledge/help/_results.html", context)
    return render(request, "knowledge/help/search.html", context)


@require_GET
@rate_limited("public_api", template_name=RATE_LIMITED_TEMPLATE)
def board_suggest(request: HttpRequest, slug: str) -> HttpResponse:
    """Up to three articles for what the customer is typing on the board form (htmx partial)."""
    workspace = workspace_public_get(slug=slug)
    subject = " ".join(request.GET.get("subject", "").split())[:200]
    body = " ".join(request.GET.get("body", "").split())[:400]
    query = f"{subject} {body}".strip()
    results = _suggest(request, workspace, query, k=BOARD_SUGGESTIONS, source=Source.BOARD)
    response = render(request, "knowledge/help/_board_suggestions.html", _context(
        workspace, results=results, query=query[:200]))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def help_article(request: HttpRequest, slug: str, article_id: int) -> HttpResponse:
    workspace = workspace_public_get(slug=slug)
    article = selectors.visible_article_get(workspace=workspace, article_id=article_id, include_internal=False)
    src = request.GET.get("src", "")
    key = session_key(request)
    source = src if src in (Source.BOARD, Source.HELPCENTER) else Source.HELPCENTER
    if src in (Source.BOARD, Source.HELPCENTER):
        services.suggestion_record(workspace_id=workspace.pk, kind=SuggestionKind.CLICKED, source=source,
                                   article_ids=[article.pk], session_key=key, query=request.GET.get("q", ""))
    services.view_record(article=article, source=source, session_key=key)
    vote = article.votes.filter(session_key=key).values_list("helpful", flat=True).first()
    return render(request, "knowledge/help/article.html", _context(
        workspace, article=article, steps=selectors.article_steps(article=article),
        attachments=selectors.article_attachments(article=article), vote=vote,
        board=board_url(workspace, request.GET.get("q", "") or article.title), from_board=src == Source.BOARD))


@require_POST
@rate_limited("public_api", template_name=RATE_LIMITED_TEMPLATE)
def help_vote(request: HttpRequest, slug: str, article_id: int) -> HttpResponse:
    workspace = workspace_public_get(slug=slug)
    article = selectors.visible_article_get(workspace=workspace, article_id=article_id, include_internal=False)
    helpful = request.POST.get("helpful") == "yes"
    services.vote_record(article=article, session_key=session_key(request), helpful=helpful)
    context = _context(workspace, article=article, vote=helpful, board=board_url(workspace, article.title))
    if getattr(request, "htmx", False):
        return render(request, "knowledge/help/_vote.html", context)
    from django.shortcuts import redirect

    return redirect("kb_help_article", slug=workspace.slug, article_id=article.pk)


def _serve(field_file: object, content_type: str, filename: str, *, inline: bool) -> HttpResponseBase:
    try:
        handle = field_file.open("rb")  # type: ignore[attr-defined]
    except FileNotFoundError:
        log.error("knowledge file %s is missing from storage", getattr(field_file, "name", "?"))
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def help_step_image(request: HttpRequest, slug: str, article_id: int, step_id: int) -> HttpResponseBase:
    workspace = workspace_public_get(slug=slug)
    step = selectors.step_get(workspace=workspace, article_id=article_id, step_id=step_id, public_only=True)
    if not step.image:
        raise Http404
    return _serve(step.image, step.image_type or "image/png", f"step-{step.position + 1}", inline=True)


@require_GET
def help_attachment(request: HttpRequest, slug: str, article_id: int, attachment_id: int) -> HttpResponseBase:
    from cxops.portal.uploads import INLINE_TYPES

    workspace = workspace_public_get(slug=slug)
    attachment = selectors.attachment_get(workspace=workspace, article_id=article_id, attachment_id=attachment_id,
                                          public_only=True)
    return _serve(attachment.file, attachment.content_type, attachment.filename,
                  inline=attachment.content_type in INLINE_TYPES)
