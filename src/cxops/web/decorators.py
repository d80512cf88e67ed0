"""`workspace_view`: sign-in, workspace membership, role and write checks for every agent page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from cxops.core.models import Membership, Role
from cxops.core.selectors import membership_get

View = Callable[..., HttpResponseBase]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def login_url() -> str:
    try:
        return resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:  # the sign-in pages are served by the portal app
        return "/login/"


def login_url_for(request: HttpRequest) -> HttpResponse:
    """Send an anonymous visitor to sign in; htmx requests get a full-page redirect instead of a swap."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(f"{login_url()}?{urlencode({'next': request.get_full_path()})}")
    return redirect_to_login(request.get_full_path(), login_url=login_url())


def workspace_view(min_role: str = Role.CLIENT_VIEWER, write: bool = False) -> Callable[[View], View]:
    """Resolve `/w/<slug>/…` to the user's membership and check what they may do.

    * not signed in → sign-in page; not a member (or inactive) → 404, so other tenants stay invisible;
    * role below `min_role` → 403; client viewers read only, so any unsafe method → 403;
    * `write=True` views accept POST only (405 otherwise).

    The view is called without `slug`, with `request.membership` set and the workspace time zone active.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return login_url_for(request)
            membership = membership_get(user=request.user, workspace_slug=slug)  # type: ignore[arg-type]
            membership.user = request.user  # type: ignore[assignment]
            if not membership.has_role(min_role):
                raise PermissionDenied
            if request.method not in SAFE_METHODS and not membership.can_write:
                raise PermissionDenied
            if write and request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            request.membership = membership  # type: ignore[attr-defined]
            try:
                with timezone.override(ZoneInfo(membership.workspace.timezone)):
                    return view(request, *args, **kwargs)
            except PermissionError as exc:  # raised by services when a role may not do something
                raise PermissionDenied(str(exc)) from exc

        wrapper.workspace_view = True  # type: ignore[attr-defined]
        wrapper.write_view = write  # type: ignore[attr-defined]
        return wrapper

    return decorator


def account_view(view: View) -> View:
    """Pages about the signed-in user themselves (API tokens): sign-in required, no workspace."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return login_url_for(request)
        try:
            return view(request, *args, **kwargs)
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc

    return wrapper


def get_membership(request: HttpRequest) -> Membership:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    return membership
