"""
Settings for talentzone, read from the environment.

Everything that differs between a laptop and production comes from a ``DJANGO_``
environment variable (plus ``DATABASE_URL``). The defaults are safe: DEBUG is off
unless asked for, and with DEBUG off the security settings default to production
values. See the README for the table of variables.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Return the boolean value of environment variable ``name``."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    """Return the comma-separated environment variable ``name`` as a list."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# The fallback key is only good for development: `check --deploy` flags the
# "django-insecure-" prefix (security.W009), so it cannot slip into production.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY",
    "django-insecure-development-key-do-not-use-in-production",
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles, so that runserver serves static files like production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "import_export",
    # With a Chinese name for its admin section (programs/third_party.py).
    "programs.third_party.AxesConfig",
    "rest_framework",
    "drf_spectacular",
    # The API docs' scripts and styles, served from here rather than a CDN.
    "drf_spectacular_sidecar",
    "corsheaders",
    # Background jobs (programs/jobs.py): Django's tasks API and its
    # database-backed queue, which every app server and worker share.
    "django_tasks",
    "programs.third_party.TasksDatabaseConfig",
    "programs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above the page cache, so that hits carry the policies too.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks: it answers
    # preflight requests itself.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: it reads the language from the URL prefix.
    "django.middleware.locale.LocaleMiddleware",
    # The admin in each staff member's language, not the address's (which is
    # English for every address without /zh-hans/).
    "programs.staff.language.AdminLanguageMiddleware",
    # The admin's queries planned for their own values (not prepared).
    "programs.staff.planning.AdminQueriesUnpreparedMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Attributes each change made in a request to the user who made it.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After auth and locale: it needs the visitor and the language, and the
    # middleware above adds its headers to cached pages too. programs/site/cache.py.
    "programs.site.cache.PageCacheMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login attempt before the usual backend does.
# Where "Log in" links lead, such as the page after setting a password from
# the link assign_role --create prints: the admin's sign-in, the only one.
LOGIN_URL = "admin:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_VERBOSE = False
# After this many failed sign-ins, that username is locked from that address
# (only that pair: a mistyped name locks no one else out) for the cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("DJANGO_AXES_COOLOFF_MINUTES", "60"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "programs.staff.login.lockout_response"
# The client's address: REMOTE_ADDR, or with DJANGO_PROXY_COUNT proxies of our
# own in front, the address the outermost one saw (X-Forwarded-For). Never set
# it higher than the proxies you run: clients can send that header too.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "programs.staff.login.client_address"

ROOT_URLCONF = "talentzone.urls"

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

WSGI_APPLICATION = "talentzone.wsgi.application"

