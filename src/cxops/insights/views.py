"""Agent UI of the voice of the customer: dashboard, trends, alerts, catalog, reasons, models, the ticket
side panel with one-click confirm/correct, product feedback reports and their share links.

Thin adapters: parse input, call one selector or service, render.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from cxops.core.models import Role, Workspace
from cxops.core.ratelimit import rate_limited
from cxops.core.selectors import members_list
from cxops.core.services import ServiceError
from cxops.insights import charts, jobs, selectors, services
from cxops.insights.alerts import alert_inbox_url
from cxops.insights.labels import FIELDS, TYPE_LABELS
from cxops.insights.models import TagField
from cxops.insights.report import ProductReport, build_report, inbox_link, parse_period, to_pdf, to_xlsx
from cxops.insights.sharing import share_grant, share_token, share_url
from cxops.insights.trends import DIMENSIONS, PERIODS, trend_table
from cxops.tickets import selectors as ticket_selectors
from cxops.tickets.models import Channel, Product
from cxops.web.decorators import get_membership, workspace_view

FIELD_NAMES = dict(TagField.choices)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- ticket side panel ------------------------------------------------------------------------------

def _panel(request: HttpRequest, number: int, error: str = "") -> HttpResponse:
    membership = get_membership(request)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    rows = selectors.suggestions_for_ticket(membership=membership, ticket=ticket)
    current = {"category": ticket.category_id, "product": ticket.product_id, "type": ticket.type}
    items = []
    for s in rows:
        choices = selectors.label_choices(membership=membership, field=s.field)
        display = dict(choices)
        items.append({
            "s": s, "name": FIELD_NAMES.get(s.field, s.field), "choices": choices,
            "shown": display.get(s.label, s.label), "final_shown": display.get(s.final_label, s.final_label),
            "alternatives": [(label, display.get(label, label), conf) for label, conf in s.alternatives],
            "percent": round(s.confidence * 100), "has_value": current.get(s.field) not in (None, ""),
        })
    return render(request, "insights/_ticket_panel.html", {"ticket": ticket, "items": items, "error": error})


@workspace_view()
def ticket_panel(request: HttpRequest, number: int) -> HttpResponse:
    return _panel(request, number)


@workspace_view(min_role=Role.AGENT, write=True)
def suggestion_decide(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    membership = get_membership(request)
    suggestion = selectors.suggestion_get(membership=membership, suggestion_id=suggestion_id)
    if suggestion.ticket is None:
        raise Http404
    label = request.POST.get("label") or None
    error = ""
    try:
        services.suggestion_decide(suggestion=suggestion, by=membership, label=label)
    except ServiceError as exc:
        error = str(exc)
    number = suggestion.ticket.number or 0
    response = _panel(request, number, error)
    if not error and getattr(request, "htmx", False):
        trigger_client_event(response, "ticket-changed")
    if not getattr(request, "htmx", False):
        (messages.error if error else messages.success)(request, error or _("분류를 적용했습니다."))
        return redirect("ticket_detail", slug=membership.workspace.slug, number=number)
    return response


@workspace_view(min_role=Role.AGENT, write=True)
def ticket_suggest_again(request: HttpRequest, number: int) -> HttpResponse:
    membership = get_membership(request)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    services.suggestions_refresh_ticket(ticket=ticket)
    return _panel(request, number)


# --- dashboard and trends ----------------------------------------------------------------------------

DASHBOARD_CACHE_S = 300


def _dashboard_data(membership: Any) -> dict[str, Any]:
    """The dashboard's figures; five GROUP BY queries, so kept for a few minutes per workspace and language."""
    workspace = membership.workspace
    key = f"cxops:voc-dashboard:{workspace.pk}:{get_language()}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    channels = trend_table(workspace=workspace, by="channel", period="week", periods=12)
    channel_series = {channels.labels[k]: channels.series(k) for k in range(len(channels.keys))}
    week_labels = [f"{d:%m/%d}" for d in channels.output_starts]
    complaints = selectors.product_complaint_counts(membership=membership, since=timezone.now() - timedelta(days=28))
    reasons = trend_table(workspace=workspace, by="category", period="week", periods=4)
    complaint_reasons = trend_table(workspace=workspace, by="category", period="week", periods=4,
                                    ticket_type="complaint")
    reason_totals = sorted(((complaint_reasons.labels[k], sum(complaint_reasons.series(k)))
                            for k in range(len(complaint_reasons.keys))), key=lambda kv: -kv[1])[:12]
    movers: list[Any] = []
    for by in ("category", "product", "product_category"):
        table = reasons if by == "category" else trend_table(workspace=workspace, by=by, period="week", periods=1)
        movers += [r for r in table.latest() if r.count and r.expected is not None]
    movers.sort(key=lambda r: -max(r.score, r.sustained))
    data = {
        "channel_svg": charts.line_chart(channel_series, week_labels, title=_("채널별 주간 문의량")),
        "complaints_svg": charts.bar_chart([(n, c) for n, _pid, c in complaints], title=_("최근 4주 상품별 불만")),
        "complaints": complaints,
        "reasons_svg": charts.bar_chart(reason_totals, title=_("최근 4주 사유별 불만")),
        "movers": movers[:10],
    }
    cache.set(key, data, DASHBOARD_CACHE_S)
    return data


