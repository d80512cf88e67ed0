"""Agent UI of assignment: the settings page (managers and admins) and "다음 티켓 받기" (agents).

Thin adapters: parse the form, call one service, redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cxops.assignment import selectors, services
from cxops.assignment.models import AgentSkill, AvailabilitySource, ClaimOrder, Mode, OnOffline
from cxops.core.models import Role
from cxops.core.selectors import member_get, members_list, teams_list
from cxops.core.services import ServiceError
from cxops.tickets.models import Category, Channel, TicketType
from cxops.web.decorators import get_membership, workspace_view

FALLBACK_SLOTS = 3


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@workspace_view(min_role=Role.MANAGER)
def assignment_settings(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "settings":
                services.settings_save(workspace=workspace, by=membership,
                                       default_team_id=_int(request.POST.get("default_team")),
                                       claim_order=request.POST.get("claim_order", ClaimOrder.URGENT_FIRST))
                messages.success(request, _("배정 기본 설정을 저장했습니다."))
            elif action == "team":
                team = selectors.team_get(workspace=workspace, team_id=_int(request.POST.get("team")) or 0)
                fallbacks = [tid for tid in _ints(request.POST.getlist("fallback")) if tid]
                services.team_config_save(
                    team=team, by=membership, mode=request.POST.get("mode", Mode.MANUAL),
                    availability_source=request.POST.get("availability_source", AvailabilitySource.STATUS),
                    on_offline=request.POST.get("on_offline", OnOffline.QUEUE),
                    require_skill=request.POST.get("require_skill") == "1", fallback_team_ids=fallbacks)
                messages.success(request, _("‘%(name)s’ 팀의 배정 설정을 저장했습니다.") % {"name": team.name})
            elif action == "rule":
                services.routing_rule_save(
                    workspace=workspace, by=membership, name=request.POST.get("name", ""),
                    team_id=_int(request.POST.get("team")) or 0, channels=request.POST.getlist("channels"),
                    types=request.POST.getlist("types"), category_ids=_ints(request.POST.getlist("categories")),
                    position=_int(request.POST.get("position")) or 100)
                messages.success(request, _("라우팅 규칙을 추가했습니다."))
            elif action == "rule_delete":
                rule = selectors.routing_rule_get(workspace=workspace, rule_id=_int(request.POST.get("rule")) or 0)
                services.routing_rule_delete(rule=rule, by=membership)
                messages.success(request, _("라우팅 규칙을 지웠습니다."))
            elif action == "skill":
                target = member_get(workspace=workspace, membership_id=_int(request.POST.get("member")) or 0)
                services.skill_set(membership=target, by=membership, level=_int(request.POST.get("level")) or 0,
                                   category_id=_int(request.POST.get("category")),
                                   channel=request.POST.get("channel", ""))
                messages.success(request, _("스킬을 저장했습니다."))
            elif action == "skill_delete":
                skill = AgentSkill.objects.filter(workspace=workspace, pk=_int(request.POST.get("skill")) or 0).first()
                if skill is not None:
                    services.skill_delete(skill=skill, by=membership)
                    messages.success(request, _("스킬을 지웠습니다."))
        except ServiceError as exc:
            messages.error(request, str(exc))
        return redirect("assignment_settings", slug=workspace.slug)
    teams = list(teams_list(workspace=workspace))
    overviews = [{"view": view, "slots": [view.fallback_ids[i] if i < len(view.fallback_ids) else None
                                          for i in range(FALLBACK_SLOTS)]}
                 for view in (selectors.team_overview(workspace=workspace, team=team) for team in teams)]
    categories = list(Category.objects.filter(workspace=workspace).select_related("parent")
                      .order_by("parent__position", "parent_id", "position", "name"))
    return render(request, "assignment/settings.html", {
        "settings_tab": "assignment",
        "assignment": selectors.settings_for(workspace=workspace),
        "teams": teams,
        "overviews": overviews,
        "rules": list(selectors.routing_rules(workspace=workspace)),
        "skills": list(selectors.skills_list(workspace=workspace)),
        "members": list(members_list(workspace=workspace)),
        "categories": categories,
        "modes": Mode.choices, "sources": AvailabilitySource.choices, "offline_choices": OnOffline.choices,
        "claim_orders": ClaimOrder.choices, "channels": Channel.choices, "types": TicketType.choices,
        "levels": range(1, 6),
    })


@workspace_view(write=True)
def claim_next(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    slug = membership.workspace.slug
    try:
        ticket = services.claim_next(membership=membership)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("inbox", slug=slug)
    if ticket is None:
        messages.info(request, _("지금 받을 티켓이 없습니다. 팀 큐가 비어 있습니다."))
        return redirect("inbox", slug=slug)
    messages.success(request, _("#%(number)s 티켓을 받았습니다.") % {"number": ticket.number})
    return redirect("ticket_detail", slug=slug, number=ticket.number)
