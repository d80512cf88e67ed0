"""The interactive API docs (Swagger UI), served entirely by this server.

CXOps runs on closed networks, so the docs page must not load anything from a CDN. Django Ninja
ships the Swagger UI bundle inside its package (``ninja/static/ninja/``); Ninja only uses it when
``"ninja"`` is an installed app and the files have been collected. This page serves those same
files from the package through a small view under the API's own URL, so the docs work with no
settings change and no ``collectstatic``, and no request leaves the machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, json_script
from ninja.openapi.docs import DocsBase

from cxops.api.errors import MSG_NOT_FOUND, error_response

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS: dict[str, str] = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui.css.map": "application/json",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-bundle.js.map": "application/json",
    "swagger-ui-init.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
ASSET_MAX_AGE = 7 * 24 * 3600

SWAGGER_SETTINGS: dict[str, Any] = {
    "layout": "BaseLayout",
    "deepLinking": True,
    "persistAuthorization": True,
    # Swagger UI would otherwise ask validator.swagger.io about the schema.
    "validatorUrl": None,
}


def asset_url(name: str) -> str:
    # The Ninja version busts browser caches when the bundled Swagger UI changes.
    return f"{reverse('api:docs-asset', args=[name])}?v={ninja.__version__}"


class OfflineSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**SWAGGER_SETTINGS, "url": self.get_openapi_url(api, kwargs)}
        # The token lets "Try it out" send unsafe requests with the browser session.
        csrf_token = get_token(request)
        html = format_html(
            '<!DOCTYPE html>\n<html lang="ko">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>{title}</title>\n"
            '<link rel="stylesheet" href="{css}">\n<link rel="icon" type="image/png" href="{icon}">\n'
            "</head>\n"
            '<body data-csrf-token="{csrf}" data-api-csrf="true">\n{settings}\n<div id="swagger-ui"></div>\n'
            '<script src="{bundle}"></script>\n<script src="{init}"></script>\n</body>\n</html>\n',
            title=api.title, css=asset_url("swagger-ui.css"), icon=asset_url("favicon.png"), csrf=csrf_token,
            settings=json_script(settings, "swagger-settings"),
            bundle=asset_url("swagger-ui-bundle.js"), init=asset_url("swagger-ui-init.js"),
        )
        return HttpResponse(html, content_type="text/html; charset=utf-8")


def docs_asset(request: HttpRequest, name: str) -> HttpResponseBase:
    """One of the Swagger UI files bundled with Django Ninja (a fixed list, nothing else)."""
    if request.method not in ("GET", "HEAD"):
        response = error_response(405, "GET 요청만 받습니다.")
        response["Allow"] = "GET, HEAD"
        return response
    content_type = ASSETS.get(name)
    path = ASSET_DIR / name
    if content_type is None or not path.is_file():
        return error_response(404, MSG_NOT_FOUND)
    file_response = FileResponse(path.open("rb"), content_type=content_type)
    file_response["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}"
    return file_response
