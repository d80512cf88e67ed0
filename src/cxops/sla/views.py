"""SLA pages: the ticket panel, and the settings of business calendars and SLA policies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from cxops.core.models import Role
from cxops.core.services import ServiceError
from cxops.sla import selectors, services
from cxops.sla.calendar import WEEKDAY_KEYS
from cxops.sla.forms import CalendarForm, PolicyForm
from cxops.tickets.extensions import TicketPanel
from cxops.web.decorators import get_membership, workspace_view


def sla_ticket_panels(membership: Any, ticket: Any) -> list[TicketPanel]:
    url = reverse("sla_ticket_panel", kwargs={"slug": membership.workspace.slug, "number": ticket.number})
    return [TicketPanel(key="sla", title=gettext("SLA"), url=url)]


@workspace_view()
def ticket_panel(request: HttpRequest, number: int) -> HttpResponse:
    from cxops.tickets import selectors as ticket_selectors

    membership = get_membership(request)
    ticket = ticket_selectors.ticket_get(membership=membership, number=number)
    return render(request, "sla/_ticket_panel.html", {"ticket": ticket, "sla": selectors.ticket_sla(ticket=ticket)})


# --- settings: business calendars and SLA policies (managers and admins) ----------------------------

def _settings_context(membership: Any, **extra: Any) -> dict[str, Any]:
    return {"settings_tab": "sla", **extra}


@workspace_view(min_role=Role.MANAGER)
def settings_home(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    return render(request, "sla/settings.html", _settings_context(
        membership, calendars=selectors.calendars_list(workspace=workspace),
        policies=selectors.policies_list(workspace=workspace),
        fallback=selectors.default_calendar_config(workspace)))


@workspace_view(min_role=Role.MANAGER)
def settings_calendar(request: HttpRequest, calendar_id: int | None = None) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    calendar = selectors.calendar_get(workspace=workspace, calendar_id=calendar_id) if calendar_id else None
    error = ""
    if request.method == "POST":
        form = CalendarForm(request.POST, workspace=workspace)
        if form.is_valid():
            try:
                services.calendar_save(workspace=workspace, actor=membership.user, calendar=calendar,
                                       **form.service_values())
            except ServiceError as exc:
                error = str(exc)
            else:
                messages.success(request, _("영업시간을 저장했습니다. 진행 중 티켓의 기한을 다시 계산합니다."))
                return redirect("settings_sla", slug=workspace.slug)
    else:
        source = calendar or selectors.default_calendar_config(workspace)
        initial = CalendarForm.initial_of(source)
        if calendar is None:
            initial["name"] = "" if selectors.calendars_list(workspace=workspace) else source.name
            initial["is_default"] = not selectors.calendars_list(workspace=workspace)
        form = CalendarForm(initial=initial, workspace=workspace)
    return render(request, "sla/calendar_form.html", _settings_context(
        membership, form=form, calendar=calendar, error=error,
        day_fields=[form[f"day_{key}"] for key in WEEKDAY_KEYS]))


@workspace_view(min_role=Role.MANAGER)
def settings_policy(request: HttpRequest, policy_id: int | None = None) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    policy = selectors.policy_get(workspace=workspace, policy_id=policy_id) if policy_id else None
    error = ""
    if request.method == "POST":
        form = PolicyForm(request.POST, workspace=workspace)
        if form.is_valid():
            try:
                services.policy_save(workspace=workspace, actor=membership.user, policy=policy,
                                     **form.service_values())
            except ServiceError as exc:
                error = str(exc)
            else:
                messages.success(request, _("SLA 정책을 저장했습니다. 진행 중 티켓의 기한을 다시 계산합니다."))
                return redirect("settings_sla", slug=workspace.slug)
    else:
        form = PolicyForm(initial=PolicyForm.initial_of(policy) if policy else None, workspace=workspace)
    return render(request, "sla/policy_form.html", _settings_context(membership, form=form, policy=policy,
                                                                     error=error))


@workspace_view(min_role=Role.MANAGER, write=True)
def settings_defaults(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    result = services.workspace_sla_defaults_install(workspace=membership.workspace, actor=membership.user)
    if result.created:
        messages.success(request, _("한국 기본 영업시간과 SLA 정책을 추가했습니다."))
    return redirect("settings_sla", slug=membership.workspace.slug)
