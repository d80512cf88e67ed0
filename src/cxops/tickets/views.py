"""Agent UI for tickets: inbox, ticket page, phone-call log, customers, macros and webhooks.

Views are thin: parse input with a form, call one selector or service, render a template (or an
htmx partial). Every view is wrapped by `workspace_view`, which resolves the membership.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from cxops.core.models import Membership, Role
from cxops.core.selectors import audit_events, members_list
from cxops.core.services import ServiceError, pii_access_log
from cxops.tickets import selectors, services
from cxops.tickets.channels.base import InboundAttachment
from cxops.tickets.extensions import ticket_actions, ticket_panels
from cxops.tickets.forms import (
    REPLY_STATUS_CHOICES,
    CallForm,
    ComposeForm,
    CustomerForm,
    CustomerNotesForm,
    MacroForm,
    SavedViewForm,
    SubjectForm,
    TicketPropertiesForm,
    WebhookForm,
    assignee_choices,
    category_choices,
    product_choices,
    status_choices,
    team_choices,
)
from cxops.tickets.macros import VARIABLES, render_macro
from cxops.tickets.models import (
    OPEN_STATUSES,
    CallDirection,
    CallOutcome,
    Channel,
    Customer,
    Priority,
    Status,
    Ticket,
    TicketType,
)
from cxops.tickets.selectors import BUILTIN_VIEWS, InboxFilters
from cxops.web import presence
from cxops.web.decorators import get_membership, workspace_view
from cxops.web.sidebar import BUILTIN_ORDER, default_view

log = logging.getLogger(__name__)

PER_PAGE = 50
LIST_KEYS = ("status", "priority", "channel", "type")
SCALAR_KEYS = ("assignee", "team", "category", "product", "tag", "created_from", "created_to", "updated_days", "q")
FILTER_KEYS = LIST_KEYS + SCALAR_KEYS
SORT_CHOICES = [
    ("-updated_at", gettext_lazy("최근 업데이트순")),
    ("sla_due", gettext_lazy("SLA 기한 임박순")),
    ("updated_at", gettext_lazy("오래된 업데이트순")),
    ("-created_at", gettext_lazy("최근 접수순")),
    ("created_at", gettext_lazy("오래된 접수순")),
    ("-priority", gettext_lazy("우선순위 높은순")),
    ("priority", gettext_lazy("우선순위 낮은순")),
    ("-number", gettext_lazy("번호 큰순")),
    ("number", gettext_lazy("번호 작은순")),
]


# --- small helpers ------------------------------------------------------------------------------

def _page(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _slice(qs: Any, page: int, per_page: int = PER_PAGE) -> tuple[list[Any], bool]:
    """One page without a COUNT query: fetch one row more to know whether a next page exists."""
    offset = (page - 1) * per_page
    rows = list(qs[offset: offset + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def _toast(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    trigger_client_event(response, "cx-toast", {"message": str(message), "level": level})
    return response


def _is_partial(request: HttpRequest, target: str) -> bool:
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request and htmx.target == target


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _inbox_url(membership: Membership, **params: Any) -> str:
    url = reverse("inbox", kwargs={"slug": membership.workspace.slug})
    query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    return f"{url}?{query}" if query else url


def _ticket_url(ticket: Ticket) -> str:
    return reverse("ticket_detail", kwargs={"slug": ticket.workspace.slug, "number": ticket.number})


def _log_pii(membership: Membership, subject: Any, purpose: str) -> None:
    """Agents see full personal data; every such view is written to the access log (PIPA)."""
    if subject is not None and membership.role != Role.CLIENT_VIEWER:
        pii_access_log(workspace=membership.workspace, user=membership.user, subject=subject, purpose=purpose)


# --- inbox --------------------------------------------------------------------------------------

@dataclass
class InboxView:
    key: str
    label: str
    filters: dict[str, Any]
    sort: str
    saved: Any = None


def _resolve_view(membership: Membership, key: str) -> InboxView:
    labels = dict(BUILTIN_ORDER)
    if key in BUILTIN_VIEWS:
        return InboxView(key, str(labels.get(key, BUILTIN_VIEWS[key][0])), dict(BUILTIN_VIEWS[key][1]),
                         "-updated_at")
    if key.startswith("channel-") and key.removeprefix("channel-") in Channel.values:
        channel = key.removeprefix("channel-")
        return InboxView(key, str(Channel(channel).label), {"channel": [channel], "status": list(OPEN_STATUSES)},
                         "-updated_at")
    if key.startswith("saved-") and key.removeprefix("saved-").isdigit():
        view = selectors.saved_view_get(membership=membership, view_id=int(key.removeprefix("saved-")))
        return InboxView(key, view.name, dict(view.filters), view.sort, saved=view)
    raise Http404


def _filter_data(request: HttpRequest, base: dict[str, Any]) -> dict[str, Any]:
    """With `f` (the filter form was submitted) the form says everything; otherwise the view's filters
    plus whatever the URL overrides (sidebar links, the search box, column sorting)."""
    params = request.GET
    if params.get("f"):
        return {k: params.getlist(k) if k in LIST_KEYS else params.get(k, "") for k in FILTER_KEYS}
    data = dict(base)
    for key in FILTER_KEYS:
        if key in params:
            data[key] = params.getlist(key) if key in LIST_KEYS else params.get(key, "")
    return data


def _inbox_context(request: HttpRequest) -> dict[str, Any]:
    membership = get_membership(request)
    view = _resolve_view(membership, request.GET.get("view") or default_view(membership))
    error = ""
    try:
        filters = InboxFilters.from_mapping(_filter_data(request, view.filters))
    except ServiceError as exc:
        error = str(exc)
        filters = InboxFilters.from_mapping(view.filters)
    sort = request.GET.get("sort") or view.sort
    if sort.lstrip("-") not in InboxFilters.SORTS:
        error, sort = _("알 수 없는 정렬입니다: %(sort)s") % {"sort": sort}, "-updated_at"
    page = _page(request)
    try:
        rows, has_next = selectors.inbox_page(membership=membership, filters=filters, sort=sort, page=page,
                                              per_page=PER_PAGE)
    except ServiceError as exc:
        error = str(exc)
        filters = InboxFilters()
        rows, has_next = selectors.inbox_page(membership=membership, filters=filters, sort=sort, page=page,
                                              per_page=PER_PAGE)
    _prepare_inbox_rows(membership, rows)
    active_filter_count = sum(1 for k, v in filters.to_mapping().items() if k != "q" and v)
    return {
        "view": view,
        "filters": filters,
        "selected": filters.to_mapping(),
        "sort": sort,
        "sort_choices": SORT_CHOICES,
        "rows": rows,
        "has_next": has_next,
        "page": page,
        "first_row": (page - 1) * PER_PAGE + 1,
        "last_row": (page - 1) * PER_PAGE + len(rows),
        "error": error,
        "active_filter_count": active_filter_count,
        "saved_filters_json": json.dumps(filters.to_mapping(), ensure_ascii=False),
        "can_share_views": membership.has_role(Role.LEAD),
        "choices": {
            "status": Status.choices, "priority": Priority.choices, "channel": Channel.choices,
            "type": TicketType.choices,
            "assignee": [("", _("모든 담당자")), ("me", _("나")), ("none", _("미배정")),
                         *assignee_choices(membership)[1:]],
            "team": team_choices(membership, empty=_("모든 팀")),
            "category": category_choices(membership, empty=_("모든 분류")),
            "product": product_choices(membership, empty=_("모든 상품")),
            "updated_days": [("", _("기간 전체")), ("1", _("최근 1일")), ("7", _("최근 7일")),
                             ("30", _("최근 30일")), ("90", _("최근 90일"))],
            "custom_status": [c for group in status_choices(membership)[len(Status.choices):] for c in group[1]],
        },
        "tag_names": selectors.tag_names(membership=membership),
        "saved_view_form": SavedViewForm(),
    }


_ROW_HTML = (
    '<tr data-href="{url}" class="{unread}">{check}'
    '<td class="col-num">#{number}</td>'
    '<td class="col-subject"><div class="subject-cell"><div class="subject-line">'
    '<a class="subject-link" href="{url}">{subject}</a>{count}</div>{tags}</div></td>'
    '<td class="truncate" style="max-width:140px">{customer}</td>'
    '<td class="col-md-hide"><span class="chan chan-{channel}">{channel_label}</span></td>'
    '<td><span class="badge status-{status}">{status_label}</span></td>'
    '<td><span class="prio prio-{priority}">{priority_label}</span></td>'
    '<td class="nowrap">{sla}</td>'
    '<td class="col-lg-hide truncate small" style="max-width:160px">{category}</td>'
    '<td class="col-sm-hide">{assignee}</td>'
    '<td class="col-lg-hide small muted nowrap">{created}</td>'
    '<td class="small nowrap">{updated}</td></tr>'
)


def _prepare_inbox_rows(membership: Membership, rows: list[Ticket]) -> None:
    """Each inbox row's markup, built here in one `format_html` per row: through the template
    language, fifty rows of a dozen cells were most of the inbox's rendering time. Every value is
    escaped by `format_html`; the markup is that of the table in `_inbox_results.html`."""
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    from cxops.sla.templatetags.sla import sla_badge
    from cxops.web.templatetags.cx import avatar, kdate, pii_name, reltime

    marker = 987654321
    url = reverse("ticket_detail", kwargs={"slug": membership.workspace.slug, "number": marker})
    prefix, suffix = url.split(str(marker), 1)
    can_write = membership.can_write
    message_count_label = _("메시지 수")
    unassigned = format_html('<span class="unassigned">{}</span>', _("미배정"))
    no_customer = mark_safe('<span class="faint">—</span>')
    now = timezone.now()
    for t in rows:
        row_url = f"{prefix}{t.number}{suffix}"
        check = format_html('<td class="col-check"><input type="checkbox" name="ticket_ids" value="{}" '
                            'aria-label="{}"></td>', t.pk, _("#%(n)s 선택") % {"n": t.number}) if can_write else ""
        count = format_html('<span class="msg-count" title="{}"><svg class="icon" aria-hidden="true">'
                            '<use href="#i-message"/></svg>{}</span>', message_count_label, t.message_count
                            ) if t.message_count > 1 else ""
        tags = t.tags.all()
        tag_html = (format_html('<span class="tags">{}</span>', format_html_join(
            "", '<span class="tag">{}</span>', ((tag.name,) for tag in tags))) if tags else "")
        assignee = t.assignee
        assignee_html = (format_html('<span class="assignee">{}<span class="truncate" style="max-width:90px">{}'
                                     '</span></span>', avatar(assignee.label, "sm"), assignee.label)
                         if assignee else unassigned)
        t.row_html = format_html(  # type: ignore[attr-defined]
            _ROW_HTML, url=row_url, unread="is-unread" if t.status == "new" else "", check=check, number=t.number,
            subject=t.subject, count=count, tags=tag_html,
            customer=(pii_name(t.customer.name, membership) or "—") if t.customer else no_customer,
            channel=t.channel, channel_label=t.channel_label, status=t.status, status_label=t.status_label,
            priority=t.priority, priority_label=t.priority_label, sla=sla_badge(t, now),
            category=t.category if t.category else "—", assignee=assignee_html,
            created=kdate(t.created_at), updated=reltime(t.updated_at),
        )


@workspace_view()
def inbox(request: HttpRequest) -> HttpResponse:
    context = _inbox_context(request)
    if _is_partial(request, "inbox-results"):
        return render(request, "tickets/_inbox_results.html", context)
    return render(request, "tickets/inbox.html", context)


def _status_change(value: str) -> dict[str, Any]:
    if not value:
        return {}
    if value.startswith("custom-") and value.removeprefix("custom-").isdigit():
        return {"custom_status_id": int(value.removeprefix("custom-"))}
    return {"status": value}


@workspace_view(write=True)
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    ids = [int(v) for v in request.POST.getlist("ticket_ids") if v.isdigit()]
    changes: dict[str, Any] = _status_change(request.POST.get("bulk_status", ""))
    assignee = request.POST.get("bulk_assignee", "")
    if assignee == "none":
        changes["assignee_id"] = None
    elif assignee == "me":
        changes["assignee_id"] = membership.user_id
    elif assignee.isdigit():
        changes["assignee_id"] = int(assignee)
    tag = " ".join(request.POST.get("bulk_tag", "").split())
    error = ""
    count = 0
    if not ids:
        error = _("티켓을 하나 이상 선택하세요. (x 키로 선택할 수 있습니다)")
    elif not changes and not tag:
        error = _("바꿀 담당자, 상태 또는 추가할 태그를 고르세요.")
    else:
        try:
            count = services.tickets_bulk_update(workspace=membership.workspace, by=membership, ticket_ids=ids,
                                                 add_tags=[tag] if tag else (), **changes)
        except ServiceError as exc:
            error = str(exc)
    message = error or _("티켓 %(count)s건을 변경했습니다.") % {"count": count}
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        if not error:
            trigger_client_event(response, "inbox-refresh")
            trigger_client_event(response, "nav-refresh")
        return _toast(response, message, "error" if error else "success")
    (messages.error if error else messages.success)(request, message)
    return redirect(_safe_next(request, _inbox_url(membership)))


@workspace_view(write=True)
def saved_view_create(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    form = SavedViewForm(request.POST)
    error = ""
    view = None
    if form.is_valid():
        try:
            raw = json.loads(request.POST.get("filters") or "{}")
            if not isinstance(raw, dict):
                raise ValueError
        except ValueError:
            raw = None
            error = _("보기 조건을 읽을 수 없습니다. 필터를 다시 골라 주세요.")
        if raw is not None:
            try:
                view = services.saved_view_save(
                    workspace=membership.workspace, by=membership, name=form.cleaned_data["name"], filters=raw,
                    sort=request.POST.get("sort") or "-updated_at",
                    shared=bool(form.cleaned_data["shared"]) and membership.has_role(Role.LEAD))
            except ServiceError as exc:
                error = str(exc)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if view is None:
        if request.htmx:  # type: ignore[attr-defined]
            return _toast(HttpResponse(status=204), error, "error")
        messages.error(request, error)
        return redirect(_inbox_url(membership))
    messages.success(request, _("‘%(name)s’ 보기를 저장했습니다.") % {"name": view.name})
    url = _inbox_url(membership, view=f"saved-{view.pk}")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)  # type: ignore[attr-defined]


@workspace_view(write=True)
def saved_view_remove(request: HttpRequest, view_id: int) -> HttpResponse:
    membership = get_membership(request)
    view = selectors.saved_view_get(membership=membership, view_id=view_id)
    services.saved_view_delete(view=view, by=membership)
    messages.success(request, _("‘%(name)s’ 보기를 삭제했습니다.") % {"name": view.name})
    return redirect(_inbox_url(membership))


@workspace_view()
def search_suggest(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    query = request.GET.get("q", "").strip()[:200]
    results = selectors.ticket_search(membership=membership, query=query, limit=8) if query else []
    return render(request, "tickets/_search_suggest.html", {"query": query, "results": results,
                                                            "all_url": _inbox_url(membership, view="all")})


# --- ticket page --------------------------------------------------------------------------------

def _timeline_context(membership: Membership, ticket: Ticket) -> dict[str, Any]:
    return {"ticket": ticket, "timeline": selectors.ticket_timeline(membership=membership, ticket=ticket)}


def _panel_context(membership: Membership, ticket: Ticket, form: TicketPropertiesForm | None = None,
                   error: str = "") -> dict[str, Any]:
    tag_list = [t.name for t in ticket.tags.all()]
    if form is None:
        form = TicketPropertiesForm(initial=TicketPropertiesForm.initial_for(ticket, tag_list), membership=membership)
    return {"ticket": ticket, "panel_form": form, "ticket_tags": tag_list, "panel_error": error,
            "tag_names": selectors.tag_names(membership=membership)}


def _customer_context(membership: Membership, ticket: Ticket) -> dict[str, Any]:
    customer = ticket.customer
    if customer is None:
        return {"ticket": ticket, "customer": None}
    past_tickets, calls = selectors.customer_history(membership=membership, customer=customer,
                                                     exclude_ticket_id=ticket.pk, limit=6)
    orders = list(dict.fromkeys([*([ticket.order_number] if ticket.order_number else []),
                                 *customer.external_ids.get("orders", [])]))
    return {"ticket": ticket, "customer": customer, "past_tickets": past_tickets, "customer_calls": calls,
            "orders": orders, "mall_user_id": customer.external_ids.get("mall_user_id", ""),
            "notes_form": CustomerNotesForm(initial={"notes": customer.notes})}


def _composer_context(membership: Membership, ticket: Ticket, form: ComposeForm | None = None,
                      error: str = "") -> dict[str, Any]:
    return {
        "ticket": ticket,
        "compose_form": form or ComposeForm(initial={"mode": "reply"}),
        "compose_error": error,
        "macros": list(selectors.macros_list(membership=membership).order_by("title")) if membership.can_write else [],
        "reply_status_choices": REPLY_STATUS_CHOICES,
        "max_attachment_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "max_attachment_bytes": settings.ATTACHMENT_MAX_BYTES,
        "max_attachment_count": settings.ATTACHMENT_MAX_COUNT,
        "accept_types": ",".join(settings.ATTACHMENT_ALLOWED_TYPES),
    }


def _ticket_version(ticket: Ticket) -> str:
    return f"{ticket.message_count}-{int(ticket.updated_at.timestamp() * 1000)}"


@workspace_view()
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    membership = get_membership(request)
    ticket = selectors.ticket_get(membership=membership, number=number)
    part = request.GET.get("part", "")
    if part == "timeline":
        return render(request, "tickets/_timeline.html", _timeline_context(membership, ticket))
    if part == "panel":
        return render(request, "tickets/_ticket_panel.html", _panel_context(membership, ticket))
    if part == "header":
        return render(request, "tickets/_ticket_header.html", {"ticket": ticket})
    context: dict[str, Any] = {"ticket": ticket, "version": _ticket_version(ticket),
                               "ticket_actions": ticket_actions(membership, ticket),
                               "ticket_panels": ticket_panels(membership, ticket)}
    context.update(_timeline_context(membership, ticket))
    context.update(_panel_context(membership, ticket))
    context.update(_customer_context(membership, ticket))
    context.update(_composer_context(membership, ticket))
    _log_pii(membership, ticket.customer, "티켓 상담")
    if membership.can_write:
        presence.ping(ticket_id=ticket.pk, user_id=membership.user_id, name=membership.user.label)
    context["others"] = presence.others(ticket_id=ticket.pk, user_id=membership.user_id)
    return render(request, "tickets/ticket_detail.html", context)


@workspace_view()
def ticket_subject(request: HttpRequest, number: int) -> HttpResponse:
    membership = get_membership(request)
    ticket = selectors.ticket_get(membership=membership, number=number)
    if request.method == "GET":
        if request.GET.get("cancel") or not membership.can_write:
            return render(request, "tickets/_ticket_header.html", {"ticket": ticket})
        return render(request, "tickets/_subject_form.html",
                      {"ticket": ticket, "form": SubjectForm(initial={"subject": ticket.subject})})
    form = SubjectForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.ticket_update(ticket=ticket, by=membership, subject=form.cleaned_data["subject"])
        except ServiceError as exc:
            error = str(exc)
    if error or not form.is_valid():
        return render(request, "tickets/_subject_form.html", {"ticket": ticket, "form": form, "error": error})
    ticket = selectors.ticket_get(membership=membership, number=number)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(_ticket_url(ticket))
    response = render(request, "tickets/_ticket_header.html", {"ticket": ticket})
    trigger_client_event(response, "timeline-changed")
    return _toast(response, _("제목을 바꿨습니다."))


def _uploads(request: HttpRequest) -> list[InboundAttachment]:
    files = request.FILES.getlist("attachments")
    if len(files) > settings.ATTACHMENT_MAX_COUNT:
        raise ServiceError(_("첨부 파일은 %(n)s개까지 올릴 수 있습니다.") % {"n": settings.ATTACHMENT_MAX_COUNT})
    result = []
    for upload in files:
        content_type = upload.content_type or "application/octet-stream"
        services.validate_attachment(filename=upload.name or "file", content_type=content_type,
                                     size=upload.size or 0)
        result.append(InboundAttachment(filename=upload.name or "file", content_type=content_type,
                                        content=upload.read()))
    return result


@workspace_view(write=True)
def ticket_compose(request: HttpRequest, number: int) -> HttpResponse:
    """The reply box: a public answer (with attachments and the status to set) or an internal note."""
    membership = get_membership(request)
    ticket = selectors.ticket_get(membership=membership, number=number)
    form = ComposeForm(request.POST)
    error = ""
    done = ""
    if not form.is_valid():
        error = _("입력값을 확인해 주세요.")
    else:
        body = form.cleaned_data["body"]
        try:
            if form.cleaned_data["mode"] == "note":
                if request.FILES.getlist("attachments"):
                    raise ServiceError(_("내부 메모에는 파일을 첨부할 수 없습니다. 파일을 빼거나 답변으로 보내 주세요."))
                services.ticket_note(ticket=ticket, by=membership, body_text=body)
                done = _("내부 메모를 남겼습니다.")
            else:
                services.ticket_reply(ticket=ticket, by=membership, body_text=body,
                                      set_status=form.cleaned_data["set_status"] or None,
                                      attachments=_uploads(request))
                done = _("답변을 등록했습니다.")
        except ServiceError as exc:
            error = str(exc)
    if not request.htmx:  # type: ignore[attr-defined]
        (messages.error if error else messages.success)(request, error or done)
        return redirect(_ticket_url(ticket))
    if error:
        response = render(request, "tickets/_composer.html", _composer_context(membership, ticket, form, error))
        return _toast(response, error, "error")
    presence.leave(ticket_id=ticket.pk, user_id=membership.user_id)
    presence.ping(ticket_id=ticket.pk, user_id=membership.user_id, name=membership.user.label)
    fresh = ComposeForm(initial={"mode": form.cleaned_data["mode"]})
    response = render(request, "tickets/_composer.html", _composer_context(membership, ticket, fresh))
    trigger_client_event(response, "ticket-changed")
    trigger_client_event(response, "nav-refresh")
    return _toast(response, done)


@workspace_view(write=True)
def ticket_properties(request: HttpRequest, number: int) -> HttpResponse:
    """The side panel: status, priority, type, category, product, team, assignee, tags."""
    membership = get_membership(request)
    ticket = selectors.ticket_get(membership=membership, number=number)
    form = TicketPropertiesForm(request.POST, membership=membership)
    error = ""
    changed = False
    if form.is_valid():
        changes, tags = form.changes(ticket, [t.name for t in ticket.tags.all()])
        if changes or tags is not None:
            try:
                services.ticket_update(ticket=ticket, by=membership, tags=tags, **changes)
                changed = True
            except ServiceError as exc:
                error = str(exc)
    else:
        error = _("선택한 값이 올바르지 않습니다. 목록에서 다시 골라 주세요.")
    ticket = selectors.ticket_get(membership=membership, number=number)
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        return redirect(_ticket_url(ticket))
    response = render(request, "tickets/_ticket_panel.html", _panel_context(membership, ticket, error=error))
    if changed:
        trigger_client_event(response, "timeline-changed")
        trigger_client_event(response, "header-changed")
        trigger_client_event(response, "nav-refresh")
        _toast(response, _("저장했습니다."))
    elif error:
        _toast(response, error, "error")
    return response


@workspace_view()
def ticket_presence(request: HttpRequest, number: int) -> HttpResponse:
    """Polled every 10 s (and pinged while typing): records this agent, lists the others."""
    membership = get_membership(request)
    ticket = selectors.ticket_get(membership=membership, number=number)
    if membership.can_write:
        state = presence.REPLYING if request.GET.get("state") == presence.REPLYING else presence.VIEWING
        presence.ping(ticket_id=ticket.pk, user_id=membership.user_id, name=membership.user.label, state=state)
    version = _ticket_version(ticket)
    response = render(request, "tickets/_presence.html", {
        "ticket": ticket, "version": version,
        "others": presence.others(ticket_id=ticket.pk, user_id=membership.user_id),
    })
    known = request.GET.get("v", "")
    if known and known != version:
        trigger_client_event(response, "ticket-changed")
    return response


@workspace_view()
def ticket_history(request: HttpRequest, number: int) -> HttpResponse:
    membership = get_membership(request)
    ticket = selectors.ticket_get(membership=membership, number=number)
    page = _page(request)
    events, has_next = _slice(audit_events(workspace=membership.workspace, object_type="ticket",
                                           object_id=str(ticket.pk)), page, 100)
    return render(request, "tickets/ticket_history.html",
                  {"ticket": ticket, "events": events, "has_next": has_next, "page": page})


@workspace_view(min_role=Role.AGENT, write=True)
def macro_apply(request: HttpRequest, number: int, macro_id: int) -> HttpResponse:
    """The macro text with this ticket's values filled in, for the reply box; counts the use."""
    membership = get_membership(request)
    ticket = selectors.ticket_get(membership=membership, number=number)
    macro = selectors.macro_get(membership=membership, macro_id=macro_id)
    body = render_macro(macro.body, ticket=ticket, agent=membership.user, workspace=membership.workspace)
    services.macro_use(macro=macro)
    return JsonResponse({"title": macro.title, "body": body, "set_status": macro.set_status})


