"""Settings, all read from environment variables (see README.md, "Configuration").

The embedded defaults run on one machine: SQLite in WAL mode for data and for the Huey
queue. DATABASE_URL switches the database to PostgreSQL; REDIS_URL moves the queue to
Redis so that consumers on several machines share it.
"""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from planwatch.lib import uploads  # a plain module: it reads no settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]


# Where the SQLite files, uploads and the queue live on the embedded defaults.
DATA_DIR = Path(env_str("PLANWATCH_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# The default key is for the embedded demo only; a deployment sets SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "planwatch-demo-insecure-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "huey.contrib.djhuey",
    "accounts",
    "directory",
    "plans",
    "reporting",
    "monitoring",
    "audit",
    "planwatch",
]

MIDDLEWARE = [
    "planwatch.middleware.body_limit",
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
    # last, as django-axes asks: it sees the outcome of the authentication above
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "planwatch.urls"
WSGI_APPLICATION = "planwatch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "planwatch" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "planwatch.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=env_int("CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with a finer wait for the write lock (planwatch/lib/sqlite)
    DATABASES["default"]["ENGINE"] = "planwatch.lib.sqlite"
    # The tests' database in memory, as Django makes it for SQLite anyway. Said here
    # because pytest-django knows SQLite by Django's engine name only: under another
    # name it derives a file name from NAME for each xdist worker ("test_/…_gw0").
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
    # A worker keeps its connection (one per thread): opening one runs the PRAGMAs below
    # on every request otherwise, which the deadline-rush benchmark showed to cost.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the queue consumer writes; IMMEDIATE
        # transactions take the write lock up front instead of failing halfway.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares a statement on the server once it ran this many times on a
    # connection, so that PostgreSQL stops parsing and planning it. Only cursors that bind
    # parameters on the server are concerned: Django's own bind on the client and are never
    # prepared; the statements of a token-link answer are (planwatch.lib.statements.statement_cursor).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue -----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
HUEY = {
    "name": "planwatch",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.PriorityRedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
# username with address: one office behind one NAT address must not lock itself out
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Language and time ------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy everywhere, whatever the active language
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["planwatch.formats"]

# --- Files ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"
# An uploaded plan is read into memory by docparse; its own limit is 64 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 2**20
PLAN_UPLOAD_MAX_BYTES = env_int("PLAN_UPLOAD_MAX_BYTES", 30 * 2**20)
# The whole body of one request (planwatch.middleware.body_limit): a plan, or five files
# of the largest size an answer or an evidence upload takes (planwatch.lib.uploads), with
# room for the form.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", max(PLAN_UPLOAD_MAX_BYTES, 5 * uploads.MAX_BYTES) + 2 * 2**20)

# --- Mail -------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "planwatch@localhost")
# Reminders send inside their transaction: on SQLite keep this below the busy timeout.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 8)
INVITE_DAYS = env_int("INVITE_DAYS", 7)  # how long an invitation link stays valid
REMINDER_DAYS = env_int("REMINDER_DAYS", 3)  # assignment reminders go this many days before the due date

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # run_huey adds its own handler; without this every queue line prints twice
    "loggers": {"huey": {"handlers": ["console"], "level": env_str("LOG_LEVEL_HUEY", "INFO"), "propagate": False}},
}
# --- Banner monitoring (monitoring/, planwatch/lib/http.py) ------------------------------
# Ranges the SSRF guard lets through; empty in every deployment (tests: 127.0.0.0/8).
MONITOR_ALLOWED_NETWORKS = env_list("MONITOR_ALLOWED_NETWORKS", "")
MONITOR_TIMEOUT = float(env_str("MONITOR_TIMEOUT", "15"))  # seconds per request
MONITOR_RETRIES = env_int("MONITOR_RETRIES", 2)
MONITOR_BACKOFF = float(env_str("MONITOR_BACKOFF", "0.5"))  # first retry delay, doubled each time
MONITOR_MAX_BYTES = env_int("MONITOR_MAX_BYTES", 3 * 2**20)  # largest page read
MONITOR_CONCURRENCY = env_int("MONITOR_CONCURRENCY", 200)  # connections in flight, all hosts
MONITOR_PER_HOST = env_int("MONITOR_PER_HOST", 4)  # per host (0: no limit)
MONITOR_CLAIM_BATCH = env_int("MONITOR_CLAIM_BATCH", 50)  # sites a consumer claims at once
MONITOR_CONSUMERS = env_int("MONITOR_CONSUMERS", 2)  # queue jobs a round is split into

DIRECTORY_IMPORT_MAX_BYTES = env_int("DIRECTORY_IMPORT_MAX_BYTES", 5 * 2**20)
DIRECTORY_IMPORT_MAX_ROWS = env_int("DIRECTORY_IMPORT_MAX_ROWS", 5000)
