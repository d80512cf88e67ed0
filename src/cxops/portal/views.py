"""The public 1:1 inquiry board and the customer's private link (thin adapters over the services)."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from cxops.core.models import Workspace
from cxops.core.ratelimit import rate_limited
from cxops.core.services import ServiceError
from cxops.knowledge.helpcenter import board_submitted
from cxops.portal import antispam
from cxops.portal.branding import brand_for
from cxops.portal.forms import InquiryForm, ReplyForm
from cxops.portal.selectors import workspace_public_get
from cxops.portal.services import Inquiry, inquiry_submit
from cxops.portal.uploads import INLINE_TYPES, content_type_for
from cxops.tickets.channels.board import portal_ticket_id, portal_token
from cxops.tickets.models import Channel, MessageKind, Status, Ticket
from cxops.tickets.selectors import portal_ticket_get, public_attachment_get, public_categories, public_timeline
from cxops.tickets.services import ticket_customer_message

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

log = logging.getLogger(__name__)

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])

RATE_LIMITED_TEMPLATE = "portal/rate_limited.html"
RECEIPT_COOKIE = "cxops_receipt"
RECEIPT_MAX_AGE_S = 24 * 3600

# Private pages carry a secret in their address: keep it out of search engines, shared caches and
# Referer headers sent to other sites. Pages without a form send no Referer at all. Pages whose
# form posts back use "same-origin": under "no-referrer" browsers send `Origin: null` with the
# POST and Django's CSRF origin check (rightly) refuses it; "same-origin" still never tells
# another site the address.
NO_REFERRER = "no-referrer"
SAME_ORIGIN = "same-origin"


def private_page(referrer_policy: str = NO_REFERRER) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            response["Referrer-Policy"] = referrer_policy
            response["X-Robots-Tag"] = "noindex, nofollow"
            response["Cache-Control"] = "private, no-store"
            return response

        return cast(ViewFunc, wrapped)

    return decorator


# What a customer reads about their inquiry: plain words, not our internal workflow.
PUBLIC_STATUS: dict[str, tuple[StrOrPromise, StrOrPromise, str]] = {
    Status.NEW: (_("접수됨"), _("문의가 접수되었습니다. 담당자가 확인한 뒤 답변드리겠습니다."), "new"),
    Status.OPEN: (_("처리 중"), _("담당자가 문의 내용을 확인하고 있습니다."), "open"),
    Status.ON_HOLD: (_("처리 중"), _("확인에 시간이 조금 걸리고 있습니다. 확인되는 대로 안내해 드리겠습니다."), "open"),
    Status.PENDING: (_("답변 완료"), _("답변이 등록되었습니다. 더 궁금한 점은 아래에 남겨 주세요."), "answered"),
    Status.SOLVED: (_("처리 완료"), _("문의가 처리되었습니다. 더 궁금한 점이 있으면 아래에 남겨 주세요."), "done"),
    Status.CLOSED: (_("종료"), _("종료된 문의입니다. 아래에 내용을 남기시면 문의가 다시 열립니다."), "done"),
}


def page_context(workspace: Workspace | None, **extra: Any) -> dict[str, Any]:
    brand = brand_for(workspace.brand_color if workspace else None)
    return {"workspace": workspace, "brand": brand, **extra}


def _ticket_from_token(slug: str, token: str) -> tuple[Workspace, Ticket]:
    workspace = workspace_public_get(slug=slug)
    ticket_id = portal_ticket_id(token, workspace_id=workspace.pk)
    if ticket_id is None:
        raise Http404
    return workspace, portal_ticket_get(workspace_id=workspace.pk, ticket_id=ticket_id)


# --- the inquiry form ---------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@rate_limited("board_submit", methods=["POST"], template_name=RATE_LIMITED_TEMPLATE)
def inquiry_form(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_public_get(slug=slug)
    categories = public_categories(workspace_id=workspace.pk)
    thanks_url = reverse("portal_inquiry_thanks", args=[workspace.slug])
    files_dropped = False
    if request.method == "POST":
        form = InquiryForm(request.POST, request.FILES, workspace=workspace, categories=categories)
        if form.honeypot_filled():
            # Bots get the same answer as people, and nothing is stored.
            log.info("board %s: honeypot filled, submission dropped", workspace.slug)
            return redirect(thanks_url)
        if form.is_valid():
            assert form.stamp is not None
            data = form.cleaned_data
            inquiry = Inquiry(
                name=data["name"], phone=data["phone"], email=data["email"], subject=data["subject"],
                body=data["body"], consent_text=workspace.privacy_consent_text, nonce=form.stamp.nonce,
                order_number=data["order_number"].strip(), category_id=data["category"],
                attachments=form.attachment_list,
            )
            try:
                submitted = inquiry_submit(workspace=workspace, inquiry=inquiry)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                board_submitted(request, workspace)  # knowledge: this session was not deflected
                response = redirect(thanks_url)
                _receipt_set(request, response, workspace, {
                    "number": submitted.ticket.number, "token": portal_token(submitted.ticket),
                    "emailed": bool(inquiry.email)})
                return response
        files_dropped = bool(request.FILES)
        stamp_value = (
            request.POST.get(antispam.STAMP_FIELD, "") if form.stamp is not None
            else antispam.issue_stamp(workspace_id=workspace.pk)
        )
    else:
        # "Still need help?" in the help center links here with the customer's question as the subject.
        form = InquiryForm(workspace=workspace, categories=categories,
                           initial={"subject": request.GET.get("subject", "")[:200]})
        stamp_value = antispam.issue_stamp(workspace_id=workspace.pk)
    return render(request, "portal/inquiry_form.html", page_context(
        workspace, form=form, stamp_value=stamp_value, files_dropped=files_dropped,
        consent_text=workspace.privacy_consent_text,
    ))


def _receipt_cookie(workspace: Workspace) -> str:
    return f"{RECEIPT_COOKIE}_{workspace.pk}"


def _receipt_set(request: HttpRequest, response: HttpResponse, workspace: Workspace, receipt: dict[str, Any]) -> None:
    """The thanks page's receipt travels in a signed cookie, not a server session: an anonymous
    customer costs no session row, and the link inside is itself a signed token."""
    response.set_signed_cookie(
        _receipt_cookie(workspace), json.dumps(receipt), salt=RECEIPT_COOKIE, max_age=RECEIPT_MAX_AGE_S,
        path=reverse("portal_inquiry_thanks", args=[workspace.slug]), secure=request.is_secure(), httponly=True,
        samesite="Lax")


def _receipt_get(request: HttpRequest, workspace: Workspace) -> dict[str, Any] | None:
    raw = request.get_signed_cookie(_receipt_cookie(workspace), default=None, salt=RECEIPT_COOKIE,
                                    max_age=RECEIPT_MAX_AGE_S)
    try:
        receipt = json.loads(raw) if raw else None
    except ValueError:
        return None
    return receipt if isinstance(receipt, dict) else None


@require_GET
@private_page()
def inquiry_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_public_get(slug=slug)
    receipt = _receipt_get(request, workspace)
    number = private_url = None
    emailed = False
    if receipt and portal_ticket_id(receipt.get("token", ""), workspace_id=workspace.pk) is not None:
        number = receipt["number"]
        emailed = bool(receipt.get("emailed"))
        private_url = request.build_absolute_uri(
            reverse("portal_inquiry_detail", args=[workspace.slug, receipt["token"]]))
    return render(request, "portal/inquiry_thanks.html", page_context(
        workspace, number=number, private_url=private_url, emailed=emailed, noindex=True))


# --- the customer's private link ----------------------------------------------------------------

def _reply_nonce_key(nonce: str) -> str:
    return "cxops:portal-reply:" + hashlib.sha256(nonce.encode()).hexdigest()[:32]


@require_http_methods(["GET", "POST"])
@private_page(SAME_ORIGIN)
@rate_limited("portal_reply", methods=["POST"], template_name=RATE_LIMITED_TEMPLATE)
def inquiry_detail(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    workspace, ticket = _ticket_from_token(slug, token)
    here = reverse("portal_inquiry_detail", args=[workspace.slug, token])
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            nonce = form.cleaned_data["nonce"]
            nonce_key = _reply_nonce_key(nonce) if nonce else None
            if nonce_key and not cache.add(nonce_key, 1, timeout=24 * 3600):
                # The same form sent twice (double tap): the first one was already recorded.
                return HttpResponseRedirect(here + "#latest")
            try:
                ticket_customer_message(ticket=ticket, body_text=form.cleaned_data["body"],
                                        attachments=tuple(form.cleaned_data["attachments"]), channel=Channel.BOARD)
            except ServiceError as exc:
                if nonce_key:
                    cache.delete(nonce_key)
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("추가 문의가 등록되었습니다. 담당자가 확인 후 답변드리겠습니다."))
                return HttpResponseRedirect(here + "#latest")
    else:
        form = ReplyForm(initial={"nonce": secrets.token_urlsafe(16)})
    label, explanation, tone = PUBLIC_STATUS.get(ticket.status, PUBLIC_STATUS[Status.OPEN])
    timeline = public_timeline(ticket=ticket)
    return render(request, "portal/inquiry_detail.html", page_context(
        workspace, ticket=ticket, token=token, timeline=timeline, form=form, noindex=True,
        status_label=label, status_explanation=explanation, status_tone=tone,
        customer_kind=MessageKind.CUSTOMER, files_dropped=request.method == "POST" and bool(request.FILES),
    ))


@require_GET
@private_page()
def inquiry_attachment(request: HttpRequest, slug: str, token: str, attachment_id: int) -> HttpResponseBase:
    _workspace, ticket = _ticket_from_token(slug, token)
    attachment = public_attachment_get(ticket=ticket, attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        log.error("attachment %s of ticket %s is missing from storage (%s)", attachment.pk, ticket.pk,
                  attachment.file.name)
        raise Http404 from None
    inline = attachment.content_type in INLINE_TYPES
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.filename,
                            content_type=attachment.content_type)
    # Whatever the file holds, it never runs as a page of this site.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


@require_GET
def workspace_logo(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The workspace's logo for its public pages (media files are not served directly)."""
    workspace = workspace_public_get(slug=slug)
    if not workspace.logo:
        raise Http404
    content_type = content_type_for(workspace.logo.name)
    if content_type not in INLINE_TYPES:
        raise Http404
    try:
        handle = workspace.logo.open("rb")
    except FileNotFoundError:
        log.error("logo of workspace %s is missing from storage (%s)", workspace.slug, workspace.logo.name)
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
