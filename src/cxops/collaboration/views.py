"""Agent UI and share-link pages for launch checklists, the change calendar and the request log.

Thin adapters: parse input, call one selector or service, render. Agent pages go through
`workspace_view` (membership, roles, read-only client viewers); share-link pages carry a signed
token instead of an account and are rate limited, noindex and never cached.
"""

from __future__ import annotations

import calendar as pycalendar
import io
import json
import logging
from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from cxops.collaboration import selectors, services
from cxops.collaboration.dates import d_label, korean_holiday_name, offset_label
from cxops.collaboration.models import (
    ChangeEvent,
    ChangeKind,
    Checklist,
    ChecklistItem,
    Impact,
    ItemStatus,
    RequestPriority,
    RequestStatus,
)
from cxops.collaboration.specs import BUILTIN_TEMPLATES, SpecError, TemplateSpec, parse_template
from cxops.core.models import Role, Workspace
from cxops.core.ratelimit import rate_limited
from cxops.core.selectors import members_list
from cxops.core.services import ServiceError
from cxops.web.decorators import get_membership, workspace_view

log = logging.getLogger(__name__)


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _download(comment: Any) -> HttpResponseBase:
    try:
        handle = comment.file.open("rb")
    except FileNotFoundError as exc:
        log.error("checklist comment %s: file %s is missing from storage", comment.pk, comment.file.name)
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=comment.filename or "file")
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# --- 1. launch checklists ---------------------------------------------------------------------------

def _decorate_items(items: list[ChecklistItem], checklist: Checklist, today: date) -> list[ChecklistItem]:
    for item in items:
        item.d_label = d_label(item.due_date, checklist.launch_date)  # type: ignore[attr-defined]
        item.overdue = selectors.is_overdue(item, today)  # type: ignore[attr-defined]
        item.holiday = korean_holiday_name(item.due_date)  # type: ignore[attr-defined]
    return items