@workspace_view()
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponseBase:
    membership = get_membership(request)
    attachment = selectors.attachment_get(membership=membership, attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        log.error("attachment %s: file %s is missing from storage", attachment.pk, attachment.file.name)
        raise Http404 from exc
    inline = attachment.content_type in ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf")
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.filename,
                            content_type=attachment.content_type)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- phone calls --------------------------------------------------------------------------------

@workspace_view()
def calls(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    params = request.GET
    error = ""
    date_from, date_to = _iso_date(params.get("date_from")), _iso_date(params.get("date_to"))
    if (params.get("date_from") and date_from is None) or (params.get("date_to") and date_to is None):
        error = _("날짜는 2026-11-23 형식으로 입력해 주세요.")
    agent = params.get("agent", "")
    outcome = params.get("outcome", "") if params.get("outcome") in CallOutcome.values else ""
    direction = params.get("direction", "") if params.get("direction") in CallDirection.values else ""
    page = _page(request)
    rows, has_next = _slice(selectors.calls_filtered(
        membership=membership, date_from=date_from, date_to=date_to,
        agent_id=int(agent) if agent.isdigit() else None, outcome=outcome, direction=direction), page)
    context = {
        "rows": rows, "has_next": has_next, "page": page, "error": error,
        "f": {"date_from": params.get("date_from", ""), "date_to": params.get("date_to", ""), "agent": agent,
              "outcome": outcome, "direction": direction},
        "agents": members_list(workspace=membership.workspace), "outcomes": CallOutcome.choices,
        "directions": CallDirection.choices,
    }
    if _is_partial(request, "calls-results"):
        return render(request, "tickets/_calls_results.html", context)
    return render(request, "tickets/calls.html", context)


@workspace_view(min_role=Role.AGENT)
def call_new(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    error = ""
    if request.method == "POST":
        form = CallForm(request.POST, membership=membership)
        if form.is_valid():
            data = form.cleaned_data
            ticket = None
            if data["ticket_number"]:
                try:
                    ticket = selectors.ticket_get(membership=membership, number=data["ticket_number"])
                except Http404:
                    form.add_error("ticket_number", _("티켓 #%(n)s을(를) 찾을 수 없습니다. 번호를 확인해 주세요.")
                                   % {"n": data["ticket_number"]})
            if form.is_valid():
                try:
                    call = services.call_log(
                        workspace=membership.workspace, by=membership, phone=data["phone"],
                        summary=data["summary"], direction=data["direction"], duration_seconds=data["duration"],
                        outcome=data["outcome"], category_id=int(data["category"]) if data["category"] else None,
                        product_id=int(data["product"]) if data["product"] else None,
                        customer_name=data["customer_name"], ticket=ticket, started_at=data["started_at"])
                except ServiceError as exc:
                    error = str(exc)
                else:
                    opened = call.ticket if ticket is None else None  # a follow-up ticket made for this call
                    if opened is not None:
                        messages.success(request, _("통화를 기록하고 후속 처리 티켓 #%(n)s을(를) 만들었습니다.")
                                         % {"n": opened.number})
                    else:
                        messages.success(request, _("통화를 기록했습니다."))
                    if request.POST.get("then") == "new":
                        return redirect("call_new", slug=membership.workspace.slug)
                    if opened is not None:
                        return redirect(_ticket_url(opened))
                    return redirect("calls", slug=membership.workspace.slug)
    else:
        initial: dict[str, Any] = {"direction": CallDirection.INBOUND, "outcome": CallOutcome.RESOLVED}
        if request.GET.get("phone"):
            initial["phone"] = request.GET["phone"]
        if request.GET.get("ticket", "").isdigit():
            initial["ticket_number"] = request.GET["ticket"]
        form = CallForm(initial=initial, membership=membership)
    return render(request, "tickets/call_new.html", {"form": form, "error": error})


@workspace_view(min_role=Role.AGENT)
def call_lookup(request: HttpRequest) -> HttpResponse:
    """As the agent types a phone number: who is calling, their recent tickets and calls."""
    membership = get_membership(request)
    raw = request.GET.get("phone", "").strip()
    from cxops.core.phones import normalize_phone

    normalized = normalize_phone(raw) if raw else None
    context: dict[str, Any] = {"raw": raw, "normalized": normalized, "customer": None}
    if normalized:
        customer = selectors.customer_by_phone(membership=membership, phone=raw)
        if customer is not None:
            past_tickets, past_calls = selectors.customer_history(membership=membership, customer=customer, limit=5)
            context.update(customer=customer, past_tickets=past_tickets, past_calls=past_calls,
                           open_tickets=[t for t in past_tickets if t.status in OPEN_STATUSES])
            _log_pii(membership, customer, "전화 상담 고객 조회")
    return render(request, "tickets/_call_lookup.html", context)


# --- customers ----------------------------------------------------------------------------------

@workspace_view()
def customers(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    query = request.GET.get("q", "").strip()[:120]
    page = _page(request)
    qs = selectors.customers_list(membership=membership, query=query).annotate(
        ticket_count=Count("tickets", distinct=True))
    rows, has_next = _slice(qs, page)
    context = {"rows": rows, "has_next": has_next, "page": page, "query": query}
    if _is_partial(request, "customers-results"):
        return render(request, "tickets/_customers_results.html", context)
    return render(request, "tickets/customers.html", context)


def _customer_page(request: HttpRequest, customer: Customer, form: CustomerForm | None = None,
                   error: str = "", status: int = 200) -> HttpResponse:
    membership = get_membership(request)
    target = None
    if customer.merged_into_id:
        target = selectors.customer_get(membership=membership, customer_id=customer.merged_into_id)
    tickets, calls_ = selectors.customer_history(membership=membership, customer=customer, limit=50)
    _log_pii(membership, customer, "고객 정보 조회")
    form = form or CustomerForm(initial={"name": customer.name, "tier": customer.tier, "notes": customer.notes})
    return render(request, "tickets/customer_detail.html", {
        "customer": customer, "merged_target": target, "customer_tickets": tickets, "customer_calls": calls_,
        "orders": customer.external_ids.get("orders", []),
        "mall_user_id": customer.external_ids.get("mall_user_id", ""), "form": form, "error": error,
        "open_count": sum(1 for t in tickets if t.status in OPEN_STATUSES),
    }, status=status)


@workspace_view()
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    membership = get_membership(request)
    customer = selectors.customer_get(membership=membership, customer_id=customer_id)
    return _customer_page(request, customer)


@workspace_view(write=True)
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    membership = get_membership(request)
    customer = selectors.customer_get(membership=membership, customer_id=customer_id)
    form = CustomerForm(request.POST)
    if not form.is_valid():
        return _customer_page(request, customer, form=form)
    data = form.cleaned_data
    try:
        services.customer_update(customer=customer, by=membership, name=data["name"], notes=data["notes"],
                                 tier=data["tier"], add_phone=data["add_phone"].strip(),
                                 add_email=data["add_email"].strip().lower())
    except ServiceError as exc:
        customer.refresh_from_db()
        return _customer_page(request, customer, form=form, error=str(exc))
    messages.success(request, _("고객 정보를 저장했습니다."))
    return redirect("customer_detail", slug=membership.workspace.slug, customer_id=customer.pk)


@workspace_view(write=True)
def customer_notes(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The memo box of the ticket page's customer panel."""
    membership = get_membership(request)
    customer = selectors.customer_get(membership=membership, customer_id=customer_id)
    form = CustomerNotesForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.customer_update(customer=customer, by=membership, notes=form.cleaned_data["notes"])
        except ServiceError as exc:
            error = str(exc)
    if not request.htmx:  # type: ignore[attr-defined]
        (messages.error if error else messages.success)(request, error or _("고객 메모를 저장했습니다."))
        return redirect(_safe_next(request, reverse("customer_detail", kwargs={
            "slug": membership.workspace.slug, "customer_id": customer.pk})))
    response = render(request, "tickets/_customer_notes.html",
                      {"customer": customer, "notes_form": form, "notes_error": error, "saved": not error})
    return _toast(response, error or _("고객 메모를 저장했습니다."), "error" if error else "success")


@workspace_view(min_role=Role.AGENT)
def customer_merge_candidates(request: HttpRequest, customer_id: int) -> HttpResponse:
    membership = get_membership(request)
    customer = selectors.customer_get(membership=membership, customer_id=customer_id)
    query = request.GET.get("q", "").strip()[:120]
    candidates = []
    if query:
        candidates = list(selectors.customers_list(membership=membership, query=query).exclude(pk=customer.pk)
                          .annotate(ticket_count=Count("tickets", distinct=True))[:8])
    return render(request, "tickets/_merge_candidates.html",
                  {"customer": customer, "candidates": candidates, "query": query})


@workspace_view(write=True)
def customer_merge_into(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Merge the chosen customer (source) into this one (target)."""
    membership = get_membership(request)
    target = selectors.customer_get(membership=membership, customer_id=customer_id)
    source_id = request.POST.get("source_id", "")
    if not source_id.isdigit():
        messages.error(request, _("병합할 고객을 고르세요."))
    else:
        source = selectors.customer_get(membership=membership, customer_id=int(source_id))
        try:
            services.customer_merge(source=source, target=target, by=membership)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("‘%(source)s’ 고객을 이 고객으로 병합했습니다. 티켓과 통화 기록이 모두 옮겨졌습니다.")
                             % {"source": source.name or f"#{source.pk}"})
    url = reverse("customer_detail", kwargs={"slug": membership.workspace.slug, "customer_id": target.pk})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)  # type: ignore[attr-defined]


# --- macros -------------------------------------------------------------------------------------

@workspace_view()
def macros(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    query = request.GET.get("q", "").strip()
    rows = selectors.macros_list(membership=membership).select_related("created_by", "category__parent")
    if query:
        rows = rows.filter(title__icontains=query)
    return render(request, "tickets/macros.html", {"rows": list(rows.order_by("title")[:500]), "query": query,
                                                   "variables": VARIABLES})


def _macro_form_page(request: HttpRequest, form: MacroForm, macro: Any = None, error: str = "") -> HttpResponse:
    membership = get_membership(request)
    preview = ""
    if form.is_bound and form.data.get("body"):
        preview = render_macro(str(form.data.get("body")), ticket=None, agent=membership.user,
                               workspace=membership.workspace)
    return render(request, "tickets/macro_form.html",
                  {"form": form, "macro": macro, "error": error, "variables": VARIABLES, "preview": preview})


def _macro_save(request: HttpRequest, macro: Any = None) -> HttpResponse:
    membership = get_membership(request)
    if request.method != "POST":
        initial = {"title": macro.title, "body": macro.body, "category": macro.category_id or "",
                   "set_status": macro.set_status} if macro else {}
        return _macro_form_page(request, MacroForm(initial=initial, membership=membership), macro)
    form = MacroForm(request.POST, membership=membership)
    if not form.is_valid():
        return _macro_form_page(request, form, macro)
    data = form.cleaned_data
    try:
        saved = services.macro_save(workspace=membership.workspace, by=membership, title=data["title"],
                                    body=data["body"], macro=macro,
                                    category_id=int(data["category"]) if data["category"] else None,
                                    set_status=data["set_status"])
    except ServiceError as exc:
        return _macro_form_page(request, form, macro, str(exc))
    messages.success(request, _("‘%(title)s’ 매크로를 저장했습니다.") % {"title": saved.title})
    return redirect("macros", slug=membership.workspace.slug)


@workspace_view(min_role=Role.AGENT)
def macro_new(request: HttpRequest) -> HttpResponse:
    return _macro_save(request)


@workspace_view(min_role=Role.AGENT)
def macro_edit(request: HttpRequest, macro_id: int) -> HttpResponse:
    macro = selectors.macro_get(membership=get_membership(request), macro_id=macro_id)
    return _macro_save(request, macro)


@workspace_view(write=True)
def macro_remove(request: HttpRequest, macro_id: int) -> HttpResponse:
    membership = get_membership(request)
    macro = selectors.macro_get(membership=membership, macro_id=macro_id)
    title = macro.title
    services.macro_delete(macro=macro, by=membership)
    messages.success(request, _("‘%(title)s’ 매크로를 삭제했습니다.") % {"title": title})
    return redirect("macros", slug=membership.workspace.slug)


# --- webhooks (workspace settings, admins) ------------------------------------------------------

@workspace_view(min_role=Role.ADMIN)
def settings_webhooks(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    error = ""
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                services.webhook_create(workspace=membership.workspace, by=membership, url=form.cleaned_data["url"],
                                        events=form.cleaned_data["events"])
            except ServiceError as exc:
                error = str(exc)
            else:
                messages.success(request, _("웹훅을 등록했습니다. 서명 비밀값은 상세 화면에서 확인하세요."))
                return redirect("settings_webhooks", slug=membership.workspace.slug)
    else:
        form = WebhookForm(initial={"events": ["ticket.created"]})
    hooks = list(selectors.webhooks_list(membership=membership).annotate(
        delivery_count=Count("deliveries")))
    return render(request, "tickets/settings_webhooks.html",
                  {"hooks": hooks, "form": form, "error": error, "settings_tab": "webhooks"})


@workspace_view(min_role=Role.ADMIN)
def settings_webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    membership = get_membership(request)
    hook = selectors.webhook_get(membership=membership, webhook_id=webhook_id)
    return render(request, "tickets/settings_webhook_detail.html", {
        "hook": hook, "deliveries": selectors.webhook_deliveries(membership=membership, webhook=hook),
        "settings_tab": "webhooks"})


@workspace_view(min_role=Role.ADMIN, write=True)
def settings_webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    membership = get_membership(request)
    hook = selectors.webhook_get(membership=membership, webhook_id=webhook_id)
    services.webhook_delete(webhook=hook, by=membership)
    messages.success(request, _("웹훅을 삭제했습니다."))
    return redirect("settings_webhooks", slug=membership.workspace.slug)

