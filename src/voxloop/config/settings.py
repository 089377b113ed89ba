"""Django settings: twelve-factor, every value from the environment with a safe default."""

from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

from voxloop.config.env import (
    env_bool,
    env_float,
    env_list,
    env_networks,
    env_str,
    private_file,
    secret_key,
    voxloop_home,
)

# Lets classes be written as their typed generics (`admin.ModelAdmin[Survey]`) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VOXLOOP_HOME = voxloop_home()

SECRET_KEY = secret_key(VOXLOOP_HOME)
DEBUG = env_bool("VOXLOOP_DEBUG", False)
ALLOWED_HOSTS = env_list("VOXLOOP_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("VOXLOOP_CSRF_TRUSTED_ORIGINS", "")
BASE_URL = env_str("VOXLOOP_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "voxloop.tenancy",
    "voxloop.accounts",
    "voxloop.identity",
    "voxloop.contacts",
    "voxloop.surveys",
    "voxloop.responses",
    "voxloop.schedule",
    "voxloop.closedloop",
    "voxloop.analytics",
    "voxloop.textanalytics",
    "voxloop.distribution",
    "voxloop.privacy",
    "voxloop.webhooks",
    "voxloop.reviews",
    "voxloop.ideas",
    "voxloop.feedback360",
    "voxloop.pulse",
    "voxloop.health",
    "voxloop.crm",
    "voxloop.journeys",
    "voxloop.exports",
    "voxloop.api",
    "voxloop.web",
]

MIDDLEWARE = [
    # First: it sees every answer last, with the headers the others set (voxloop.web.headers).
    "voxloop.web.headers.SecurityHeadersMiddleware",
    # A database or Redis outage answers 503 with Retry-After (docs/operations.md, Failures).
    "voxloop.web.unavailable.UnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "voxloop.tenancy.middleware.ActiveMembershipMiddleware",
    # After it: SSO sessions enter their organisation only; SSO-required and two-factor.
    "voxloop.identity.middleware.SignInRulesMiddleware",
]

ROOT_URLCONF = "voxloop.config.urls"
WSGI_APPLICATION = "voxloop.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "voxloop.web.context.shell",
                "voxloop.web.headers.nonce",
            ],
        },
    },
]

# --- Database: SQLite in VOXLOOP_HOME unless DATABASE_URL says otherwise -----------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VOXLOOP_HOME / 'voxloop.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Created owner-only before SQLite opens it; its -wal and -shm files take its mode.
    if not env_str("DATABASE_URL"):
        private_file(VOXLOOP_HOME / "voxloop.sqlite3")
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the server and the worker read while one of them writes; IMMEDIATE
        # transactions take the write lock up front so concurrent writers queue, not fail.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000; PRAGMA mmap_size=268435456;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # No JIT: the dashboards' reads are index ranges of a few thousand rows whose row
    # estimates (correlated columns) can exceed JIT's cost threshold, and compiling then
    # costs 50-200 ms for a query that runs in 2 (decision 0027).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work: database queue by default, RQ on Redis when REDIS_URL is set -------
