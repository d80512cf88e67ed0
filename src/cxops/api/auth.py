"""Who is calling: a personal API token (integrations, scripts) or the browser session.

Both hand the view the :class:`~cxops.core.models.User` as ``request.auth``; what the user may
do in a workspace is decided by their membership (see :mod:`cxops.api.access`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from cxops.core.models import ApiToken, User, hash_secret

# last_used_at is written at most this often per token, so reads stay reads.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)

MSG_BAD_TOKEN = "API 토큰이 올바르지 않거나 폐기되었습니다. 토큰을 확인하거나 새로 발급해 주세요."
MSG_CSRF = "CSRF 검증에 실패했습니다. 페이지를 새로 고친 뒤 X-CSRFToken 헤더와 함께 다시 보내 주세요."


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer cxo_…``. Only the SHA-256 hash of a token is stored."""

    def __call__(self, request: HttpRequest) -> User | None:
        # Ninja's version logs the whole header (the secret) in DEBUG when the scheme is not
        # "Bearer"; another scheme here simply means "not a token", so session auth is tried.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> User:
        row = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_secret(token.strip()), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            # A wrong token is an error even when a session cookie is present: the caller meant
            # to use the token and must learn that it does not work.
            raise AuthenticationError(message=MSG_BAD_TOKEN)
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH_INTERVAL:
            # The condition in the UPDATE keeps concurrent requests from all writing.
            ApiToken.objects.filter(pk=row.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_TOUCH_INTERVAL)
            ).update(last_used_at=now)
            row.last_used_at = now
        request.api_token = row  # type: ignore[attr-defined]
        request.user = row.user
        return row.user


class SessionAuth(APIKeyCookie):
    """The signed-in browser. Unsafe methods need the CSRF token (header ``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Ninja checks CSRF before it knows whether anyone is signed in; we first look for a
        # user (no user → 401, not a CSRF complaint) and check CSRF in authenticate().
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, MSG_CSRF)
        return user
