"""CXOps settings, read from the environment with embedded defaults.

Defaults give a single-machine installation: a SQLite file, local media, a SQLite-backed Huey
queue and a file cache under CXOPS_DATA_DIR. Setting DATABASE_URL / REDIS_URL switches to the
scale-out shape (PostgreSQL, Redis-backed jobs and cache shared by several web processes).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import dj_database_url

from cxops.config.env import env_bool, env_int, env_list

SRC_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CXOPS_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("CXOPS_DEBUG", False)
TESTING = env_bool("CXOPS_TESTING", False)
# The insecure default exists so that `make demo` works out of the box; `cxops check` refuses it
# whenever DEBUG is off and the process is not a demo.
DEFAULT_SECRET_KEY = "cxops-insecure-demo-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("CXOPS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "cxops.core",
    "cxops.tickets",
    "cxops.portal",
    "cxops.demo",
    "cxops.web",
    "cxops.kits.allbaro",
    "cxops.sla",
    "cxops.collaboration",
    "cxops.knowledge",
    "cxops.insights",
    "cxops.mail",
    "cxops.workforce",
    "cxops.assignment",
    "cxops.notifications",
    "cxops.complaints",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cxops.core.middleware.RequestContextMiddleware",
]
CXOPS_TRUST_X_FORWARDED_FOR = env_bool("CXOPS_TRUST_X_FORWARDED_FOR", False)
# Dotted path of the sentence-embedding class (cxops.core.embeddings); empty = the bundled e5 model.
CXOPS_EMBEDDER = os.environ.get("CXOPS_EMBEDDER", "")

ROOT_URLCONF = "cxops.config.urls"
WSGI_APPLICATION = "cxops.config.wsgi.application"
ASGI_APPLICATION = "cxops.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "cxops.web.context_processors.cxops",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "cxops.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CXOPS_DB_CONN_MAX_AGE", 60)))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the job consumer share the file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("CXOPS_TEST_DB_NAME") or None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- Cache, sessions, jobs ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # A file cache is shared by every process on the machine (rate limits, presence).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

HUEY_IMMEDIATE = env_bool("CXOPS_JOBS_IMMEDIATE", TESTING)
if REDIS_URL:
    HUEY: dict[str, Any] = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": os.environ.get("CXOPS_QUEUE_NAME", "cxops"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("CXOPS_JOB_WORKERS", 4), "worker_type": "thread"},
    }
else:
    # Huey opens its SQLite file when Django starts, so the data folder must exist by then.
    with contextlib.suppress(OSError):  # `cxops check` explains an unwritable data folder
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "cxops",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("CXOPS_JOB_WORKERS", 2), "worker_type": "thread"},
    }

# --- Auth and security ----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("CXOPS_SESSION_AGE_S", 12 * 3600)
SESSION_COOKIE_SECURE = env_bool("CXOPS_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SESSION_COOKIE_SECURE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]
)

# Public endpoints: "count/seconds" per client IP. Operators raise them behind a trusted proxy.
RATE_LIMITS = {
    "board_submit": os.environ.get("CXOPS_RATE_BOARD", "10/600"),
    "portal_reply": os.environ.get("CXOPS_RATE_PORTAL", "30/600"),
    "login": os.environ.get("CXOPS_RATE_LOGIN", "20/300"),
    "public_api": os.environ.get("CXOPS_RATE_PUBLIC_API", "120/60"),
}
RATE_LIMITS_ENABLED = env_bool("CXOPS_RATE_LIMITS_ENABLED", True)

# --- Files ----------------------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("CXOPS_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(os.environ.get("CXOPS_STATIC_ROOT", DATA_DIR / "static"))
STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
ATTACHMENT_MAX_BYTES = env_int("CXOPS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_COUNT = env_int("CXOPS_ATTACHMENT_MAX_COUNT", 5)
ATTACHMENT_ALLOWED_TYPES = env_list(
    "CXOPS_ATTACHMENT_TYPES",
    [
        "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel", "application/zip", "application/x-hwp", "application/haansofthwp",
    ],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "CXOPS_EMAIL_BACKEND",
    "django.core.mail.backends.locmem.EmailBackend" if TESTING else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("SMTP_HOST", "localhost")
EMAIL_PORT = env_int("SMTP_PORT", 25)
EMAIL_HOST_USER = os.environ.get("SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SMTP_STARTTLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("CXOPS_FROM_EMAIL", "CXOps <no-reply@localhost>")
# Email channel (cxops.mail): a larger mail goes to the quarantine; so does deeper MIME nesting.
CXOPS_MAIL_MAX_BYTES = env_int("CXOPS_MAIL_MAX_BYTES", 25 * 1024 * 1024)
CXOPS_MAIL_MAX_DEPTH = env_int("CXOPS_MAIL_MAX_DEPTH", 20)

# --- Locale ---------------------------------------------------------------------------------
# LANGUAGE may hold a POSIX list such as "en_US:en"; its first entry decides, Korean otherwise.
LANGUAGE_CODE = os.environ.get("LANGUAGE", "ko").split(":")[0].split(".")[0].split("_")[0].lower()
if LANGUAGE_CODE not in ("ko", "en"):
    LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CXOPS_LOG_LEVEL", "INFO")},
    "loggers": {"huey": {"level": "WARNING"}, "django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
