"""The `cxops` command.

Each domain package adds its own subcommands through a `cli.register(subparsers)` function so
this file stays a thin dispatcher. Handlers import Django models only after setup.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

Handler = Callable[[argparse.Namespace], int]

DOMAIN_CLIS = ["cxops.tickets.cli", "cxops.demo.cli", "cxops.workforce.cli", "cxops.kits.allbaro.cli",
               "cxops.collaboration.cli", "cxops.sla.cli", "cxops.knowledge.cli",
               "cxops.insights.cli", "cxops.mail.cli", "cxops.assignment.cli",
               "cxops.complaints.cli"]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")
    import django

    django.setup()


def print_json(data: Any) -> None:
    from django.core.serializers.json import DjangoJSONEncoder

    sys.stdout.write(json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder, indent=None) + "\n")


def fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"cxops: {message}\n")
    return code


# --- core subcommands ---------------------------------------------------------------------------

def cmd_migrate(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print("migrations applied:", settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1])
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from cxops.core.checks import run_checks

    problems = run_checks(deploy=args.deploy)
    for level, text in problems:
        print(f"[{level}] {text}")
    if not problems:
        print("설정에 문제가 없습니다. (configuration OK)")
    return 1 if any(level == "error" for level, _ in problems) else 0


def cmd_workspace_create(args: argparse.Namespace) -> int:
    from cxops.core.services import workspace_create

    workspace, created = workspace_create(slug=args.slug, name=args.name)
    print_json({"slug": workspace.slug, "name": workspace.name, "id": workspace.pk, "created": created})
    return 0


def cmd_workspace_list(args: argparse.Namespace) -> int:
    from cxops.core.models import Workspace

    print_json([{"slug": w.slug, "name": w.name, "id": w.pk} for w in Workspace.objects.order_by("slug")])
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from cxops.core.models import User, Workspace
    from cxops.core.services import membership_set, user_create

    user = User.objects.filter(email=args.email.lower()).first()
    if user is None:
        user = user_create(email=args.email, password=args.password, display_name=args.name or "")
        if args.superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
    elif args.password:
        user.set_password(args.password)
        user.save(update_fields=["password"])
    if args.workspace:
        workspace = Workspace.objects.filter(slug=args.workspace).first()
        if workspace is None:
            return fail(f"워크스페이스를 찾을 수 없습니다: {args.workspace}")
        membership_set(workspace=workspace, user=user, role=args.role, actor=None)
    print_json({"id": user.pk, "email": user.email})
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from cxops.core.models import User
    from cxops.core.services import api_token_create

    user = User.objects.filter(email=args.email.lower()).first()
    if user is None:
        return fail(f"사용자를 찾을 수 없습니다: {args.email}")
    _token, raw = api_token_create(user=user, name=args.name)
    print_json({"token": raw, "name": args.name})
    return 0


def _consumer_command() -> list[str]:
    return [sys.executable, "-m", "cxops.cli", "jobs", "worker"]


def cmd_jobs_worker(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.utils.module_loading import autodiscover_modules

    # Our job modules are named jobs.py (Huey's default discovery looks for tasks.py).
    autodiscover_modules("jobs")
    options: dict[str, Any] = {}
    if args.workers:
        options["workers"] = args.workers
    call_command("run_huey", **options)
    return 0


def cmd_jobs_probe(args: argparse.Namespace) -> int:
    from cxops.core.jobs import probe

    token = f"probe-{time.time_ns()}"
    result = probe(token)
    value = result.get(blocking=True, timeout=args.timeout) if hasattr(result, "get") else result
    print_json({"enqueued_by": os.getpid(), **value})
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Web server (gunicorn, several workers) plus a job consumer, stopped together."""
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    env = dict(os.environ)
    children: list[subprocess.Popen[bytes]] = []
    if not args.no_worker:
        children.append(subprocess.Popen(_consumer_command(), env=env))
    bind = f"{args.host}:{args.port}"
    children.append(subprocess.Popen([
        sys.executable, "-m", "gunicorn", "cxops.config.wsgi:application", "--bind", bind,
        "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread",
        "--access-logfile", "-" if args.access_log else "/dev/null", "--timeout", "60", "--graceful-timeout", "10",
    ], env=env))
    print(f"CXOps is running at http://{bind}/  (Ctrl+C to stop)", flush=True)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxops", description="CXOps customer-service operations")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("--verbose", action="store_true")
    p.set_defaults(handler=cmd_migrate)

    p = sub.add_parser("check", help="report misconfiguration in plain words")
    p.add_argument("--deploy", action="store_true", help="also apply production checks")
    p.set_defaults(handler=cmd_check)

    ws = sub.add_parser("workspace", help="workspaces").add_subparsers(dest="action", required=True)
    p = ws.add_parser("create", help="create a workspace (idempotent)")
    p.add_argument("--slug", required=True)
    p.add_argument("--name", required=True)
    p.set_defaults(handler=cmd_workspace_create)
    p = ws.add_parser("list")
    p.set_defaults(handler=cmd_workspace_list)

    users = sub.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    p = users.add_parser("create", help="create a user (idempotent) and optionally add to a workspace")
    p.add_argument("--email", required=True)
    p.add_argument("--password")
    p.add_argument("--name")
    p.add_argument("--workspace")
    p.add_argument("--role", default="agent",
                   choices=["agent", "lead", "manager", "admin", "client_viewer"])
    p.add_argument("--superuser", action="store_true")
    p.set_defaults(handler=cmd_user_create)

    tokens = sub.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    p = tokens.add_parser("create", help="create a personal API token (printed once)")
    p.add_argument("--email", required=True)
    p.add_argument("--name", default="cli")
    p.set_defaults(handler=cmd_token_create)

    jobs = sub.add_parser("jobs", help="background jobs").add_subparsers(dest="action", required=True)
    p = jobs.add_parser("worker", help="run a job consumer")
    p.add_argument("--workers", type=int, default=0)
    p.set_defaults(handler=cmd_jobs_worker)
    p = jobs.add_parser("probe", help="enqueue a probe job and wait for a consumer to run it")
    p.add_argument("--timeout", type=float, default=30)
    p.set_defaults(handler=cmd_jobs_probe)

    p = sub.add_parser("serve", help="run the web server and a job consumer")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--no-worker", action="store_true", help="do not start a job consumer")
    p.add_argument("--access-log", action="store_true")
    p.set_defaults(handler=cmd_serve)

    for module_name in DOMAIN_CLIS:
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_django()
    from cxops.core.services import ServiceError

    try:
        return int(args.handler(args) or 0)
    except ServiceError as exc:
        return fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
