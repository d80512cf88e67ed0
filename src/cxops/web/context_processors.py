from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from cxops import __version__


def _logout_url() -> str:
    try:
        return reverse("logout")
    except NoReverseMatch:  # the sign-in pages live in the portal app
        return "/logout/"


def cxops(request: HttpRequest) -> dict[str, Any]:
    """Layout data. Everything that costs a query is lazy: htmx partials never pay for the sidebar."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)

    @cache
    def user_workspaces() -> list[Any]:
        if user is None or not user.is_authenticated:
            return []
        from cxops.core.selectors import workspaces_for_user

        return list(workspaces_for_user(user=user))

    @cache
    def nav() -> Any:
        if membership is None:
            return None
        from cxops.web.sidebar import sidebar_nav

        return sidebar_nav(request, membership)

    return {
        "cx_version": __version__,
        "membership": membership,
        "workspace": membership.workspace if membership else None,
        "user_workspaces": user_workspaces,
        "nav": nav,
        "logout_url": _logout_url(),
        "can_write": bool(membership and membership.can_write),
        "is_viewer": bool(membership and not membership.can_write),
    }
