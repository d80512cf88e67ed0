from __future__ import annotations

import json
import threading

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from cxops.core import ratelimit
from cxops.core.ratelimit import Limit, RateLimitConfigError, parse_limit, rate_limited


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = {"test": "3/60", "login": "20/300"}
    settings.RATE_LIMITS_ENABLED = True
    return settings


@pytest.mark.parametrize(("spec", "expected"), [("10/600", Limit(10, 600)), (" 3 / 60 ", Limit(3, 60)),
                                                ("0/1", Limit(0, 1))])
def test_parse_limit(spec, expected):
    assert parse_limit(spec) == expected


@pytest.mark.parametrize("spec", ["10", "ten/60", "10/0", "-1/60", ""])
def test_parse_limit_rejects_nonsense(spec):
    with pytest.raises(RateLimitConfigError):
        parse_limit(spec)


def test_fixed_window_counts_and_resets(limits):
    t0 = 1_000_040.0  # 20 s into the 60 s window [1_000_020, 1_000_080)
    outcomes = [ratelimit.hit("test", "1.2.3.4", now=t0 + i) for i in range(4)]
    assert [o.allowed for o in outcomes] == [True, True, True, False]
    assert [o.count for o in outcomes] == [1, 2, 3, 4]
    assert outcomes[-1].retry_after == 37  # asked at 1_000_043
    assert outcomes[0].remaining == 2
    # another address has its own budget, and the next window starts afresh
    assert ratelimit.hit("test", "5.6.7.8", now=t0).allowed
    assert ratelimit.hit("test", "1.2.3.4", now=t0 + 40).allowed


def test_scopes_are_separate_and_unknown_scopes_are_unlimited(limits):
    for _ in range(3):
        ratelimit.hit("test", "ip", now=100.0)
    assert not ratelimit.hit("test", "ip", now=100.0).allowed
    assert ratelimit.hit("login", "ip", now=100.0).allowed
    unlimited = ratelimit.hit("no-such-scope", "ip")
    assert unlimited.allowed and unlimited.limit is None


def test_disabled_limits_count_nothing(limits):
    limits.RATE_LIMITS_ENABLED = False
    assert all(ratelimit.hit("test", "ip", now=100.0).allowed for _ in range(10))


def test_forgive_gives_back_one_request(limits):
    for _ in range(3):
        ratelimit.hit("test", "ip", now=100.0)
    ratelimit.forgive("test", "ip", now=100.0)
    assert ratelimit.hit("test", "ip", now=100.0).allowed
    assert not ratelimit.hit("test", "ip", now=100.0).allowed
    ratelimit.forgive("test", "never-seen", now=100.0)  # nothing to give back: no error


def test_concurrent_hits_are_all_counted(limits):
    limits.RATE_LIMITS = {"test": "1000/60"}
    results: list[int] = []

    def worker() -> None:
        for _ in range(25):
            results.append(ratelimit.hit("test", "ip", now=100.0).count)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1, 201))


def _view(request):
    return HttpResponse("ok")


def test_decorator_counts_only_the_given_methods(limits):
    view = rate_limited("test", methods=["POST"])(_view)
    rf = RequestFactory()
    for _ in range(5):
        assert view(rf.get("/")).status_code == 200
    for _ in range(3):
        assert view(rf.post("/")).status_code == 200
    response = view(rf.post("/"))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    body = response.content.decode()
    assert "요청이 너무 많습니다." in body and '<html lang="ko">' in body


def test_decorator_answers_api_clients_in_json(limits):
    view = rate_limited("test")(_view)
    rf = RequestFactory()
    for _ in range(3):
        view(rf.get("/api/v1/public/"))
    response = view(rf.get("/api/v1/public/"))
    assert response.status_code == 429
    data = json.loads(response.content)
    assert data["retry_after"] == int(response["Retry-After"])
    assert "다시 시도해 주세요" in data["detail"]


def test_client_address_comes_from_the_proxy_only_when_trusted(limits):
    view = rate_limited("test")(_view)
    rf = RequestFactory()
    for n in range(3):
        view(rf.get("/", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}"))
    # not trusted: all requests came from REMOTE_ADDR 127.0.0.1
    assert view(rf.get("/", HTTP_X_FORWARDED_FOR="9.9.9.9")).status_code == 429
    limits.CXOPS_TRUST_X_FORWARDED_FOR = True
    assert view(rf.get("/", HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.1")).status_code == 200


def test_bad_configuration_fails_when_the_view_is_decorated(settings):
    settings.RATE_LIMITS = {"broken": "lots"}
    with pytest.raises(RateLimitConfigError):
        rate_limited("broken")(_view)