@workspace_view()
def checklists(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    rows = list(selectors.checklists_list(membership=membership)[:200])
    templates = list(selectors.templates_list(membership=membership))
    return render(request, "collaboration/checklists.html", {
        "rows": rows, "templates": templates, "builtin": list(BUILTIN_TEMPLATES.values()),
        "today": selectors.today_for(membership.workspace), "tab": "checklists",
        "notices": selectors.notices_for(membership=membership, limit=10),
    })


def _spec_from_choice(request: HttpRequest, choice: str) -> TemplateSpec:
    if choice.startswith("builtin:") and choice.removeprefix("builtin:") in BUILTIN_TEMPLATES:
        return BUILTIN_TEMPLATES[choice.removeprefix("builtin:")]
    if choice.startswith("template:") and choice.removeprefix("template:").isdigit():
        template = selectors.template_get(membership=get_membership(request),
                                          template_id=int(choice.removeprefix("template:")))
        return services.template_spec(template)
    raise ServiceError(_("템플릿을 골라 주세요."))


@workspace_view(min_role=Role.AGENT, write=True)
def checklist_new(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    launch = _iso(request.POST.get("launch_date"))
    try:
        if launch is None:
            raise ServiceError(_("오픈일을 YYYY-MM-DD 형식으로 입력해 주세요."))
        spec = _spec_from_choice(request, request.POST.get("template", ""))
        checklist = services.checklist_instantiate(workspace=membership.workspace, spec=spec, launch_date=launch,
                                                   actor=membership.user, name=request.POST.get("name", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("collab_checklists", slug=membership.workspace.slug)
    messages.success(request, _("체크리스트를 만들었습니다."))
    return redirect("collab_checklist", slug=membership.workspace.slug, checklist_id=checklist.pk)


@workspace_view(min_role=Role.AGENT)
def template_new(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    error = ""
    text = request.POST.get("spec", "") if request.method == "POST" else json.dumps(
        next(iter(BUILTIN_TEMPLATES.values())).to_dict(), ensure_ascii=False, indent=2)
    if request.method == "POST":
        try:
            spec = parse_template(json.loads(text))
        except json.JSONDecodeError as exc:
            error = _("JSON 형식이 올바르지 않습니다: %(error)s") % {"error": exc}
        except SpecError as exc:
            error = str(exc)
        else:
            services.template_save(workspace=membership.workspace, spec=spec, actor=membership.user)
            messages.success(request, _("템플릿을 저장했습니다."))
            return redirect("collab_checklists", slug=membership.workspace.slug)
    return render(request, "collaboration/template_form.html", {"text": text, "error": error, "tab": "checklists"})


def _checklist_context(request: HttpRequest, checklist: Checklist) -> dict[str, Any]:
    membership = get_membership(request)
    today = selectors.today_for(membership.workspace)
    items = _decorate_items(list(selectors.checklist_items(checklist=checklist)), checklist, today)
    return {
        "checklist": checklist, "items": items, "progress": selectors.progress(items, today), "today": today,
        "statuses": ItemStatus.choices, "members": list(members_list(workspace=membership.workspace)),
        "launch_d_label": d_label(today, checklist.launch_date), "tab": "checklists",
    }


@workspace_view()
def checklist_detail(request: HttpRequest, checklist_id: int) -> HttpResponse:
    checklist = selectors.checklist_get(membership=get_membership(request), checklist_id=checklist_id)
    return render(request, "collaboration/checklist_detail.html", _checklist_context(request, checklist))


@workspace_view(min_role=Role.AGENT, write=True)
def checklist_share(request: HttpRequest, checklist_id: int) -> HttpResponse:
    membership = get_membership(request)
    checklist = selectors.checklist_get(membership=membership, checklist_id=checklist_id)
    context = _checklist_context(request, checklist)
    try:
        token = services.share_token(checklist, request.POST.get("team", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("collab_checklist", slug=membership.workspace.slug, checklist_id=checklist.pk)
    context["share_url"] = request.build_absolute_uri(
        reverse("collab_shared_checklist", kwargs={"slug": membership.workspace.slug, "token": token}))
    context["share_team"] = request.POST.get("team", "").strip()
    return render(request, "collaboration/checklist_detail.html", context)


@workspace_view(min_role=Role.LEAD, write=True)
def checklist_share_revoke(request: HttpRequest, checklist_id: int) -> HttpResponse:
    membership = get_membership(request)
    checklist = selectors.checklist_get(membership=membership, checklist_id=checklist_id)
    services.share_links_revoke(checklist=checklist, by=membership)
    messages.success(request, _("이전에 보낸 공유 링크를 모두 사용할 수 없게 했습니다."))
    return redirect("collab_checklist", slug=membership.workspace.slug, checklist_id=checklist.pk)


@workspace_view(min_role=Role.AGENT, write=True)
def item_update(request: HttpRequest, item_id: int) -> HttpResponse:
    membership = get_membership(request)
    item = selectors.item_get(membership=membership, item_id=item_id)
    try:
        services.item_update(item=item, by=membership, status=request.POST.get("status", item.status),
                             assignee_id=_int_or_none(request.POST.get("assignee")),
                             outside_team=request.POST.get("outside_team", ""),
                             outside_team_email=request.POST.get("outside_team_email"))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("‘%(title)s’ 항목을 저장했습니다.") % {"title": item.title})
    return redirect(reverse("collab_checklist", kwargs={"slug": membership.workspace.slug,
                                                        "checklist_id": item.checklist_id}) + f"#item-{item.pk}")


def _upload(request: HttpRequest) -> UploadedFile | None:
    upload = request.FILES.get("file")
    return upload if isinstance(upload, UploadedFile) else None


@workspace_view(min_role=Role.AGENT, write=True)
def item_comment(request: HttpRequest, item_id: int) -> HttpResponse:
    membership = get_membership(request)
    item = selectors.item_get(membership=membership, item_id=item_id)
    try:
        services.item_comment(item=item, author=membership.user, author_label=membership.user.label,
                              body=request.POST.get("body", ""), upload=_upload(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("collab_checklist", kwargs={"slug": membership.workspace.slug,
                                                        "checklist_id": item.checklist_id}) + f"#item-{item.pk}")


@workspace_view()
def comment_file(request: HttpRequest, comment_id: int) -> HttpResponseBase:
    comment = selectors.comment_file_get(workspace=get_membership(request).workspace, comment_id=comment_id)
    return _download(comment)


def checklist_workbook(checklist: Checklist, items: list[ChecklistItem], today: date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "체크리스트"
    sheet.append([checklist.name, f"오픈일 {checklist.launch_date.isoformat()}"])
    sheet.append(["기한", "D-day", "기준", "항목", "담당 팀", "외부 담당 팀", "담당자", "상태", "지연", "완료 시각",
                  "완료자", "확인 시나리오", "댓글 수"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    late = PatternFill("solid", fgColor="FDE2E1")
    for item in items:
        done_at = item.done_at.astimezone().strftime("%Y-%m-%d %H:%M") if item.done_at else ""
        sheet.append([item.due_date, d_label(item.due_date, checklist.launch_date),
                      offset_label(item.offset_business_days), item.title, item.owner_team, item.outside_team,
                      item.assignee.user.label if item.assignee else "", item.get_status_display(),
                      "지연" if selectors.is_overdue(item, today) else "", done_at, item.done_by_label,
                      item.scenario, len(item.comments.all())])
        if selectors.is_overdue(item, today):
            for cell in sheet[sheet.max_row]:
                cell.fill = late
    for column, width in zip("ABCDEFGHIJKL", (12, 8, 8, 30, 14, 14, 12, 10, 6, 16, 16, 50), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@workspace_view()
def checklist_export(request: HttpRequest, checklist_id: int) -> HttpResponse:
    membership = get_membership(request)
    checklist = selectors.checklist_get(membership=membership, checklist_id=checklist_id)
    items = list(selectors.checklist_items(checklist=checklist))
    data = checklist_workbook(checklist, items, selectors.today_for(membership.workspace))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="checklist-{checklist.pk}.xlsx"'
    return response


# --- share-link pages (no account) ------------------------------------------------------------------

def private_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Pages whose address is the secret: keep them out of search engines, caches and other sites'
    Referer headers. "same-origin", not "no-referrer": these pages post forms back to themselves, and
    under "no-referrer" browsers send `Origin: null`, which Django's CSRF origin check refuses."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def _workspace(slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise Http404
    return workspace


def _shared(slug: str, token: str) -> tuple[Workspace, Checklist, str]:
    workspace = _workspace(slug)
    grant = services.share_grant(token, workspace_id=workspace.pk)
    if grant is None:
        raise Http404
    checklist = selectors.shared_checklist_get(workspace=workspace, checklist_id=grant.checklist_id,
                                               version=grant.version)
    return workspace, checklist, grant.team


@require_http_methods(["GET", "POST"])
@private_page
@rate_limited("portal_reply", methods=["POST"])
def shared_checklist(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    workspace, checklist, team = _shared(slug, token)
    here = reverse("collab_shared_checklist", kwargs={"slug": slug, "token": token})
    if request.method == "POST":
        item = ChecklistItem.objects.filter(checklist=checklist, pk=_int_or_none(request.POST.get("item")) or 0).first()
        if item is None or team not in (item.outside_team, item.owner_team):
            raise Http404
        try:
            if request.POST.get("action") == "comment":
                services.item_comment(item=item, author=None, author_label=f"{team} (공유 링크)",
                                      body=request.POST.get("body", ""), upload=_upload(request))
            else:
                services.shared_item_set_status(item=item, team=team, status=request.POST.get("status", ""))
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("저장했습니다."))
        return redirect(f"{here}#item-{item.pk}")
    today = selectors.today_for(workspace)
    items = _decorate_items(list(selectors.checklist_items(checklist=checklist)), checklist, today)
    for item in items:
        item.mine = team in (item.outside_team, item.owner_team)  # type: ignore[attr-defined]
    return render(request, "collaboration/shared_checklist.html", {
        "share_workspace": workspace, "checklist": checklist, "items": items, "team": team, "token": token,
        "progress": selectors.progress(items, today), "statuses": [
            (ItemStatus.TODO, ItemStatus.TODO.label), (ItemStatus.IN_PROGRESS, ItemStatus.IN_PROGRESS.label),
            (ItemStatus.DONE, ItemStatus.DONE.label)],
    })


@require_GET
@private_page
def shared_comment_file(request: HttpRequest, slug: str, token: str, comment_id: int) -> HttpResponseBase:
    workspace, checklist, _team = _shared(slug, token)
    return _download(selectors.comment_file_get(workspace=workspace, comment_id=comment_id,
                                                checklist_id=checklist.pk))


# --- 2. change calendar -----------------------------------------------------------------------------

def _change_input(post: Any) -> services.ChangeInput:
    starts = _iso(post.get("starts_on"))
    if starts is None:
        raise ServiceError(_("시작일을 YYYY-MM-DD 형식으로 입력해 주세요."))
    ends_raw = post.get("ends_on", "")
    ends = _iso(ends_raw)
    if ends_raw and ends is None:
        raise ServiceError(_("종료일을 YYYY-MM-DD 형식으로 입력해 주세요."))
    remind_raw = (post.get("remind_days_before") or "").strip()
    if remind_raw and not remind_raw.isdigit():
        raise ServiceError(_("알림 일수는 0 이상의 숫자로 입력해 주세요."))
    return services.ChangeInput(
        kind=post.get("kind", ""), title=post.get("title", ""), starts_on=starts, ends_on=ends,
        channels=post.get("channels", ""), expected_impact=post.get("expected_impact", Impact.MEDIUM),
        prepared_answer=post.get("prepared_answer", ""), department=post.get("department", ""),
        macro_ids=[int(v) for v in post.getlist("macros") if v.isdigit()],
        article_ids=[int(v) for v in post.getlist("articles") if v.isdigit()],
        remind_days_before=int(remind_raw) if remind_raw else None)


def _month(request: HttpRequest, today: date) -> date:
    value = request.GET.get("month", "")
    try:
        year, month = (int(p) for p in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@workspace_view()
def changes(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    today = selectors.today_for(membership.workspace)
    first = _month(request, today)
    last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
    events = list(selectors.changes_list(membership=membership, start=first, end=last))
    weeks = []
    for week in pycalendar.Calendar(firstweekday=6).monthdatescalendar(first.year, first.month):
        weeks.append([{"day": d, "in_month": d.month == first.month, "today": d == today,
                       "holiday": korean_holiday_name(d),
                       "events": [e for e in events if e.starts_on <= d <= (e.ends_on or e.starts_on)]}
                      for d in week])
    submit_url = ""
    if membership.can_write:
        submit_url = request.build_absolute_uri(reverse("collab_change_submit", kwargs={
            "slug": membership.workspace.slug, "token": services.change_submit_token(membership.workspace)}))
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = last + timedelta(days=1)
    return render(request, "collaboration/changes.html", {
        "events": events, "weeks": weeks, "month": first, "prev_month": prev_month.strftime("%Y-%m"),
        "next_month": next_month.strftime("%Y-%m"), "submit_url": submit_url, "tab": "changes",
        "upcoming": list(selectors.upcoming_changes(membership=membership)),
    })


INBOX_UPCOMING_DAYS = 7


@workspace_view()
def changes_upcoming(request: HttpRequest) -> HttpResponse:
    """The inbox home's "다가오는 변경" block, loaded by htmx after the inbox renders (so the inbox
    itself costs no extra query); empty when nothing is coming."""
    membership = get_membership(request)
    events = list(selectors.upcoming_changes(membership=membership, days=INBOX_UPCOMING_DAYS)[:8])
    if not events:
        return HttpResponse("")
    return render(request, "collaboration/_inbox_upcoming.html", {"events": events, "days": INBOX_UPCOMING_DAYS})


def _change_form(request: HttpRequest, event: ChangeEvent | None) -> HttpResponse:
    membership = get_membership(request)
    error = ""
    if request.method == "POST":
        try:
            data = _change_input(request.POST)
            services.change_save(workspace=membership.workspace, data=data, actor=membership.user, event=event)
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("변경 일정을 저장했습니다."))
            return redirect("collab_changes", slug=membership.workspace.slug)
    from cxops.tickets.selectors import macros_list

    values = request.POST if request.method == "POST" else {
        "kind": event.kind, "title": event.title, "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat() if event.ends_on else "", "channels": event.channels,
        "expected_impact": event.expected_impact, "prepared_answer": event.prepared_answer,
        "department": event.department,
        "remind_days_before": "" if event.remind_days_before is None else event.remind_days_before,
    } if event else {}
    selected = ([int(v) for v in request.POST.getlist("macros") if v.isdigit()] if request.method == "POST"
                else (event.macro_ids if event else []))
    selected_articles = ([int(v) for v in request.POST.getlist("articles") if v.isdigit()]
                         if request.method == "POST" else (event.article_ids if event else []))
    return render(request, "collaboration/change_form.html", {
        "event": event, "values": values, "error": error, "kinds": ChangeKind.choices, "impacts": Impact.choices,
        "macros": list(macros_list(membership=membership).order_by("title")[:300]), "selected_macros": selected,
        "articles": selectors.articles_for_links(membership=membership), "selected_articles": selected_articles,
        "tab": "changes"})


@workspace_view(min_role=Role.AGENT)
def change_new(request: HttpRequest) -> HttpResponse:
    return _change_form(request, None)


@workspace_view()
def change_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    membership = get_membership(request)
    event = selectors.change_get(membership=membership, event_id=event_id)
    if request.method == "POST" or request.GET.get("edit"):
        if not membership.can_write:
            raise PermissionDenied
        return _change_form(request, event)
    macros = selectors.macros_by_id(membership=membership, ids=list(event.macro_ids))
    articles = selectors.articles_by_id(membership=membership, ids=list(event.article_ids))
    return render(request, "collaboration/change_detail.html", {"event": event, "macros": list(macros.values()),
                                                                 "articles": list(articles.values()),
                                                                 "tab": "changes"})


@workspace_view(min_role=Role.AGENT, write=True)
def change_delete(request: HttpRequest, event_id: int) -> HttpResponse:
    membership = get_membership(request)
    services.change_delete(event=selectors.change_get(membership=membership, event_id=event_id), by=membership)
    messages.success(request, _("변경 일정을 삭제했습니다."))
    return redirect("collab_changes", slug=membership.workspace.slug)


@require_http_methods(["GET", "POST"])
@private_page
@rate_limited("board_submit", methods=["POST"])
def change_submit(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    workspace = _workspace(slug)
    if not services.change_submit_token_valid(token, workspace=workspace):
        raise Http404
    error, done = "", False
    if request.method == "POST":
        name = request.POST.get("submitted_by", "").strip()
        try:
            if not name:
                raise ServiceError(_("작성자 이름을 입력해 주세요."))
            data = _change_input(request.POST)
            data.macro_ids = []
            services.change_save(workspace=workspace, data=data, actor=None,
                                 submitted_by_label=f"{name} (제출 링크)")
        except ServiceError as exc:
            error = str(exc)
        else:
            done = True
    return render(request, "collaboration/change_submit.html", {
        "share_workspace": workspace, "error": error, "done": done, "values": request.POST if error else {},
        "kinds": ChangeKind.choices, "impacts": Impact.choices})


# --- 3. request and decision log --------------------------------------------------------------------

@workspace_view()
def requests_list(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    rows = list(selectors.current_revisions(membership=membership, query=query,
                                            status=status if status in RequestStatus.values else "")[:300])
    return render(request, "collaboration/requests.html", {
        "rows": rows, "query": query, "status": status, "statuses": RequestStatus.choices, "tab": "requests"})


def _request_input(request: HttpRequest) -> services.RequestInput:
    post = request.POST
    numbers = []
    for part in post.get("ticket_numbers", "").replace(",", " ").split():
        part = part.lstrip("#")
        if not part.isdigit():
            raise ServiceError(_("티켓 번호는 숫자로 입력해 주세요: %(value)s") % {"value": part})
        numbers.append(int(part))
    stakeholders = [{"name": n, "position": p} for n, p in zip(post.getlist("stakeholder_name"),
                                                                post.getlist("stakeholder_position"), strict=False)]
    decision_raw = post.get("decision_date", "")
    decision_date = _iso(decision_raw)
    if decision_raw and decision_date is None:
        raise ServiceError(_("결정일을 YYYY-MM-DD 형식으로 입력해 주세요."))
    return services.RequestInput(
        title=post.get("title", ""), body=post.get("body", ""), department=post.get("department", ""),
        priority=post.get("priority", RequestPriority.NORMAL), status=post.get("status", RequestStatus.OPEN),
        owner_id=_int_or_none(post.get("owner")), stakeholders=stakeholders, decision=post.get("decision", ""),
        decision_date=decision_date, rationale=post.get("rationale", ""), ticket_numbers=numbers)


def _request_form(request: HttpRequest, collab_request: Any = None) -> HttpResponse:
    membership = get_membership(request)
    error = ""
    current = selectors.request_history(request=collab_request)[0] if collab_request else None
    if request.method == "POST":
        try:
            data = _request_input(request)
            if collab_request is None:
                collab_request = services.request_create(workspace=membership.workspace, by=membership, data=data)
            else:
                services.request_revise(request=collab_request, by=membership, data=data,
                                        note=request.POST.get("note", ""))
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("요청을 저장했습니다."))
            return redirect("collab_request", slug=membership.workspace.slug, number=collab_request.number)
    values: Any = request.POST if request.method == "POST" else (current or {})
    decision_text = (request.POST.get("decision_date", "") if request.method == "POST"
                     else (current.decision_date.isoformat() if current and current.decision_date else ""))
    stakeholders = (
        [{"name": n, "position": p} for n, p in zip(request.POST.getlist("stakeholder_name"),
                                                    request.POST.getlist("stakeholder_position"), strict=False)]
        if request.method == "POST" else list(current.stakeholders if current else []))
    stakeholders += [{"name": "", "position": ""}] * 2
    tickets = (request.POST.get("ticket_numbers", "") if request.method == "POST"
               else " ".join(str(n) for n in (current.ticket_numbers if current else [])))
    return render(request, "collaboration/request_form.html", {
        "collab_request": collab_request, "values": values, "error": error, "stakeholders": stakeholders,
        "ticket_text": tickets, "decision_date_text": decision_text, "priorities": RequestPriority.choices, "statuses": RequestStatus.choices,
        "members": list(members_list(workspace=membership.workspace)), "tab": "requests"})


@workspace_view(min_role=Role.AGENT)
def request_new(request: HttpRequest) -> HttpResponse:
    return _request_form(request)


@workspace_view(min_role=Role.AGENT)
def request_edit(request: HttpRequest, number: int) -> HttpResponse:
    return _request_form(request, selectors.request_get(membership=get_membership(request), number=number))


@workspace_view()
def request_detail(request: HttpRequest, number: int) -> HttpResponse:
    collab_request = selectors.request_get(membership=get_membership(request), number=number)
    history = selectors.request_history(request=collab_request)
    return render(request, "collaboration/request_detail.html", {
        "collab_request": collab_request, "current": history[0], "history": history, "tab": "requests"})


@workspace_view()
def requests_weekly(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    today = selectors.today_for(membership.workspace)
    start = _iso(request.GET.get("week")) or today
    start -= timedelta(days=start.weekday())
    summary = selectors.weekly_summary(membership=membership, week_start=start)
    return render(request, "collaboration/requests_weekly.html", {
        "summary": summary, "text": summary.as_text(), "prev_week": (start - timedelta(days=7)).isoformat(),
        "next_week": (start + timedelta(days=7)).isoformat(), "tab": "requests"})


# --- 4. exception queues ----------------------------------------------------------------------------

@workspace_view()
def queues(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    return render(request, "collaboration/queues.html", {
        "statuses": selectors.queue_statuses(membership=membership), "buckets": selectors.AGE_BUCKETS,
        "can_manage": membership.has_role(Role.LEAD), "tab": "queues"})


@workspace_view(min_role=Role.LEAD, write=True)
def queue_new(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    check_by = None
    if request.POST.get("check_by"):
        from datetime import time

        try:
            check_by = time.fromisoformat(request.POST["check_by"])
        except ValueError:
            messages.error(request, _("확인 기한 시각은 HH:MM 형식으로 입력해 주세요."))
            return redirect("collab_queues", slug=membership.workspace.slug)
    try:
        queue = services.queue_save(workspace=membership.workspace, by=membership, name=request.POST.get("name", ""),
                                    description=request.POST.get("description", ""), check_by=check_by)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("collab_queues", slug=membership.workspace.slug)
    return redirect("collab_queue", slug=membership.workspace.slug, queue_id=queue.pk)


@workspace_view()
def queue_detail(request: HttpRequest, queue_id: int) -> HttpResponse:
    queue = selectors.queue_get(membership=get_membership(request), queue_id=queue_id)
    return render(request, "collaboration/queue_detail.html", {
        "queue": queue, "open_items": list(selectors.queue_items(queue=queue)[:500]),
        "done_items": list(selectors.queue_items(queue=queue, done=True)[:50]), "tab": "queues"})


@workspace_view(min_role=Role.AGENT, write=True)
def queue_import(request: HttpRequest, queue_id: int) -> HttpResponse:
    from cxops.collaboration.rows import Row, RowsError, read_rows

    membership = get_membership(request)
    queue = selectors.queue_get(membership=membership, queue_id=queue_id)
    upload = _upload(request)
    try:
        if upload is not None:
            rows = read_rows(upload.name or "", upload.read())
            source = "import"
        else:
            reference = request.POST.get("reference", "").strip()
            if not reference:
                raise RowsError(_("참조번호를 입력하거나 CSV·XLSX 파일을 올려 주세요."))
            rows, source = [Row(reference=reference[:120], summary=request.POST.get("summary", ""))], "manual"
        added = services.queue_items_add(queue=queue, by=membership.user, rows=rows, source=source)
    except RowsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)s건을 추가했습니다.") % {"n": added})
    return redirect("collab_queue", slug=membership.workspace.slug, queue_id=queue.pk)


@workspace_view(min_role=Role.AGENT, write=True)
def queue_check(request: HttpRequest, queue_id: int) -> HttpResponse:
    membership = get_membership(request)
    queue = selectors.queue_get(membership=membership, queue_id=queue_id)
    services.queue_mark_checked(queue=queue, by=membership)
    messages.success(request, _("오늘 확인을 기록했습니다."))
    return redirect("collab_queue", slug=membership.workspace.slug, queue_id=queue.pk)


@workspace_view(min_role=Role.AGENT, write=True)
def queue_item_done(request: HttpRequest, item_id: int) -> HttpResponse:
    membership = get_membership(request)
    item = selectors.queue_item_get(membership=membership, item_id=item_id)
    try:
        services.queue_item_done(item=item, by=membership, note=request.POST.get("note", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("collab_queue", slug=membership.workspace.slug, queue_id=item.queue_id)
