"""URLs under /api/v1/: the Ninja API, the offline docs assets, and JSON errors for everything else.

Ninja answers a wrong method with an empty 405 and unknown paths fall through to Django's HTML
404; both are rewritten here into the API's one error format.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from cxops.api.api import api
from cxops.api.docs import docs_asset
from cxops.api.errors import MSG_NOT_FOUND, error_response


def _json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(404, MSG_NOT_FOUND)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            json_response = error_response(405, f"이 주소는 {allowed} 요청만 받습니다.")
            json_response["Allow"] = allowed
            return json_response
        return response

    return wrapper


def _api_patterns() -> list[URLPattern | URLResolver]:
    patterns, _app_name, _namespace = api.urls
    wrapped: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern = URLPattern(pattern.pattern, _json_errors(pattern.callback), pattern.default_args, pattern.name)
        wrapped.append(pattern)
    wrapped.append(path("docs/assets/<str:name>", csrf_exempt(docs_asset), name="docs-asset"))
    return wrapped


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, MSG_NOT_FOUND)


urlpatterns = [
    path("", include((_api_patterns(), "ninja"), namespace=api.urls_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
