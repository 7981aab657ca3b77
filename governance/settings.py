"""Linli settings: everything comes from the environment (django-environ).

With no environment at all this is the embedded default: SQLite, the in-memory
channel layer, Celery on kombu's filesystem transport, media on local disk.
"""

from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
# The default key only serves the embedded demo; production sets SECRET_KEY (docs/deploy.md).
_DEMO_SECRETS = {
    "SECRET_KEY": "linli-embedded-demo-key-not-for-production-use-0123456789abcdef",
    "FIELD_ENCRYPTION_KEYS": "Lj9dS2k1bXq0Yf3nC7vR8wT5uE6iO4pA1sD2fG3hJ4k=",
    "BLIND_INDEX_KEY": "linli-demo-blind-index-key",
    "OUTBOX_SIGNING_SECRET": "linli-demo-outbox-secret",
}
SECRET_KEY = env("SECRET_KEY", default=_DEMO_SECRETS["SECRET_KEY"])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "channels",
    "django_celery_beat",
    "import_export",
    "governance",
    "households",
    "households.care",
    "workorders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "governance.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "governance.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"
ASGI_APPLICATION = "governance.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance.context_processors.portal",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'linli.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the web process and the Celery worker share the file. Transactions
    # begin IMMEDIATE (Django ≥ 5.1): a deferred one that reads first and writes later fails at once
    # with "database is locked" when another process wrote in between (SQLite cannot wait there
    # without risking a deadlock, so the busy timeout does not apply) — seen in the demo when the
    # worker's beat and a notification task wrote at the same moment.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
         "transaction_mode": "IMMEDIATE"}
    )
elif env.bool("DB_POOL", default=True):
    # psycopg 3's connection pool (Django >= 5.1), not persistent connections: under ASGI every
    # request runs in a fresh thread, and CONN_MAX_AGE keeps one connection per thread that is
    # never closed (300 requests from 6 clients left 55 idle connections under daphne). The pool
    # is per process and bounded; Django returns the connection at the end of each request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
else:
    # DB_POOL=False (e.g. behind PgBouncer in transaction mode): one connection per request.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- users, login -------------------------------------------------------------
AUTH_USER_MODEL = "governance.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "governance.auth.UsernameOrMobileBackend",
    "governance.auth.SmsCodeBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:me"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous users get nothing

# django-axes: lock an account+IP pair after repeated failures (the message says when to retry).
# One account, one lock: failures count under the account's username whichever identifier
# (username, mobile, SMS-code login) was typed (governance.auth.lockout_identity).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "governance.auth.lockout_identity"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# --- i18n / time ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static / media -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": env("MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "governance.error_pages.StaticStorage"  # whitenoise's, lenient (see there)
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=8 * 1024 * 1024)
# Days an uploaded import file (ID numbers in the clear) is kept when it was not applied; an
# applied file is deleted at once (households.services.imports.files_purge).
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=7)

# --- redis / cache / channels / celery ------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")


def redis_cache(url: str) -> dict:
    # django-redis, not Django's own backend, for IGNORE_EXCEPTIONS: with Redis unreachable every
    # cache read misses and every write is skipped, with a logged warning, so the API's rate
    # throttles fail open and nothing that writes to the database fails (the database is the
    # truth; limits that must hold count rows, see governance.ratelimit).
    return {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}}


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
    _broker_dir = VAR_DIR / "broker"
    if CELERY_BROKER_URL.startswith("filesystem://"):
        # Anything that queues a task (seed_demo, the web process) may run before the worker.
        for _sub in ("out", "processed", "control"):
            (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# With the broker down a request must not hang: give up publishing within about two seconds and
# leave the task to governance.taskqueue's sweep (the row is already in the database).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True

# --- DRF / OpenAPI ---------------------------------------------------------------
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "governance.api.pagination.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "governance.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "governance.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="60/min"),
        "user": env("THROTTLE_USER", default="1200/min"),
        "reveal": env("THROTTLE_REVEAL", default="30/hour"),
        "sms": env("THROTTLE_SMS", default="5/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Linli 邻里 API",
    "DESCRIPTION": "Community-governance portal: regions, household files, care alerts, work orders. "
    "Every 4xx answers {\"error\": {\"code\", \"message\", \"fields\"}}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No call to validator.swagger.io from the docs page: every asset and request stays on this site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several models have a `kind` field; name their enums instead of "Kind359Enum" (drf_spectacular.W001).
    "ENUM_NAME_OVERRIDES": {
        "CareAlertKindEnum": "households.care.models.AlertKind",
        "MeterKindEnum": "households.care.models.MeterKind",
        "OrderStatusEnum": "workorders.choices.Status",
        "OrderChannelEnum": "workorders.choices.Channel",
        "LimitUnitEnum": "workorders.choices.LimitUnit",
        "VisitChannelEnum": "households.models.records.VisitChannel",
    },
}

# --- personal information ----------------------------------------------------------
# Comma-separated Fernet keys, newest first (MultiFernet): add a key in front to rotate,
# then run `manage.py rotate_pii_keys`. The default key only serves the demo.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[_DEMO_SECRETS["FIELD_ENCRYPTION_KEYS"]])
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default=_DEMO_SECRETS["BLIND_INDEX_KEY"])
# How long personal data of people who moved out (or died) is kept before the retention job
# wipes it. (Full ID/phone views per user: THROTTLE_REVEAL, governance.ratelimit.)
PII_RETENTION_DAYS = env.int("PII_RETENTION_DAYS", default=3 * 365)

# --- notifications -----------------------------------------------------------------
SMS_BACKEND = env("SMS_BACKEND", default="governance.notify.sms.FileSmsBackend")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=str(VAR_DIR / "sms.log"))
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_SECRET = env("SMS_HTTP_SECRET", default="")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="linli@localhost")
# Used by EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend (production).
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
OUTBOX_SIGNING_SECRET = env("OUTBOX_SIGNING_SECRET", default=_DEMO_SECRETS["OUTBOX_SIGNING_SECRET"])
# Further signing secrets by name for outbox.enqueue(secret_name=...): "partner=s3cret,city=other".
OUTBOX_SECRETS = env.dict("OUTBOX_SECRETS", default={})
# How long a failing delivery is retried before it is a dead letter (never less than 24 hours).
OUTBOX_RETRY_HOURS = env.int("OUTBOX_RETRY_HOURS", default=24)

# --- security (production sets DEBUG=False; see docs/deploy.md) -----------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Set when the app runs behind the reverse proxy of docs/deploy.md, which sets X-Forwarded-For.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

PORTAL_NAME = _("Linli")

# --- production guard ----------------------------------------------------------------
# The defaults above serve the embedded demo and are public. With DEBUG=False every secret
# must come from the environment (docs/deploy.md), and none may be a public demo value (copied
# from this file or the README into a production .env), or the process refuses to start.
PRODUCTION_SECRETS = tuple(_DEMO_SECRETS)
if not DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    _missing = [name for name in PRODUCTION_SECRETS if not env.str(name, default="").strip()]
    if _missing:
        raise ImproperlyConfigured(
            "DEBUG=False needs these secrets from the environment (see docs/deploy.md): " + ", ".join(_missing)
        )
    _public = [name for name, demo in _DEMO_SECRETS.items()
               if demo in {part.strip() for part in env.str(name).split(",")}]
    if _public:
        raise ImproperlyConfigured(
            "DEBUG=False refuses the public demo value of: " + ", ".join(_public) + " (see docs/deploy.md)"
        )
