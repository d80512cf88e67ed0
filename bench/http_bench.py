"""Measure CXOps through the real HTTP stack with wrk on loopback.

Start from a database loaded by bench/load_tickets.py, then:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cxops_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/http_bench.py --workspace bench --out bench/results/pg-1m.json

It starts gunicorn (several gthread workers, static files by whitenoise) against that database,
signs an agent in, and runs wrk (Debian package `wrk`) for each scenario: inbox list (50 rows,
filtered and sorted), ticket page, Korean search, API list, and board submissions. Each scenario
requests random paths from a list so no single page is cached. Latency is measured at a small
concurrency (what one agent feels); board throughput at a higher one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")

QUERIES = ["환불", "배송", "늦어요", "파손", "교환", "쿠폰 적용", "결제 두 번", "새벽배송", "영수증", "재입고",
           "아이스팩", "반품 택배", "포인트 환불", "유통기한", "선물", "감귤", "밀키트", "삼겹살", "김민수", "5678"]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError(f"server did not answer at {url}")


def agent_session(workspace_slug: str) -> tuple[str, int]:
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from cxops.core.models import Membership
    from cxops.tickets.models import Ticket

    membership = (Membership.objects.select_related("user", "workspace")
                  .filter(workspace__slug=workspace_slug, role="admin").first())
    if membership is None:
        raise SystemExit(f"no admin in workspace {workspace_slug}: load data with bench/load_tickets.py first")
    user = membership.user
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    max_number = Ticket.objects.filter(workspace=membership.workspace).order_by("-number").values_list(
        "number", flat=True).first() or 0
    return store.session_key or "", int(max_number)


def api_token(workspace_slug: str) -> str:
    from cxops.core.models import Membership
    from cxops.core.services import api_token_create

    membership = Membership.objects.filter(workspace__slug=workspace_slug, role="admin").select_related("user").first()
    assert membership is not None
    _token, raw = api_token_create(user=membership.user, name="bench")
    return raw


def refresh_statistics() -> None:
    """Start from fresh planner statistics, as autovacuum would give a live system: earlier board
    runs add thousands of tickets the statistics have not seen yet."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("tickets_ticket", "tickets_ticketsearchdoc", "tickets_message", "tickets_customer"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def machine_speed_ms() -> float:
    """A fixed pure-Python workload (best of 5): this shared VM's speed varies by half from hour to hour,
    so every result is printed beside it: compare runs by it."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i % 7
        best = min(best, time.perf_counter() - started)
    return round(1000 * best, 2)


def ticket_count(slug: str) -> int:
    from cxops.tickets.models import Ticket

    return Ticket.objects.filter(workspace__slug=slug).count()


def run_wrk(base: str, paths: list[str], *, seconds: int, connections: int, threads: int, headers: list[str],
            method: str = "GET", bodies: list[str] | None = None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path_file = Path(tmp) / "paths.txt"
        path_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
        env = {**os.environ, "WRK_PATHS": str(path_file), "WRK_METHOD": method, "WRK_THREADS": str(threads)}
        if bodies is not None:
            body_file = Path(tmp) / "bodies.txt"
            body_file.write_text("\n".join(bodies) + "\n", encoding="utf-8")
            env["WRK_BODIES"] = str(body_file)
        cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
               "-s", str(ROOT / "bench" / "wrk_paths.lua")]
        for header in headers:
            cmd += ["-H", header]
        cmd.append(base)
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = [ln for ln in out.splitlines() if ln.startswith("{")][-1]
    return json.loads(line)


def board_bodies(base: str, slug: str, count: int) -> tuple[list[str], list[str]]:
    """Valid board submissions, each with its own signed form stamp (a re-sent stamp is treated as
    a double click and creates nothing), issued well past the minimum fill time. One CSRF cookie
    and token pair is fetched from the real form and reused."""
    from cxops.core.models import Workspace
    from cxops.portal import antispam

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/p/{slug}/inquiry/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    category = re.search(r'<option value="(\d+)"', html)
    csrf_cookie = next((c.value for c in jar if c.name == "csrftoken"), "")
    if not token or not csrf_cookie:
        raise SystemExit("could not read the CSRF token of the board form")
    workspace = Workspace.objects.get(slug=slug)
    issued = time.time() - 60
    bodies = []
    for i in range(count):
        fields = {
            "csrfmiddlewaretoken": token.group(1), "name": "벤치고객", "phone": f"010-5{i % 1000:03d}-{i % 10000:04d}",
            "email": "", "order_number": f"20261123-{i:07d}", "subject": "배송 문의 드립니다",
            "body": "지난주에 주문한 상품이 아직 도착하지 않았어요. 언제 받을 수 있나요?", "consent": "on",
            "homepage": "", "started": antispam.issue_stamp(workspace_id=workspace.pk, issued_at=issued),
        }
        if category:
            fields["category"] = category.group(1)
        bodies.append(urllib.parse.urlencode(fields))
    headers = ["Content-Type: application/x-www-form-urlencoded", f"Cookie: csrftoken={csrf_cookie}",
               f"Referer: {base}/p/{slug}/inquiry/", f"Origin: {base}"]
    return bodies, headers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspace", default="bench")
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4, help="concurrency for the latency scenarios")
    parser.add_argument("--board-connections", type=int, default=16)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", default="", help="comma-separated scenarios (default: all)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")

    session_key, max_number = agent_session(args.workspace)
    refresh_statistics()
    token = api_token(args.workspace)
    data_dir = Path(tempfile.mkdtemp(prefix="cxops-bench-"))
    env = {**os.environ, "CXOPS_DATA_DIR": str(data_dir), "CXOPS_RATE_LIMITS_ENABLED": "0",
           "CXOPS_DEBUG": "0", "CXOPS_LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([
        sys.executable, "-m", "gunicorn", "cxops.config.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
        "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread",
        "--access-logfile", "/dev/null", "--log-level", "warning",
    ], env=env)
    results: dict[str, object] = {"workers": args.workers, "threads": args.threads, "connections": args.connections,
                                  "machine_speed_ms_before": machine_speed_ms()}
    print("machine speed probe", results["machine_speed_ms_before"], "ms", flush=True)
    try:
        wait_for(f"{base}/login/")
        rng = random.Random(1)
        cookie = [f"Cookie: sessionid={session_key}"]
        slug = args.workspace
        sorts = ["-updated_at", "-created_at", "-priority", "updated_at"]
        filters = ["status=new,open", "status=pending", "view=mine", "view=unassigned", "status=open&priority=high",
                   "channel=board&status=open", "view=open", "view=solved"]
        inbox = [f"/w/{slug}/inbox/?{rng.choice(filters)}&sort={rng.choice(sorts)}" for _ in range(200)]
        tickets = [f"/w/{slug}/tickets/{rng.randint(1001, max_number)}/" for _ in range(2000)]
        search = [f"/w/{slug}/inbox/?q={urllib.parse.quote(rng.choice(QUERIES))}" for _ in range(200)]
        api = [f"/api/v1/workspaces/{slug}/tickets?{rng.choice(filters).replace('view=', 'view=')}&limit=50"
               for _ in range(200)]
        # Warm every worker (Kiwi loads once per process, about a second).
        run_wrk(base, search[:20], seconds=5, connections=args.workers * 2, threads=2, headers=cookie)
        scenarios = [
            ("inbox", inbox, cookie), ("ticket_page", tickets, cookie), ("search", search, cookie),
            ("api_list", api, [f"Authorization: Bearer {token}"]),
        ]
        wanted = set(filter(None, args.only.split(",")))
        for name, paths, headers in scenarios:
            if wanted and name not in wanted:
                continue
            results[name] = run_wrk(base, paths, seconds=args.seconds, connections=args.connections,
                                    threads=min(2, args.connections),
                                    headers=headers)
            print(name, results[name], flush=True)
        if not wanted or "board_submit" in wanted:
            bodies, headers = board_bodies(base, slug, 400 * (args.seconds + 5))
            # Warm the submission path of every worker (compiled SLA, routing and complaint-detection
            # setups load on a worker's first ticket); those tickets are not counted.
            run_wrk(base, [f"/p/{slug}/inquiry/"], seconds=5, connections=args.board_connections, threads=2,
                    headers=headers, method="POST", bodies=bodies[400 * args.seconds:])
            bodies = bodies[:400 * args.seconds]
            before = ticket_count(slug)
            results["board_submit"] = run_wrk(base, [f"/p/{slug}/inquiry/"], seconds=args.seconds,
                                              connections=args.board_connections, threads=2, headers=headers,
                                              method="POST", bodies=bodies)
            # A form shown again with errors is a 200, so count what was really created.
            results["board_submit"]["tickets_created"] = ticket_count(slug) - before  # type: ignore[index]
            print("board_submit", results["board_submit"], flush=True)
        results["machine_speed_ms_after"] = machine_speed_ms()
        print("machine speed probe", results["machine_speed_ms_after"], "ms", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
