"""Request-scoped context: the client address for the audit trail, the user's language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from cxops.core.audit import request_ip


def client_ip(request: HttpRequest) -> str | None:
    if getattr(settings, "CXOPS_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            # Korean first: the UI follows the chosen language (cookie, then the account), never
            # just the browser's Accept-Language, which is often English on Korean office PCs.
            language = settings.LANGUAGE_CODE
            if user is not None and user.is_authenticated:
                language = getattr(user, "language", "") or language
            translation.activate(language)
            request.LANGUAGE_CODE = language
        with request_ip(client_ip(request)):
            return self.get_response(request)
