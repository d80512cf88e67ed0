"""The sidebar: built-in views with live counts, channels, saved views, and section links."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cxops.core.models import Membership
from cxops.tickets import selectors
from cxops.tickets.models import Channel

# Built-in views in sidebar order, with their Korean labels (the selectors hold the filters).
BUILTIN_ORDER: list[tuple[str, Any]] = [
    ("mine", _("내 티켓")),
    ("unassigned", _("미배정")),
    ("open", _("진행 중 전체")),
    ("pending", _("고객 응답 대기")),
    ("solved", _("최근 해결 (7일)")),
    ("all", _("전체 티켓")),
]


@dataclass
class NavItem:
    key: str
    label: Any
    url: str
    count: int | None = None
    active: bool = False
    icon: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Nav:
    views: list[NavItem]
    channels: list[NavItem]
    saved: list[NavItem]
    sections: list[NavItem]
    active: str = ""


def current_view_key(request: HttpRequest, membership: Membership) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "sidebar_views":
        return request.GET.get("active", "")
    if match is None or match.url_name != "inbox":
        return ""
    return request.GET.get("view") or default_view(membership)


def default_view(membership: Membership) -> str:
    return "mine" if membership.can_write else "open"


# Full pages reuse counts this many seconds old; the sidebar's own refresh (every minute and
# right after a change) always counts afresh. Counting a large workspace on every page view
# would cost more than the page itself.
COUNTS_MAX_AGE_S = 15


def _counts(request: HttpRequest, membership: Membership, saved_views: list[Any]) -> dict[str, Any]:
    key = f"cxops:sidebar-counts:{membership.workspace_id}:{membership.user_id}"
    match = getattr(request, "resolver_match", None)
    fresh = match is not None and match.url_name == "sidebar_views"
    cached = None if fresh else cache.get(key)
    saved_ids = [v.pk for v in saved_views]
    if cached is not None and cached.get("saved_ids") == saved_ids:
        return dict(cached)
    counts: dict[str, Any] = dict(selectors.sidebar_counts(membership=membership))
    counts["saved"] = selectors.saved_view_counts(membership=membership, views=saved_views)
    counts["saved_ids"] = saved_ids
    cache.set(key, counts, COUNTS_MAX_AGE_S)
    return counts


def sidebar_nav(request: HttpRequest, membership: Membership) -> Nav:
    slug = membership.workspace.slug
    inbox = reverse("inbox", kwargs={"slug": slug})
    active = current_view_key(request, membership)
    saved_views = list(selectors.saved_views(membership=membership)[:30])
    counts = _counts(request, membership, saved_views)
    views = [
        NavItem(key, label, f"{inbox}?view={key}", counts.get(key), active == key, icon=key)
        for key, label in BUILTIN_ORDER
        if membership.can_write or key != "mine"
    ]
    channels = [
        NavItem(f"channel-{value}", label, f"{inbox}?view=channel-{value}", counts[f"channel_{value}"],
                active == f"channel-{value}", icon="channel", extra={"channel": value})
        for value, label in Channel.choices
        if counts.get(f"channel_{value}") or value in (Channel.BOARD, Channel.PHONE)
    ]
    saved_counts = counts["saved"]
    saved = [
        NavItem(f"saved-{v.pk}", v.name, f"{inbox}?view=saved-{v.pk}", saved_counts.get(v.pk),
                active == f"saved-{v.pk}", icon="shared" if v.owner_id is None else "saved")
        for v in saved_views
    ]
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else ""

    def section(name: str, label: Any, icon: str, prefixes: tuple[str, ...]) -> NavItem:
        return NavItem(name, label, reverse(name, kwargs={"slug": slug}),
                       active=bool(url_name and url_name.startswith(prefixes)), icon=icon)

    sections = [
        section("calls", _("전화 상담"), "phone", ("call",)),
        section("customers", _("고객"), "customers", ("customer",)),
        section("macros", _("매크로"), "macro", ("macro",)),
        section("collab_checklists", _("협업"), "shared", ("collab_",)),
        section("kb_articles", _("지식베이스"), "file", ("kb_",)),
        section("insights_dashboard", _("고객의 소리"), "message", ("insights_",)),
        section("complaints_home", _("민원"), "shield", ("complaints_",)),
    ]
    if membership.has_role("lead"):
        sections.append(section("wf_forecast", _("인력 계획"), "history", ("wf_",)))
    elif membership.can_write:
        sections.append(section("wf_my_schedule", _("내 근무표"), "history", ("wf_my",)))
    else:
        sections.append(section("wf_report", _("운영 리포트"), "history", ("wf_report",)))
    if membership.has_role("manager"):
        sections.append(section("settings_profile", _("설정"), "settings", ("settings",)))
    return Nav(views=views, channels=channels, saved=saved, sections=sections, active=active)