# SQLite under var/ (git-ignored) unless DATABASE_URL says otherwise.
SQLITE_PATH = BASE_DIR / "var" / "talentzone.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        # Persistent connections, checked before reuse, so a restarted
        # database server costs one failed check rather than an error page.
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Bounded waits, so that a database that stops answering fails requests (a
# 503, programs/unavailable.py) rather than holding every worker. libpq
# enforces the connect timeout; the server enforces the statement and lock
# timeouts, and talentzone.postgresql gives each query a deadline of its own
# a little later, for a server too stuck to enforce anything.
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT_MS", "30000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "talentzone.postgresql"
    lock_ms = int(os.environ.get("DJANGO_DB_LOCK_TIMEOUT_MS", "10000"))
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    # Two seconds, libpq's least: on a network where connecting takes
    # milliseconds, a server that has not answered by then will not.
    database_options.setdefault(
        "connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "2"))
    )
    # Options given in DATABASE_URL are kept, and its own -c settings come
    # last, so win.
    database_options["options"] = (
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={lock_ms} "
        + database_options.get("options", "")
    ).strip()
    # Prepared statements: a page asks the same few queries over and over,
    # and PostgreSQL planning a list's rows took twice as long as running
    # them (0.4 of 0.6 ms at 100,000 experts). With parameters bound on the
    # server, psycopg prepares a query on a connection the fifth time it
    # runs there; connections persist (conn_max_age), so the plans do too.
    # Not for the admin's varied filters (programs/staff/planning.py). Off
    # for a pooler in transaction mode (PgBouncer before 1.21), which cannot
    # keep a prepared statement on one connection: docs/deploy.md.
    if env_bool("DJANGO_DB_PREPARED_STATEMENTS", True):
        database_options.setdefault("server_side_binding", True)
        database_options.setdefault("prepare_threshold", 5)
if os.environ.get("DJANGO_TEST_DATABASE_NAME"):
    # The throw-away database the tests create (and drop) on this server.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DJANGO_TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SQLITE_PATH.parent.mkdir(exist_ok=True)
    # `make run`'s server, its job worker and the commands share the file.
    # In WAL mode a reader never waits for a writer: a data-package job
    # failed with "database is locked" while generate_demo wrote. IMMEDIATE
    # takes the write lock as a transaction begins, so that two writers wait
    # their turn (up to the timeout, in seconds) instead of one failing at
    # once when both hold a read lock and ask for the write lock.
    sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    sqlite_options.setdefault("init_command", "PRAGMA journal_mode=WAL;")
    sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    sqlite_options.setdefault("timeout", 20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis when DJANGO_REDIS_URL is set (shared by every process), otherwise each
# process's own memory.
REDIS_URL = os.environ.get("DJANGO_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, reusing its redis-py clients (talentzone/redis_cache.py).
            "BACKEND": "talentzone.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "talentzone",
            # Fail fast when Redis does not answer: pages are then rendered
            # without the cache (programs/site/cache.py).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a public page may stay cached; every write invalidates it anyway.
# Off by default without Redis: each process's memory would hold its own
# content version, so one worker's write would not reach another's pages.
PAGE_CACHE_SECONDS = int(
    os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "600" if REDIS_URL else "0")
)

# Admin import and export (programs/staff/admin/importing.py, staff/resources.py).
# The uploaded file waits between preview and confirmation in the cache, not
# on one server's disk, so the confirmation may reach another app server. That
# needs a cache they share: Redis (DJANGO_REDIS_URL) with several servers.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "programs.staff.uploads.ExpiringCacheStorage"
# What one import may hold (programs/staff/uploads.py): its size in MB and its
# rows. Larger files are refused with a message, before they are read.
IMPORT_MAX_BYTES = int(os.environ.get("DJANGO_IMPORT_MAX_MB", "20")) * 1_000_000
IMPORT_MAX_ROWS = int(os.environ.get("DJANGO_IMPORT_MAX_ROWS", "50000"))
# A confirmed import is written in one transaction, all or nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True

# Background jobs (programs/jobs.py). The queue is a table in the database,
# so `make run` needs nothing else and every app server and worker shares
# it; workers run `manage.py db_worker` (docs/deploy.md). Imports and
# exports of more than JOB_ROWS rows run as jobs, smaller ones at once.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"
        ),
    }
}
JOB_ROWS = int(os.environ.get("DJANGO_JOB_ROWS", "2000"))

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "programs" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Production security defaults: on whenever DEBUG is off. Each can be switched
# off for a proxy that terminates TLS itself (see the README).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(
    os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preload lets browsers be told to use HTTPS before the first visit; turn it
# off before the first deploy if the domain may ever need plain HTTP again.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# What a page may load or run (django-csp). Neither the public site nor the
# admin has inline scripts, handlers or style attributes of ours (the one
# third-party template that had them is overridden:
# templates/admin/import_export/export.html), and nothing is loaded from
# elsewhere, so one strict policy fits both, and an injected script or style
# has nowhere to run (a record page's JSON-LD is a data block, never run).
# tests/browser/test_policies.py fails on any violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}
# The browser features no page uses, refused to the page and anything in it
# (django-permissions-policy). Only features Chromium knows: an unknown one
# is logged as an error on every page.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
}

PAGE_SIZE = 25

# The API (programs/api/): JSON only, staff authenticated by their tokens,
# anonymous readers limited per address, across app servers when the cache is
# Redis. The client's address is read as the admin's lockout reads it.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["programs.api.tokens.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["programs.api.permissions.AdminRules"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "programs.api.pagination.LinkedPages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "programs.api.throttling.StaffRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("DJANGO_API_ANON_RATE", "120/minute"),
        "user": os.environ.get("DJANGO_API_USER_RATE", "1200/minute"),
    },
    "NUM_PROXIES": PROXY_COUNT,
    "PAGE_SIZE": PAGE_SIZE,
    # ?format= is nobody's business here: JSON is the only format.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "programs.api.views.handle_exception",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "talentzone API",
    "DESCRIPTION": (
        "The published records of the talent programmes of the Yangtze River "
        "Delta Ecology and Green Integrated Development Demonstration Zone. "
        "长三角生态绿色一体化发展示范区人才项目的已发布记录。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from validator.swagger.io: the docs load nothing from elsewhere.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
}
# Anyone may read the API from a browser on another site; writes need a
# token, which no browser sends on its own, so CORS stays closed to them.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After"]
