"""Request rate limit of the API: per API token, else per signed-in user, else per client address.

Counting is :mod:`cxops.core.ratelimit` (the limiter of the public pages: fixed windows in the
shared cache, atomic counters), scope ``"public_api"`` of ``settings.RATE_LIMITS``
(``CXOPS_RATE_PUBLIC_API``, "count/seconds"); ``RATE_LIMITS_ENABLED = False`` turns it off.
Ninja runs throttles after authentication, so the token is known here.
"""

from __future__ import annotations

import threading

from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from cxops.core import ratelimit

SCOPE = "public_api"


def identity(request: HttpRequest) -> str:
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token:{token.pk}"
    user = getattr(request, "auth", None)
    if user is not None and getattr(user, "pk", None):
        return f"user:{user.pk}"
    return f"ip:{ratelimit.request_identity(request)}"


class ApiRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        # One instance serves every request; the outcome is kept per thread for wait().
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        outcome = ratelimit.hit(SCOPE, identity(request))
        self._local.retry_after = outcome.retry_after
        return outcome.allowed

    def wait(self) -> float | None:
        return getattr(self._local, "retry_after", None)
