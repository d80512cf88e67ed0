"""A job enqueued by one process runs in a separate consumer process through Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("CXOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return True
    except Exception:
        return False


pytestmark = [pytest.mark.redis, pytest.mark.slow]


def test_job_runs_in_separate_consumer_through_redis(tmp_path: Path) -> None:
    if not _redis_up():
        if os.environ.get("CXOPS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Redis is required in CI but not reachable at {REDIS_URL}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "CXOPS_QUEUE_NAME": f"cxops-test-{uuid.uuid4().hex[:8]}",
        "CXOPS_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cxops.config.settings",
        "CXOPS_JOBS_IMMEDIATE": "0",
    }
    env.pop("CXOPS_TESTING", None)
    env.pop("DATABASE_URL", None)
    consumer = subprocess.Popen([sys.executable, "-m", "cxops.cli", "jobs", "worker", "--workers", "1"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        started = time.monotonic()
        probe = subprocess.run([sys.executable, "-m", "cxops.cli", "jobs", "probe", "--timeout", "60"], env=env,
                               capture_output=True, text=True, timeout=90)
        assert probe.returncode == 0, probe.stderr
        result = json.loads(probe.stdout.strip().splitlines()[-1])
        assert result["pid"] == consumer.pid, "the job must run in the consumer process"
        assert result["enqueued_by"] != consumer.pid
        assert time.monotonic() - started < 60
    finally:
        consumer.terminate()
        try:
            consumer.wait(timeout=15)
        except subprocess.TimeoutExpired:
            consumer.kill()