REDIS_URL = env_str("REDIS_URL")
# Work with a latency goal (detractor alerts, p99 <= 2 s) goes to a queue of its own on RQ,
# which has no priorities: every worker takes from it before "default" (decision 0054).
URGENT_QUEUE = "urgent"
if REDIS_URL:
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": [URGENT_QUEUE, "default"],
        }
    }
    # The order is the workers' order: `voxloop worker` listens to these, urgent first.
    RQ_QUEUES = {
        URGENT_QUEUE: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600},
        "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600},
    }
    INSTALLED_APPS.append("django_rq")
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# RQ forks a work horse per job unless this names another class: "rq.worker.SimpleWorker"
# runs jobs in the worker process itself, which on a busy host drains several times faster
# (docs/operations.md, Sizing); a job that crashes the interpreter then takes the worker down.
RQ_WORKER_CLASS = env_str("VOXLOOP_RQ_WORKER_CLASS")
# The database worker's poll when idle, and how often each worker's clock looks for periodic
# tasks that are due (escalations, digests, reminders): at most this, and at least twice per
# the shortest period (the alerts' and counting's sweeps, 10-15 s).
WORKER_POLL_SECONDS = env_float("VOXLOOP_WORKER_POLL_SECONDS", 0.2)
CLOCK_TICK_SECONDS = env_float("VOXLOOP_CLOCK_TICK_SECONDS", 10.0)
# How long a web process gathers submitted responses before handing their counting for the
# dashboards to a worker in one task (0: one task per response).
ANALYTICS_COUNT_DELAY_SECONDS = env_float("VOXLOOP_ANALYTICS_COUNT_DELAY", 1.0)
# Alert evaluations gathered per process and organisation, one job per hand-over
# (decision 0049): a fraction of a second, the alert's latency goal is 2 s at p99.
ALERT_EVALUATION_DELAY_SECONDS = env_float("VOXLOOP_ALERT_EVALUATION_DELAY", 0.25)
# Text analytics: how long a web process gathers submitted comments before handing them to a
# worker; whether comments are embedded in the background (for grouping and emerging
# themes); the function that masks personal data before analysis (text, language → text).
TEXT_ANALYSE_DELAY_SECONDS = env_float("VOXLOOP_TEXT_ANALYSE_DELAY", 1.0)
# How long a web process gathers the contacts whose health an event changed (an answer, a
# case) before handing them to a worker in one task.
HEALTH_RESCORE_DELAY_SECONDS = env_float("VOXLOOP_HEALTH_RESCORE_DELAY", 5.0)
TEXT_EMBEDDINGS = env_bool("VOXLOOP_TEXT_EMBEDDINGS", True)
TEXT_PII_MASKER = env_str(
    "VOXLOOP_TEXT_PII_MASKER", "voxloop.textanalytics.engine.pii.mask_personal"
)
TEXT_ANALYZE_RATE = env_str("VOXLOOP_TEXT_ANALYZE_RATE", "60/min")
# The API (decision 0028): requests per credential per window ("count/seconds"), and whether
# updates and deletes of objects that can be read must send If-Match (else 428).
API_RATE_LIMIT = env_str("VOXLOOP_API_RATE_LIMIT", "1200/60")
API_REQUIRE_IF_MATCH = env_bool("VOXLOOP_API_REQUIRE_IF_MATCH", False)
if env_str("VOXLOOP_TASKS") == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Cache (login rate limits): Redis when available, else a table in the database -------
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "voxloop",
        }
    }
else:
    # Django culls a third of the rows (whatever their expiry) past MAX_ENTRIES, 300 by
    # default: a burst of reset requests or respondent visits would wipe open sign-in locks.
    # Expired rows go first; the cap is only a guard against the table growing without end.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "voxloop_cache",
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }

