"""The limiter against the real Redis cache that several web processes share."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from cxops.core import ratelimit

REDIS_URL = os.environ.get("CXOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.redis


def _redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return True
    except Exception:
        return False


@pytest.fixture
def redis_cache(settings):
    if not _redis_up():
        if os.environ.get("CXOPS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Redis is required in CI but not reachable at {REDIS_URL}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": f"cxops-test-{uuid.uuid4().hex[:8]}"}}
    settings.RATE_LIMITS = {"test": "150/60"}
    settings.RATE_LIMITS_ENABLED = True
    return settings


def test_concurrent_hits_through_redis_are_counted_exactly(redis_cache):
    counts: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            outcome = ratelimit.hit("test", "203.0.113.9", now=1_000_000.0)
            with lock:
                counts.append(outcome.count)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # every request got its own number: no two workers read the same counter value
    assert sorted(counts) == list(range(1, 201))
    assert not ratelimit.hit("test", "203.0.113.9", now=1_000_000.0).allowed
    assert ratelimit.hit("test", "203.0.113.9", now=1_000_060.0).allowed  # next window
