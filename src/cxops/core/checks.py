"""`cxops check`: configuration problems explained in plain words."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def run_checks(*, deploy: bool = False) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    try:
        connection.ensure_connection()
    except Exception as exc:  # any driver error means the same thing to an operator
        problems.append(("error", f"데이터베이스에 연결할 수 없습니다 (DATABASE_URL={_redact(settings.DATABASE_URL)}): {exc}"))
    else:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            problems.append(("error", f"적용되지 않은 마이그레이션이 {len(pending)}개 있습니다: `cxops migrate`를 실행하세요."))
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
        except Exception as exc:
            problems.append(("error", f"Redis에 연결할 수 없습니다 (REDIS_URL={_redact(settings.REDIS_URL)}): {exc}"))
    try:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        probe = settings.DATA_DIR / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        problems.append(("error", f"데이터 폴더에 쓸 수 없습니다 ({settings.DATA_DIR}): {exc}"))
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(settings.TIME_ZONE)
    except ZoneInfoNotFoundError:
        problems.append(("error", f"TIME_ZONE 값이 올바른 시간대가 아닙니다: {settings.TIME_ZONE} (예: Asia/Seoul)"))
    if deploy or not settings.DEBUG:
        if settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY:
            problems.append(("warning" if not deploy else "error",
                             "SECRET_KEY가 기본값입니다. 운영 환경에서는 긴 임의 문자열로 설정하세요."))
        if deploy and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            problems.append(("warning", "SQLite는 한 대의 서버용입니다. 여러 웹 프로세스로 확장하려면 DATABASE_URL에 "
                                        "PostgreSQL을 지정하세요."))
        if deploy and not settings.REDIS_URL:
            problems.append(("warning", "REDIS_URL이 없어 작업 큐가 SQLite 파일을 씁니다. 여러 서버에서 작업 소비자를 "
                                        "돌리려면 Redis를 지정하세요."))
        if deploy and not settings.SESSION_COOKIE_SECURE:
            problems.append(("warning", "HTTPS 뒤에서 운영한다면 CXOPS_SECURE_COOKIES=1 로 쿠키를 보호하세요."))
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(("warning", "ALLOWED_HOSTS에 '*'가 있습니다. 실제 도메인만 허용하세요."))
    return problems


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
