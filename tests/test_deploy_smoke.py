"""The production shape, smoke-tested: gunicorn with several workers, two job consumers,
PostgreSQL, Redis, static files from WhiteNoise, DEBUG off.

A reply posted through one web process is delivered by a job that a separate consumer takes
from Redis; sessions and rate limits work across workers because they live in Redis.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.db import connection

from cxops.core.services import api_token_create
from cxops.tickets.models import DeliveryStatus, Message, MessageKind
from tests.factories import make_member, make_ticket, make_user, make_workspace

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("CXOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PASSWORD = "deploy-smoke-pass-1"


def _require(condition: bool, what: str) -> None:
    if condition:
        return
    if os.environ.get("CXOPS_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available")


def _redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return True
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{urllib.parse.quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    return f"postgresql://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise AssertionError(f"nothing answered at {url}")


def test_gunicorn_workers_consumers_postgres_redis(tmp_path: Path, settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass: production uses PostgreSQL")
    _require(_redis_up(), f"Redis at {REDIS_URL}")
    # The suite hashes passwords with a fast hasher that production does not accept.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

    agent = make_member(make_workspace(slug="prod", name="운영 점검"), "agent",
                        user=make_user(email="prod-agent@cxops.test", password=PASSWORD, name="운영상담원"))
    workspace = agent.workspace
    ticket = make_ticket(workspace, subject="배포 점검 문의", email="customer@example.com")
    _token, raw_token = api_token_create(user=agent.user, name="smoke")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cxops.config.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "CXOPS_QUEUE_NAME": f"cxops-smoke-{uuid.uuid4().hex[:8]}",
        "SECRET_KEY": "smoke-" + uuid.uuid4().hex * 2,
        "CXOPS_DATA_DIR": str(tmp_path / "data"),
        "CXOPS_STATIC_ROOT": str(tmp_path / "static"),
        "CXOPS_MEDIA_ROOT": str(tmp_path / "media"),
        "CXOPS_DEBUG": "0",
        "CXOPS_SITE_URL": base,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CXOPS_LOG_LEVEL": "WARNING",
    }
    for key in ("CXOPS_TESTING", "CXOPS_JOBS_IMMEDIATE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(key, None)
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"], env=env, check=True,
                   timeout=120)
    processes = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "cxops.config.wsgi:application", "--bind",
                          f"127.0.0.1:{port}", "--workers", "3", "--threads", "2", "--worker-class", "gthread",
                          "--log-level", "warning"], env=env),
        subprocess.Popen([sys.executable, "-m", "cxops.cli", "jobs", "worker", "--workers", "2"], env=env),
        subprocess.Popen([sys.executable, "-m", "cxops.cli", "jobs", "worker", "--workers", "2"], env=env),
    ]
    try:
        _wait_for(f"{base}/login/")
        # Static files come from WhiteNoise with a hashed name and long caching.
        login_html = urllib.request.urlopen(f"{base}/login/").read().decode()
        css = re.search(r'href="(/static/[^"]+\.css)"', login_html)
        assert css, "the sign-in page links its stylesheet"
        with urllib.request.urlopen(base + css.group(1)) as response:
            assert response.status == 200
            assert "max-age" in response.headers.get("Cache-Control", "")

        # Sign in through the form; the session (in Redis and the database) works on every worker.
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/login/").read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert csrf
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf.group(1), "username": agent.user.email,
                                       "password": PASSWORD}).encode()
        request = urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"})
        with opener.open(request) as response:
            assert "/w/prod/" in response.url
        for _ in range(6):  # several requests, so several workers serve this session
            inbox = opener.open(f"{base}/w/prod/inbox/?view=all").read().decode()
            assert "배포 점검 문의" in inbox

        # A reply through the API is delivered by a job a consumer takes from Redis.
        reply = urllib.request.Request(
            f"{base}/api/v1/workspaces/prod/tickets/{ticket.number}/replies",
            data=b'{"body": "\\uc810\\uac80 \\ub2f5\\ubcc0\\uc785\\ub2c8\\ub2e4."}', method="POST",
            headers={"Authorization": f"Bearer {raw_token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(reply) as response:
            assert response.status in (200, 201)
        deadline = time.monotonic() + 60
        message = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
        while message.delivery_status == DeliveryStatus.PENDING and time.monotonic() < deadline:
            time.sleep(0.5)
            message.refresh_from_db()
        assert message.delivery_status == DeliveryStatus.SENT, message.delivery_error
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
