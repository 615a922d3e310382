"""AgentHub settings, read from the environment (12-factor, django-environ).

DJANGO_ENV selects defaults: ``development`` (the embedded default: SQLite, local-memory cache,
Celery tasks in-process), ``test`` and ``production`` (strict: SECRET_KEY required, secure
cookies, HSTS...). Every value below can be overridden by its environment variable; the README
lists them with their defaults.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}"
    )
IS_PRODUCTION = DJANGO_ENV == "production"

# --- core -----------------------------------------------------------------------------------
if IS_PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing or shorter than 50 characters. In production set it to a "
            'long random value, e.g. python -c "import secrets; print(secrets.token_urlsafe(64))"'
        )
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="dev-insecure-key-do-not-use-in-production-" + "x" * 20
    )

# Fernet keys (newest first) that encrypt secrets stored in the database (provider API keys);
# see apps/core/crypto.py and README "Provider secrets". Production refuses to start without them.
SECRETS_ENCRYPTION_KEYS = env.list("SECRETS_ENCRYPTION_KEYS", default=[])
if not SECRETS_ENCRYPTION_KEYS:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRETS_ENCRYPTION_KEYS is missing. In production set it to one or more Fernet keys "
            "(newest first), e.g. from: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        )
    # Development and tests only: one key derived from the (embedded) SECRET_KEY.
    SECRETS_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(f"agenthub-secrets:{SECRET_KEY}".encode()).digest()
        ).decode()
    ]
for _key in SECRETS_ENCRYPTION_KEYS:
    try:
        _valid_key = len(base64.urlsafe_b64decode(_key.strip().encode())) == 32
    except ValueError:
        _valid_key = False
    if not _valid_key:  # never echo the value
        raise ImproperlyConfigured(
            "SECRETS_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        )

DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django_prometheus",
    "apps.console.apps.ConsoleAdminConfig",  # django.contrib.admin with the console's site
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    # AgentHub, in dependency order: each app may import only from the apps above it.
    "apps.core",
    "apps.tenants",
    "apps.security",
    "apps.providers",
    "apps.gateway",
    "apps.flows",
    "apps.agents",
    "apps.console.apps.ConsoleConfig",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "apps.core.middleware.RequestIdMiddleware",
    "apps.core.middleware.TracingMiddleware",
    "apps.core.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "apps.core.middleware.ApiErrorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "agenthub.urls"
WSGI_APPLICATION = "agenthub.wsgi.application"
ASGI_APPLICATION = "agenthub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- data -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# While PostgreSQL is down, requests that need it answer 503 service_unavailable with this
# Retry-After (seconds). A refused connection fails at once; DB_CONNECT_TIMEOUT bounds a
# connection attempt that hangs (libpq/psycopg round values under 2 up to 2 seconds).
DB_UNAVAILABLE_RETRY_AFTER = env.int("DB_UNAVAILABLE_RETRY_AFTER", default=2)
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and a worker read while one of them writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = DB_CONNECT_TIMEOUT
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_POOL", default=DJANGO_ENV != "test"
):
    # gunicorn runs hundreds of threads per process (slow LLM calls); without a pool each would
    # keep its own PostgreSQL connection. The pool caps connections per process instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # required with a pool: connections go back to it
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=16),
        # How long a request waits for a pooled connection: while PostgreSQL is down the pool
        # cannot open one, so this bounds how fast the 503 comes (and sheds load when busy).
        "timeout": env.float("DB_POOL_TIMEOUT", default=0.5),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer must fail fast (libpq's minimum is 2 s); the gateway path
    # bounds its own waits further (GATEWAY_DB_DEADLINE).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=2)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite cannot enforce "NULLs not distinct" unique constraints (PostgreSQL does); on the
# embedded default the services' get-or-update logic is the only guard, which is enough there.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

REDIS_URL = env.str("REDIS_URL", default="")
# Socket timeouts (seconds) of the platform's Redis clients, by purpose (apps/core/redis.py):
# the request path (rate limits, live-config versions) and the breaker store must fail fast, the
# audit spool may wait for a slow Redis rather than lose a record to the log.
REDIS_TIMEOUTS = {
    "default": env.float("REDIS_TIMEOUT", default=0.25),
    "breaker": env.float("REDIS_BREAKER_TIMEOUT", default=0.2),
    "spool": env.float("REDIS_SPOOL_TIMEOUT", default=2.0),
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="agenthub"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
# The embedded default has no broker: tasks run in-process, synchronously.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- async jobs: delivery guarantees (see apps/flows/job_dispatch.py) ------------------------
# The longest job: an agent run may take up to 600 s (Agent.timeout_seconds); past this hard
# limit the task is killed and the job fails.
JOB_TIME_LIMIT_SECONDS = env.int("JOB_TIME_LIMIT_SECONDS", default=900)
CELERY_TASK_TIME_LIMIT = JOB_TIME_LIMIT_SECONDS
CELERY_TASK_SOFT_TIME_LIMIT = max(JOB_TIME_LIMIT_SECONDS - 30, 1)
# acks_late: the message is acknowledged when the task ends, so a worker that dies mid-task
# leaves it to be delivered again; a pool process that dies puts it back at once.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis redelivers an unacknowledged message after the visibility timeout, so it must exceed
# the longest job (else a running job is delivered a second time). Dead workers' jobs do not
# wait for it: the reaper re-queues them after JOB_STALE_AFTER_SECONDS.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("JOB_VISIBILITY_TIMEOUT", default=JOB_TIME_LIMIT_SECONDS + 300),
    # A broker that does not answer fails a publish fast (one connection attempt, not kombu's
    # retries over seconds): the outbox retries it. Workers reconnect on their own schedule.
    "socket_connect_timeout": env.float("BROKER_CONNECT_TIMEOUT", default=1.0),
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("BROKER_CONNECT_TIMEOUT", default=1.0)
# A running job's worker writes its heartbeat this often; the reaper re-queues a job whose
# heartbeat is older than JOB_STALE_AFTER_SECONDS (its worker died), at most
# JOB_MAX_ATTEMPTS times, and re-dispatches a queued job not claimed within
# JOB_REDISPATCH_AFTER_SECONDS of its publish (the broker lost the message).
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=5.0)
JOB_STALE_AFTER_SECONDS = env.float("JOB_STALE_AFTER_SECONDS", default=30.0)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
JOB_REDISPATCH_AFTER_SECONDS = env.float("JOB_REDISPATCH_AFTER_SECONDS", default=600.0)
# The outbox relay's period, and the longest wait between publish retries of one job.
JOB_RELAY_INTERVAL_SECONDS = env.float("JOB_RELAY_INTERVAL_SECONDS", default=5.0)
JOB_REAPER_INTERVAL_SECONDS = env.float("JOB_REAPER_INTERVAL_SECONDS", default=10.0)
JOB_DISPATCH_BACKOFF_MAX_SECONDS = env.float("JOB_DISPATCH_BACKOFF_MAX_SECONDS", default=30.0)
JOB_DISPATCH_RETENTION_DAYS = env.int("JOB_DISPATCH_RETENTION_DAYS", default=7)
# How long a worker keeps retrying to save a job's step or result while the database restarts.
JOB_DB_RETRY_SECONDS = env.float("JOB_DB_RETRY_SECONDS", default=30.0)
# Installed into django-celery-beat's schedule when beat starts (intervals from the settings
# above; editing them in admin lasts until the next beat start).
CELERY_BEAT_SCHEDULE = {
    "flows: relay job dispatches": {
        "task": "flows.relay_job_dispatches",
        "schedule": JOB_RELAY_INTERVAL_SECONDS,
    },
    "flows: re-queue jobs of dead workers": {
        "task": "flows.reap_jobs",
        "schedule": JOB_REAPER_INTERVAL_SECONDS,
    },
    "flows: purge old job dispatch records": {
        "task": "flows.purge_job_dispatches",
        "schedule": 86_400.0,
    },
}

# --- auth, i18n, static -----------------------------------------------------------------------
# django-axes: admin logins are locked after repeated failures, and every attempt is recorded.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.console.login.axes_client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed attempt, not just the counter
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- HTTP limits ----------------------------------------------------------------------------
# Bodies larger than this get 413 before anything parses them.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1_048_576)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# Deepest nesting of arrays/objects a JSON body may have (deeper: 400 before decoding).
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=64)
# Prefixes whose errors use the JSON error envelope instead of HTML pages.
API_PATH_PREFIXES = ("/api/", "/v1/")

# --- REST framework / OpenAPI -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.tenants.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.tenants.permissions.IsTenantKey"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["apps.tenants.throttling.ApiRateThrottle"],
}

# Rate limits (requests per minute) used until an operator sets rules in admin.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
RATE_LIMIT_DEFAULTS = {
    "api_key": env.int("RATE_LIMIT_PER_KEY", default=6000),
    "tenant": env.int("RATE_LIMIT_PER_TENANT", default=30000),
    "client_ip": env.int("RATE_LIMIT_PER_IP", default=30000),
}
# How many reverse proxies in front of us append to X-Forwarded-For (0: use REMOTE_ADDR only).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SPECTACULAR_SETTINGS = {
    "TITLE": "AgentHub API",
    "DESCRIPTION": (
        "Guardrail-and-resilience gateway for LLM applications. Every error has the shape "
        '`{"error": {"code", "message", "request_id"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # one name for the PII actions every entity field of the PII policy shares
    "ENUM_NAME_OVERRIDES": {"PiiActionEnum": "apps.security.models.PiiAction"},
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.gateway.schema.add_openai_paths",  # the async /v1 views are not DRF views
        "apps.core.schema.document_error_responses",  # last: every operation, /v1 included
    ],
}

# API keys: how often (seconds) a key's last_used_at is written, to keep writes off the hot path.
API_KEY_LAST_USED_RESOLUTION = env.int("API_KEY_LAST_USED_RESOLUTION", default=60)

# How often (seconds) a process checks whether live configuration (policies, breakers,
# templates) changed. Must stay under one second: changes are promised live within 1 s.
LIVE_CONFIG_CHECK_INTERVAL = env.float("LIVE_CONFIG_CHECK_INTERVAL", default=0.25)

# --- the async front door (apps.gateway, served by uvicorn: agenthub/server.py) ---------------
# In-flight /v1 requests (streams included) per process; above it a fast 503 "overloaded".
# Size it to the CPU: a 5 s streamed answer costs about 10 ms of CPU here (bench/gateway).
GATEWAY_MAX_INFLIGHT = env.int("GATEWAY_MAX_INFLIGHT", default=2000)
# ... and while the event loop runs this many seconds late (CPU saturated); 0 disables.
GATEWAY_MAX_LOOP_LAG = env.float("GATEWAY_MAX_LOOP_LAG", default=1.0)
# ... and a request that waited this many seconds for the event loop after its headers arrived
# (a burst larger than the process can start promptly); 0 disables. Measured on 2 shared cores
# (bench/gateway/scenarios.py): at 2 s a 2,000-stream burst already lost some streams to it;
# at 5 s all 2,000 start, and a 10,000-stream flood is still all served or refused, none hung.
GATEWAY_MAX_QUEUE_DELAY = env.float("GATEWAY_MAX_QUEUE_DELAY", default=5.0)
# /v1 requests that begin per turn of the event loop; the rest of a burst waits its turn in
# arrival order, so one turn never runs a thousand request starts while streams and /health
# wait (apps.gateway.pacing). 0 starts every request as soon as it arrives.
GATEWAY_STARTS_PER_TURN = env.int("GATEWAY_STARTS_PER_TURN", default=8)
# While requests wait for their turn, open streams that already sent content wait too before
# reading their upstream again, and this many resume per turn (what arrived meanwhile leaves as
# one event): a waiting start is a client with nothing yet, a flowing stream only batches.
GATEWAY_RELAYS_PER_TURN = env.int("GATEWAY_RELAYS_PER_TURN", default=16)
# Seconds a client gets to send its whole request body (else 408), and its headers (else the
# connection is closed).
GATEWAY_BODY_TIMEOUT = env.float("GATEWAY_BODY_TIMEOUT", default=10.0)
GATEWAY_HEADER_TIMEOUT = env.float("GATEWAY_HEADER_TIMEOUT", default=10.0)
# Threads per process for blocking work of the async path (database, sync-only code), and how
# long a request waits on it before answering 503 service_unavailable.
GATEWAY_BLOCKING_THREADS = env.int("GATEWAY_BLOCKING_THREADS", default=16)
GATEWAY_DB_DEADLINE = env.float("GATEWAY_DB_DEADLINE", default=1.0)
# Allocations between two young garbage collections in a server process (CPython's default:
# 700); 0 keeps the interpreter's. Start-up's objects are frozen out of the collector either
# way (apps.gateway.startup.settle_heap).
GATEWAY_GC_YOUNG_THRESHOLD = env.int("GATEWAY_GC_YOUNG_THRESHOLD", default=10_000)
# With at least this many requests in flight a server process defers cyclic garbage collection
# (back on below half of it; 0 never defers), and collects its young and middle generations
# every GATEWAY_GC_MAX_DEFER seconds meanwhile (apps.gateway.collector).
GATEWAY_GC_DEFER_ABOVE = env.int("GATEWAY_GC_DEFER_ABOVE", default=128)
GATEWAY_GC_MAX_DEFER = env.float("GATEWAY_GC_MAX_DEFER", default=10.0)

# --- security ---------------------------------------------------------------------------------
# Provider egress: base URLs may only point at these hosts / CIDRs / "*.domain" suffixes (empty:
# any host). Link-local and cloud metadata addresses are always refused (PROVIDER_URL_DENYLIST).
PROVIDER_URL_ALLOWLIST = env.list("PROVIDER_URL_ALLOWLIST", default=[])
PROVIDER_URL_DENYLIST = env.list(
    "PROVIDER_URL_DENYLIST",
    default=["169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "metadata.google.internal"],
)
# Environment variables a platform admin may name as a provider key must match this pattern.
PROVIDER_KEY_ENV_PATTERN = env.str("PROVIDER_KEY_ENV_PATTERN", default=r"^[A-Z][A-Z0-9_]*_API_KEY$")
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=90)
# Where blocked-request records wait when the database refuses them: a Redis list when a Redis
# URL is known (empty spool URL = REDIS_URL), else files in the spool directory.
SECURITY_AUDIT_SPOOL_DIR = env.str("SECURITY_AUDIT_SPOOL_DIR", default="")
SECURITY_AUDIT_SPOOL_REDIS_URL = env.str("SECURITY_AUDIT_SPOOL_REDIS_URL", default="")
SECURITY_AUDIT_EXCERPT_CHARS = env.int("SECURITY_AUDIT_EXCERPT_CHARS", default=500)

# --- logging --------------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# Expected conditions (open breaker, rate limit, rejected input) log one line per kind per this
# many seconds, then say how many were suppressed (0 = every line).
LOG_THROTTLE_SECONDS = env.float("LOG_THROTTLE_SECONDS", default=10.0)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "apps.core.logging.RequestIdFilter"},
        "redact": {"()": "apps.core.logging.RedactingFilter"},
        "throttle": {"()": "apps.core.logging.ThrottleFilter", "interval": LOG_THROTTLE_SECONDS},
    },
    "formatters": {
        "json": {"()": "apps.core.logging.JsonFormatter"},
        "text": {"()": "apps.core.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "throttle", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "celery": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # one INFO line per upstream request is noise; failures are logged by the providers app
        "httpx": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- production hardening -----------------------------------------------------------------------
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