@workspace_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    data = _dashboard_data(membership)
    for name in ("channel_svg", "complaints_svg", "reasons_svg"):
        data[name] = mark_safe(data[name])
    return render(request, "insights/dashboard.html", {
        **data, "tab": "dashboard", "alerts": list(selectors.alerts_list(membership=membership, limit=5)),
    })


def _row_link(workspace: Workspace, dimension: str, key: str, start: Any, period: str) -> str:
    from cxops.insights.trends import shift

    end = shift(start, period, 1) - timedelta(days=1)
    parts = key.split(":")
    filters: dict[str, Any] = {"created_from": start.isoformat(), "created_to": end.isoformat()}
    if dimension == "category":
        filters["category"] = parts[0]
    elif dimension == "product":
        filters["product"] = parts[0]
    elif dimension == "product_category":
        filters["product"], filters["category"] = parts[0], parts[-1]
    else:
        filters["channel"] = parts[0]
    return inbox_link(workspace, **filters)


@workspace_view()
def trends(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    by = request.GET.get("by", "category")
    period = request.GET.get("period", "week")
    ticket_type = request.GET.get("type", "")
    if by not in DIMENSIONS:
        by = "category"
    if period not in PERIODS:
        period = "week"
    if ticket_type not in TYPE_LABELS:
        ticket_type = ""
    periods = {"day": 28, "week": 16, "month": 12}[period]
    table = trend_table(workspace=membership.workspace, by=by, period=period, periods=periods,
                        ticket_type=ticket_type)
    latest = [r for r in table.latest() if r.count or (r.expected or 0) >= 0.5][:30]
    for r in latest:
        r.link = _row_link(membership.workspace, by, r.key, r.period_start, period)  # type: ignore[attr-defined]
    top = sorted(range(len(table.keys)), key=lambda k: -sum(table.series(k)))[:6]
    svg = charts.line_chart({table.labels[k]: table.series(k) for k in top},
                            [f"{d:%m/%d}" if period != "month" else f"{d:%Y-%m}" for d in table.output_starts],
                            title=_("추이"))
    return render(request, "insights/trends.html", {
        "tab": "trends", "by": by, "period": period, "ticket_type": ticket_type, "rows": latest,
        "chart": mark_safe(svg),
        "dimensions": [("category", _("문의 사유")), ("product", _("상품")), ("product_category", _("상품×사유")),
                       ("channel", _("채널"))],
        "periods": [("day", _("일")), ("week", _("주")), ("month", _("월"))],
        "types": list(TYPE_LABELS.items()), "thresholds": (table.min_count, table.min_score),
    })


# --- alerts ---------------------------------------------------------------------------------------

@workspace_view()
def alerts(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    rows = list(selectors.alerts_list(membership=membership))
    for alert in rows:
        alert.inbox_url = alert_inbox_url(alert)  # type: ignore[attr-defined]
    current = services.alert_settings_get(membership.workspace) if membership.has_role(Role.MANAGER) else None
    return render(request, "insights/alerts.html", {
        "tab": "alerts", "rows": rows, "settings_obj": current,
        "recipient_ids": set(current.recipients.values_list("pk", flat=True)) if current else set(),
        "members": list(members_list(workspace=membership.workspace)) if current else [],
    })


@workspace_view(min_role=Role.MANAGER, write=True)
def alert_settings(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    try:
        min_score = float(request.POST.get("min_score", "3"))
        services.alert_settings_save(
            workspace=membership.workspace, by=membership, min_count=int(request.POST.get("min_count", "10")),
            min_score=min_score, email_enabled=bool(request.POST.get("email_enabled")),
            notify_managers=bool(request.POST.get("notify_managers")),
            recipient_ids=[int(v) for v in request.POST.getlist("recipients") if v.isdigit()])
    except ValueError:
        messages.error(request, _("최소 건수와 점수는 숫자로 입력해 주세요."))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("알림 설정을 저장했습니다."))
    return redirect("insights_alerts", slug=membership.workspace.slug)


@workspace_view(min_role=Role.MANAGER, write=True)
def alerts_scan_now(request: HttpRequest) -> HttpResponse:
    from cxops.insights.alerts import scan_workspace

    membership = get_membership(request)
    found = scan_workspace(workspace=membership.workspace)
    messages.success(request, _("새 알림 %(count)s건") % {"count": len(found)})
    return redirect("insights_alerts", slug=membership.workspace.slug)


# --- catalog --------------------------------------------------------------------------------------

@workspace_view()
def products(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    q = request.GET.get("q", "").strip()[:100]
    rows = list(selectors.products_list(membership=membership, q=q)[:500])
    return render(request, "insights/products.html", {"tab": "products", "rows": rows, "q": q,
                                                      "import_result": request.session.pop("insights_import", None)})


def _import(request: HttpRequest, kind: str) -> HttpResponse:
    membership = get_membership(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("올릴 파일을 골라 주세요."))
        return redirect("insights_products", slug=membership.workspace.slug)
    if upload.size and upload.size > 20 * 1024 * 1024:
        messages.error(request, _("파일이 너무 큽니다. 20MB까지 올릴 수 있습니다."))
        return redirect("insights_products", slug=membership.workspace.slug)
    run = services.products_import if kind == "products" else services.order_lines_import
    summary = run(workspace=membership.workspace, by=membership, data=upload.read(), filename=upload.name or "")
    request.session["insights_import"] = {"kind": kind, **summary.as_dict()}
    if summary.errors:
        messages.error(request, _("오류가 있어 아무것도 저장하지 않았습니다. 아래 목록을 고쳐 다시 올려 주세요."))
    else:
        messages.success(request, _("가져오기 완료: 새로 %(created)s건, 변경 %(updated)s건") % {
            "created": summary.created, "updated": summary.updated})
    return redirect("insights_products", slug=membership.workspace.slug)


@workspace_view(min_role=Role.LEAD, write=True)
def products_import(request: HttpRequest) -> HttpResponse:
    return _import(request, "products")


@workspace_view(min_role=Role.LEAD, write=True)
def orders_import(request: HttpRequest) -> HttpResponse:
    return _import(request, "orders")


@workspace_view(min_role=Role.LEAD, write=True)
def product_save(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    product_id = _int(request.POST.get("product_id"))
    product = selectors.product_get(membership=membership, product_id=product_id) if product_id else None
    try:
        services.product_save(workspace=membership.workspace, by=membership, product=product,
                              name=request.POST.get("name", ""), code=request.POST.get("code", ""),
                              aliases=request.POST.get("aliases", "").split(","),
                              product_type=request.POST.get("product_type", ""),
                              is_active=request.POST.get("is_active", "on") == "on")
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("상품을 저장했습니다."))
    return redirect("insights_products", slug=membership.workspace.slug)


# --- reasons (taxonomy) --------------------------------------------------------------------------

@workspace_view()
def reasons(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    return render(request, "insights/reasons.html", {"tab": "reasons",
                                                     "tree": selectors.reasons_tree(membership=membership)})


@workspace_view(min_role=Role.LEAD, write=True)
def reason_save(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    category_id = _int(request.POST.get("category_id"))
    category = selectors.category_get(membership=membership, category_id=category_id) if category_id else None
    keywords = request.POST.get("keywords")
    try:
        services.reason_save(workspace=membership.workspace, by=membership, category=category,
                             name=request.POST.get("name", ""), parent_id=_int(request.POST.get("parent_id")),
                             keywords=None if keywords is None else keywords.split(","))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("사유를 저장했습니다."))
    return redirect("insights_reasons", slug=membership.workspace.slug)


@workspace_view(min_role=Role.LEAD, write=True)
def reason_delete(request: HttpRequest, category_id: int) -> HttpResponse:
    membership = get_membership(request)
    category = selectors.category_get(membership=membership, category_id=category_id)
    try:
        services.reason_delete(category=category, by=membership)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("사유를 지웠습니다."))
    return redirect("insights_reasons", slug=membership.workspace.slug)


# --- models --------------------------------------------------------------------------------------

@workspace_view()
def models_page(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    overview = selectors.models_overview(membership=membership)
    for item in overview:
        item.name = FIELD_NAMES.get(item.field, item.field)  # type: ignore[attr-defined]
    return render(request, "insights/models.html", {"tab": "models", "overview": overview})


@workspace_view(min_role=Role.LEAD, write=True)
def model_train(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    field = request.POST.get("field", "")
    if field not in FIELDS:
        messages.error(request, _("학습할 항목을 골라 주세요."))
    else:
        jobs.train_field(membership.workspace_id, field)
        messages.success(request, _("학습을 시작했습니다. 끝나면 이 화면에 새 모델이 보입니다."))
    return redirect("insights_models", slug=membership.workspace.slug)


# --- product feedback report ---------------------------------------------------------------------

def _report(request: HttpRequest, product_id: int) -> ProductReport:
    membership = get_membership(request)
    product = selectors.product_get(membership=membership, product_id=product_id)
    start, end = parse_period(membership.workspace, request.GET.get("start"), request.GET.get("end"))
    return build_report(workspace=membership.workspace, product=product, start=start, end=end)


def _report_context(report: ProductReport) -> dict[str, Any]:
    return {"report": report, "chart": mark_safe(report.chart_svg()),
            "reasons_chart": mark_safe(report.reasons_svg())}


@workspace_view()
def report(request: HttpRequest, product_id: int) -> HttpResponse:
    membership = get_membership(request)
    try:
        data = _report(request, product_id)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("insights_report", slug=membership.workspace.slug, product_id=product_id)
    product = data.product
    return render(request, "insights/report.html", {
        **_report_context(data), "tab": "products",
        "subscriptions": list(selectors.subscriptions_for(membership=membership, product=product)),
        "share_link": request.session.pop("insights_share_link", ""),
    })


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@workspace_view()
def report_xlsx(request: HttpRequest, product_id: int) -> HttpResponseBase:
    data = _report(request, product_id)
    return _download(to_xlsx(data), XLSX, f"voc-report-{product_id}-{data.start:%Y%m%d}.xlsx")


@workspace_view()
def report_pdf(request: HttpRequest, product_id: int) -> HttpResponseBase:
    data = _report(request, product_id)
    try:
        pdf = to_pdf(data)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("insights_report", slug=get_membership(request).workspace.slug, product_id=product_id)
    return _download(pdf, "application/pdf", f"voc-report-{product_id}-{data.start:%Y%m%d}.pdf")


@workspace_view(min_role=Role.AGENT, write=True)
def report_share(request: HttpRequest, product_id: int) -> HttpResponse:
    membership = get_membership(request)
    product = selectors.product_get(membership=membership, product_id=product_id)
    here = reverse("insights_report", kwargs={"slug": membership.workspace.slug, "product_id": product.pk})
    try:
        start, end = parse_period(membership.workspace, request.POST.get("start"), request.POST.get("end"))
        token = share_token(workspace_id=membership.workspace_id, product_id=product.pk, start=start, end=end,
                            days=_int(request.POST.get("days")) or 7)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(here)
    request.session["insights_share_link"] = share_url(slug=membership.workspace.slug, token=token)
    return redirect(f"{here}?start={start.isoformat()}&end={end.isoformat()}")


@workspace_view(min_role=Role.LEAD, write=True)
def report_subscribe(request: HttpRequest, product_id: int) -> HttpResponse:
    membership = get_membership(request)
    product = selectors.product_get(membership=membership, product_id=product_id)
    try:
        services.report_subscription_create(workspace=membership.workspace, by=membership, product=product,
                                            emails=request.POST.get("emails", "").replace(";", ",").split(","))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("매주 월요일 아침에 지난주 보고서를 보냅니다."))
    return redirect("insights_report", slug=membership.workspace.slug, product_id=product.pk)


@workspace_view(min_role=Role.LEAD, write=True)
def report_unsubscribe(request: HttpRequest, subscription_id: int) -> HttpResponse:
    membership = get_membership(request)
    subscription = selectors.subscription_get(membership=membership, subscription_id=subscription_id)
    product_id = subscription.product_id
    services.report_subscription_delete(subscription=subscription, by=membership)
    messages.success(request, _("정기 발송을 중지했습니다."))
    return redirect("insights_report", slug=membership.workspace.slug, product_id=product_id)


@workspace_view()
def alert_report(request: HttpRequest, alert_id: int) -> HttpResponse:
    """One click from an alert to the report of its product (or the inbox for a reason-only alert)."""
    membership = get_membership(request)
    alert = selectors.alert_get(membership=membership, alert_id=alert_id)
    if alert.dimension in ("product", "product_category"):
        product_id = int(alert.key.split(":")[0])
        start = alert.period_start - timedelta(days=21)
        return redirect(reverse("insights_report", kwargs={"slug": membership.workspace.slug, "product_id": product_id})
                        + f"?start={start.isoformat()}&end={(alert.period_start + timedelta(days=6)).isoformat()}")
    return redirect(alert_inbox_url(alert))


# --- shared report (no account) -------------------------------------------------------------------

def _private(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


@require_GET
@_private
@rate_limited("public_api")
def shared_report(request: HttpRequest, slug: str, token: str) -> HttpResponseBase:
    workspace = Workspace.objects.filter(slug=slug).first()
    grant = share_grant(token, workspace_id=workspace.pk) if workspace else None
    if workspace is None or grant is None:
        raise Http404
    product = Product.objects.filter(workspace=workspace, pk=grant.product_id).first()
    if product is None:
        raise Http404
    data = build_report(workspace=workspace, product=product, start=grant.start, end=grant.end)
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        return _download(to_xlsx(data), XLSX, f"voc-report-{product.pk}.xlsx")
    if fmt == "pdf":
        try:
            return _download(to_pdf(data), "application/pdf", f"voc-report-{product.pk}.pdf")
        except ServiceError as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return render(request, "insights/shared_report.html", {**_report_context(data), "share_workspace": workspace,
                                                            "token": token})


CHANNEL_LABELS = dict(Channel.choices)
