"""Agent pages of the Allbaro kit under /w/<slug>/allbaro/: check a ticket's files, see and send the result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from cxops.core.models import Role
from cxops.core.services import ServiceError
from cxops.kits.allbaro import selectors, services
from cxops.kits.allbaro.chart import storage_svg
from cxops.kits.allbaro.explain import ISSUE_TYPES, TYPE_BY_LETTER
from cxops.kits.allbaro.export import workbook_bytes
from cxops.tickets import selectors as ticket_selectors
from cxops.web.decorators import get_membership, workspace_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def default_year() -> int:
    today = timezone.localdate()
    return today.year - 1 if today.month <= 6 else today.year


def _year(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 2000 <= int(raw) <= 2100 else default_year()


@workspace_view()
def campaign(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    year = _year(request.GET.get("year"))
    rows = selectors.campaign(membership=membership, year=year)
    counts = {key: sum(1 for r in rows if r.status == key) for key in ("ready", "issues", "errors", "not_checked")}
    return render(request, "allbaro/campaign.html", {
        "rows": rows, "year": year, "counts": counts, "kit": selectors.kit_settings(membership=membership),
        "is_admin": membership.has_role(Role.ADMIN), "issue_types": ISSUE_TYPES,
    })


@workspace_view(min_role=Role.ADMIN, write=True)
def settings_save(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    day = request.POST.get("reminder_day", "5")
    try:
        services.kit_settings_update(workspace=membership.workspace, by=membership,
                                     enabled=request.POST.get("enabled") == "on",
                                     reminders_enabled=request.POST.get("reminders_enabled") == "on",
                                     reminder_day=int(day) if day.isdigit() else 0)
        messages.success(request, "Allbaro 설정을 저장했습니다.")
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("allbaro_campaign", slug=membership.workspace.slug)


@workspace_view()
def ticket_check(request: HttpRequest, number: int) -> HttpResponse:
    membership = get_membership(request)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    attachments = selectors.ticket_attachments(membership=membership, ticket=ticket)
    error = ""
    year = _year(request.POST.get("year") or request.GET.get("year"))
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("attachments") if v.isdigit()]
        try:
            run = services.check_run_create(ticket=ticket, by=membership, attachment_ids=ids, year=year)
        except ServiceError as exc:
            error = str(exc)
        else:
            return redirect("allbaro_run", slug=membership.workspace.slug, run_id=run.pk)
    return render(request, "allbaro/ticket_check.html", {
        "ticket": ticket, "attachments": attachments, "year": year, "error": error,
        "runs": selectors.runs_for_ticket(membership=membership, ticket=ticket)[:20],
    }, status=400 if error else 200)


def _series(result: dict[str, Any]) -> dict[str, list[int]]:
    series: dict[str, list[int]] = {}
    for row in result.get("ledger", []):
        label = row["waste_code"] if len({r["site"] for r in result["ledger"]}) == 1 else \
            f"{row['site']} {row['waste_code']}"
        series.setdefault(label, [0] * 12)[row["month"] - 1] = round(row["storage_end_t"] * 1_000_000_000)
    return series


@workspace_view()
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    membership = get_membership(request)
    run = selectors.run_get(membership=membership, run_id=run_id)
    result = run.result
    issues = [{**i, "title": TYPE_BY_LETTER[i["type"]].title} for i in result.get("issues", [])]
    return render(request, "allbaro/run_detail.html", {
        "run": run, "result": result, "issues": issues, "ledger": result.get("ledger", []),
        # storage_svg escapes every text it writes; the rest is numbers it formats itself.
        "chart": mark_safe(storage_svg(_series(result), title=f"{run.year}년 월별 보관량"))
        if result.get("ledger") else "",
        "checklist": result.get("summary", {}).get("checklist", []),
        "reply": services.reply_body(run=run),
    })


@workspace_view(write=True)
def run_reply(request: HttpRequest, run_id: int) -> HttpResponse:
    membership = get_membership(request)
    run = selectors.run_get(membership=membership, run_id=run_id)
    try:
        services.check_reply(run=run, by=membership, body_text=request.POST.get("body", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("allbaro_run", slug=membership.workspace.slug, run_id=run.pk)
    messages.success(request, "점검 결과를 고객에게 답변했습니다.")
    assert run.ticket is not None
    return redirect(reverse("ticket_detail", kwargs={"slug": membership.workspace.slug, "number": run.ticket.number}))


@workspace_view()
def run_export(request: HttpRequest, run_id: int) -> HttpResponse:
    membership = get_membership(request)
    run = selectors.run_get(membership=membership, run_id=run_id)
    response = HttpResponse(workbook_bytes(run.result), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="allbaro-{run.year}-check-{run.pk}.xlsx"'
    return response
