"""The notification center pages: the top-bar bell (loaded after the page) and the full list."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cxops.core.services import ServiceError
from cxops.notifications import selectors, services
from cxops.notifications.models import DigestMode
from cxops.web.decorators import get_membership, workspace_view

BELL_ITEMS = 8
PAGE_SIZE = 30


@workspace_view()
def bell(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    unread = selectors.unread_count(membership=membership)
    latest = list(selectors.notifications_for(membership=membership)[:BELL_ITEMS])
    return render(request, "notifications/_bell.html", {"unread": unread, "latest": latest})


@workspace_view()
def notification_list(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    unread_only = request.GET.get("filter") == "unread"
    page = Paginator(selectors.notifications_for(membership=membership, unread_only=unread_only),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "unread_only": unread_only, "unread": selectors.unread_count(membership=membership),
        "preference": services.preference_get(membership), "digest_modes": DigestMode.choices,
    })


@workspace_view()
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    membership = get_membership(request)
    item = selectors.notifications_for(membership=membership).filter(pk=notification_id).first()
    if item is None:
        return redirect("notifications", slug=membership.workspace.slug)
    if request.method == "POST" or item.read_at is None:
        services.mark_read(membership=membership, notification_ids=[item.pk])
    return redirect(item.url if item.url.startswith("/") else reverse("notifications",
                                                                       kwargs={"slug": membership.workspace.slug}))


@workspace_view(write=False)
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    if request.method == "POST":
        count = services.mark_read(membership=membership)
        messages.success(request, _("알림 %(count)s건을 읽음으로 표시했습니다.") % {"count": count})
    return redirect("notifications", slug=membership.workspace.slug)


@workspace_view()
def notification_preference(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    if request.method == "POST":
        try:
            services.preference_set(membership=membership, digest=request.POST.get("digest", ""))
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("이메일 알림 설정을 저장했습니다."))
    return redirect("notifications", slug=membership.workspace.slug)
