"""Entry points of the agent UI: home redirect, language switch, availability, the live sidebar."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import i18n as django_i18n

from cxops.core.models import Availability, User
from cxops.core.selectors import workspaces_for_user
from cxops.core.services import ServiceError
from cxops.tickets.services import agent_availability_set
from cxops.web.decorators import get_membership, login_url_for, workspace_view


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in users land in their first workspace's inbox; anonymous visitors sign in."""
    if not request.user.is_authenticated:
        return login_url_for(request)
    workspace = workspaces_for_user(user=request.user).first()  # type: ignore[arg-type]
    if workspace is None:
        return render(request, "web/no_workspace.html", status=200)
    return redirect("inbox", slug=workspace.slug)


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + redirect); a signed-in user's choice is also kept on the account.

    RequestContextMiddleware falls back to User.language on devices without the language cookie,
    so saving it here makes the switch follow the user to their other browsers.
    """
    response = django_i18n.set_language(request)
    language = request.POST.get(django_i18n.LANGUAGE_QUERY_PARAMETER, "") if request.method == "POST" else ""
    user = request.user
    if isinstance(user, User) and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


@workspace_view()
def workspace_home(request: HttpRequest) -> HttpResponse:
    return redirect("inbox", slug=get_membership(request).workspace.slug)


@workspace_view(write=True)
def availability_set(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    try:
        agent_availability_set(membership=membership, availability=request.POST.get("availability", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/_availability.html", {"availability_choices": Availability.choices})
    messages.success(request, _("상태를 바꿨습니다."))
    return redirect(reverse("inbox", kwargs={"slug": membership.workspace.slug}))


@workspace_view()
def sidebar_views(request: HttpRequest) -> HttpResponse:
    """The views list with fresh counts; the sidebar polls it every minute."""
    return render(request, "web/_sidebar_views.html")