# --- Accounts and security --------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
HTTPS = env_bool("VOXLOOP_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads a cookie (the API docs page takes its CSRF token from the page).
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("VOXLOOP_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUST_X_FORWARDED_FOR = env_bool("VOXLOOP_TRUST_X_FORWARDED_FOR", False)
LOGIN_RATE_LIMIT = int(env_str("VOXLOOP_LOGIN_RATE_LIMIT", "5"))
LOGIN_RATE_WINDOW_SECONDS = int(env_str("VOXLOOP_LOGIN_RATE_WINDOW", "900"))
# How long a process trusts a bearer token, a unit code or a survey's owner and revision it has
# just read on the capture path (voxloop.recent; decisions 0004 and 0011).
RECENT_SECONDS = env_float("VOXLOOP_RECENT_SECONDS", 5.0)
# The longest an API token may live, in days; older tokens stop working (decision 0014).
TOKEN_MAX_DAYS = max(1, int(env_float("VOXLOOP_TOKEN_MAX_DAYS", 365)))
# Requests to URLs users type in (alert webhooks, later connectors) go to public addresses
# only (voxloop.outbound); these networks (CIDR, comma separated) are allowed besides, for
# receivers on the operator's own network. VOXLOOP_WEBHOOK_ALLOW_PRIVATE=true, the older
# switch, allows the private IPv4 ranges and loopback (never link-local, where cloud metadata
# lives).
OUTBOUND_ALLOWED_NETWORKS = env_networks("VOXLOOP_OUTBOUND_ALLOWED_NETWORKS")
if env_bool("VOXLOOP_WEBHOOK_ALLOW_PRIVATE", False):
    OUTBOUND_ALLOWED_NETWORKS += ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    OUTBOUND_ALLOWED_NETWORKS += ["127.0.0.0/8", "::1/128"]

# Connectors' credentials (review sites, CRMs, identity providers) are encrypted at rest with
# these Fernet keys (comma separated, newest first; older ones still decrypt during a
# rotation). Unset: a key derived from SECRET_KEY, so losing the secret key loses the
# credentials (decision 0031). The older name still works.
CREDENTIAL_KEYS = env_list("VOXLOOP_CREDENTIAL_KEYS", "") or env_list(
    "VOXLOOP_REVIEW_CREDENTIAL_KEYS", ""
)

# --- Email: SMTP when EMAIL_HOST is set, else files in VOXLOOP_HOME/mail for development --
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = int(env_str("EMAIL_TIMEOUT", "15"))
else:
    # Development mail (reset links among it) is written owner-only (0700 folder, 0600 files).
    EMAIL_BACKEND = "voxloop.config.mail.PrivateFileBackend"
    EMAIL_FILE_PATH = str(VOXLOOP_HOME / "mail")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", EMAIL_BACKEND)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Voxloop <noreply@voxloop.localhost>")

# --- Anonymous surveys: the key of the one-way keys that stop one person answering twice in a
# month without tying the answer to them (decision 0016). Unset: derived from SECRET_KEY. ---
ANONYMITY_KEY = env_str("VOXLOOP_ANONYMITY_KEY")

# --- Outreach (distribution): tracking webhook secret ("user:password", anymail's basic
# auth), SMS provider ("file" writes VOXLOOP_HOME/sms.log; "http" posts to SMS_HTTP_URL) ---
TRACKING_WEBHOOK_SECRET = env_str("VOXLOOP_TRACKING_WEBHOOK_SECRET")
SMS_PROVIDER = env_str("VOXLOOP_SMS_PROVIDER", "file")
SMS_HTTP_URL = env_str("VOXLOOP_SMS_HTTP_URL")
SMS_HTTP_TOKEN = env_str("VOXLOOP_SMS_HTTP_TOKEN")
SMS_SENDER = env_str("VOXLOOP_SMS_SENDER", "Voxloop")
SMS_FILE_PATH = env_str("VOXLOOP_SMS_FILE_PATH")
# How long a send batch may hold its claimed invitations before the recovery sweep takes back
# those it never handed to a server (decision 0008).
INVITATION_CLAIM_LEASE_SECONDS = int(env_float("VOXLOOP_INVITATION_CLAIM_LEASE_SECONDS", 600))
# How many smaller batches a send batch is split into, sent side by side in threads of the
# worker (PostgreSQL only; each keeps its own claim, decision 0052). 1 sends one at a time.
INVITATION_SEND_LANES = int(env_float("VOXLOOP_INVITATION_SEND_LANES", 4))
# Invitation emails filled in from a skeleton checked against Django's build (decision 0063);
# false sends every message through Django's build (a way back, and bench/send.py's baseline).
INVITATION_PREPARED_EMAILS = env_bool("VOXLOOP_INVITATION_PREPARED_EMAILS", True)
# How often the clock runs that sweep (distribution.recover_claims).
INVITATION_RECOVER_SECONDS = int(env_float("VOXLOOP_INVITATION_RECOVER_SECONDS", 300))

# --- Background exports (voxloop.exports): written under VOXLOOP_HOME, kept this long ----
# With several hosts, point VOXLOOP_EXPORTS_ROOT at a folder every web and worker host mounts
# (NFS), or keep the files in S3-compatible storage (django-storages, the `s3` extra): set
# VOXLOOP_EXPORTS_BUCKET (and AWS_S3_ENDPOINT_URL for MinIO, Ceph, ...; credentials from the
# usual AWS_* variables or the instance's role).
EXPORTS_ROOT = Path(env_str("VOXLOOP_EXPORTS_ROOT") or VOXLOOP_HOME / "exports")
EXPORT_KEEP_HOURS = env_float("VOXLOOP_EXPORT_KEEP_HOURS", 24.0)

# --- Internationalisation: English first; Chinese (Simplified, Traditional), Japanese,
# Romanian follow. zh_Hant catalogues are drafted from zh_Hans (`bin/messages --fill-hant`). ---
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("ja", "日本語"),
    ("ro", "Română"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("VOXLOOP_TIME_ZONE", "UTC")
USE_TZ = True

# --- Static files, served by WhiteNoise -------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VOXLOOP_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploads (contact imports) are the owner's only, like everything in VOXLOOP_HOME.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700  # WhiteNoise serves from finders until collectstatic runs
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VOXLOOP_HOME / "media")},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
if env_str("VOXLOOP_EXPORTS_BUCKET"):
    STORAGES["exports"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("VOXLOOP_EXPORTS_BUCKET"),
            "location": env_str("VOXLOOP_EXPORTS_PREFIX", "exports"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Time and source on every line: a cluster's logs are read side by side after a fault.
    "formatters": {"stamped": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "stamped"}},
    "root": {"handlers": ["console"], "level": env_str("VOXLOOP_LOG_LEVEL", "WARNING")},
}
