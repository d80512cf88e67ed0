"""Fixed-window rate limits for public endpoints, counted in the shared Django cache.

Every web process shares the cache (Redis when REDIS_URL is set, otherwise the file cache under
CXOPS_DATA_DIR), so a limit holds across gunicorn workers. A window is identified by its start
time, so its counter key is created with ``cache.add`` (atomic "set if absent") and advanced with
``cache.incr`` (atomic INCR on Redis); no read-modify-write race lets extra requests through there.
The file cache has no atomic increment, so under a burst from several processes a few requests
may slip past the limit on a single-machine install; set REDIS_URL where that matters.

Limits come from ``settings.RATE_LIMITS`` as ``"count/seconds"`` per scope, counted per client IP
(see :func:`cxops.core.middleware.client_ip`), and the whole mechanism is switched off with
``settings.RATE_LIMITS_ENABLED = False``.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string

from cxops.core.middleware import client_ip

log = logging.getLogger(__name__)

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])

KEY_PREFIX = "cxops:rl"


class RateLimitConfigError(ValueError):
    """A RATE_LIMITS entry that is not "count/seconds"."""


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


@dataclass(frozen=True)
class Outcome:
    """The result of counting one request against a scope."""

    allowed: bool
    count: int
    limit: Limit | None
    retry_after: int  # seconds until the current window ends (0 when unlimited)

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit.count - self.count, 0)


def parse_limit(spec: str) -> Limit:
    """``"10/600"`` → Limit(count=10, seconds=600)."""
    try:
        count_text, seconds_text = str(spec).split("/", 1)
        count, seconds = int(count_text.strip()), int(seconds_text.strip())
    except ValueError as exc:
        raise RateLimitConfigError(f'Rate limit must look like "count/seconds", got {spec!r}') from exc
    if count < 0 or seconds <= 0:
        raise RateLimitConfigError(f"Rate limit needs count >= 0 and seconds > 0, got {spec!r}")
    return Limit(count=count, seconds=seconds)


def limit_for(scope: str) -> Limit | None:
    """The configured limit of a scope, or None when limits are off or the scope has none."""
    if not getattr(settings, "RATE_LIMITS_ENABLED", True):
        return None
    spec = getattr(settings, "RATE_LIMITS", {}).get(scope)
    if not spec:
        return None
    return parse_limit(spec)


def _cache_key(scope: str, identity: str, window: int) -> str:
    # Hash the identity: IPv6 addresses and proxy strings contain characters some backends reject,
    # and the cache should not hold client addresses in clear.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{scope}:{digest}:{window}"


def hit(scope: str, identity: str, *, now: float | None = None) -> Outcome:
    """Count one request of `identity` against `scope` and say whether it may go ahead."""
    limit = limit_for(scope)
    if limit is None:
        return Outcome(allowed=True, count=0, limit=None, retry_after=0)
    current = time.time() if now is None else now
    window = int(current // limit.seconds)
    window_end = (window + 1) * limit.seconds
    retry_after = max(math.ceil(window_end - current), 1)
    key = _cache_key(scope, identity, window)
    # Keep the key a little past the window end so a late incr never recreates a stale window.
    timeout = limit.seconds + 5
    if cache.add(key, 1, timeout=timeout):
        count = 1
    else:
        try:
            count = int(cache.incr(key))
        except ValueError:
            # The key expired between add() and incr(): this request opens the window again.
            count = 1 if cache.add(key, 1, timeout=timeout) else int(cache.incr(key))
    return Outcome(allowed=count <= limit.count, count=count, limit=limit, retry_after=retry_after)


def reset(scope: str, identity: str, *, now: float | None = None) -> None:
    """Forget the current window of `identity` in `scope` (after a successful sign-in, in tests)."""
    limit = limit_for(scope)
    if limit is None:
        return
    current = time.time() if now is None else now
    cache.delete(_cache_key(scope, identity, int(current // limit.seconds)))


def forgive(scope: str, identity: str, *, now: float | None = None) -> None:
    """Take back one counted request, e.g. a sign-in that succeeded: only failures use up the budget,
    so a call center signing in from one office address is not locked out at the start of a shift."""
    limit = limit_for(scope)
    if limit is None:
        return
    current = time.time() if now is None else now
    key = _cache_key(scope, identity, int(current // limit.seconds))
    try:
        if int(cache.decr(key)) < 0:
            cache.set(key, 0, timeout=limit.seconds + 5)
    except ValueError:
        pass  # the window has ended meanwhile: nothing to give back


def request_identity(request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def too_many_requests(request: HttpRequest, outcome: Outcome, *, template_name: str | None = None) -> HttpResponse:
    """A 429 answer in Korean with Retry-After: HTML for people, JSON for API clients."""
    minutes = max(math.ceil(outcome.retry_after / 60), 1)
    message = f"요청이 너무 많습니다. {minutes}분 뒤에 다시 시도해 주세요."
    if _wants_json(request):
        response = HttpResponse(
            json.dumps({"detail": message, "retry_after": outcome.retry_after}, ensure_ascii=False),
            status=429, content_type="application/json; charset=utf-8",
        )
    elif template_name:
        context = {"retry_after": outcome.retry_after, "retry_minutes": minutes, "message": message}
        response = HttpResponse(render_to_string(template_name, context, request=request), status=429)
    else:
        response = HttpResponse(_plain_page(message), status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(outcome.retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _plain_page(message: str) -> str:
    text = html.escape(message)
    return (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>잠시 후 다시 시도해 주세요</title></head>"
        '<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;'
        'line-height:1.6;color:#1f2933">'
        f"<h1 style=\"font-size:1.4rem\">잠시 후 다시 시도해 주세요</h1><p>{text}</p></body></html>"
    )


def rate_limited(scope: str, *, methods: Iterable[str] | None = None,
                 template_name: str | None = None) -> Callable[[ViewFunc], ViewFunc]:
    """Limit a view per client IP; requests over the limit get a 429 page and never reach the view.

    ``methods`` restricts counting to those HTTP methods (e.g. only POST submissions); by default
    every request counts.
    """
    parse_limit(getattr(settings, "RATE_LIMITS", {}).get(scope) or "0/1")  # fail fast on a bad spec
    counted = {m.upper() for m in methods} if methods is not None else None

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if counted is None or request.method in counted:
                outcome = hit(scope, request_identity(request))
                if not outcome.allowed:
                    log.warning("rate limit %s exceeded by %s (%s requests)", scope,
                                request_identity(request), outcome.count)
                    return too_many_requests(request, outcome, template_name=template_name)
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapped)

    return decorator
