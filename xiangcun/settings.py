"""Settings, read from environment variables and parsed strictly.

Every variable has a safe default for local use (SQLite in ./data, DEBUG off);
a malformed value stops start-up with a message naming the variable.
"""
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0/true/false/yes/no/on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("XIANGCUN_DATA_DIR") or BASE_DIR / "data").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
# matplotlib (charts of the meeting report) caches its font list here instead of rebuilding it per start
os.environ.setdefault("MPLCONFIGDIR", str(DATA_DIR / "matplotlib"))
# Where the NBS editions live (../shared/data/nbs beside the checkout by default).
NBS_DIR = Path(os.environ.get("XIANGCUN_NBS_DIR") or BASE_DIR.parent / "shared" / "data" / "nbs")


def _local_secret(env_name: str, file_name: str, make) -> str:
    """A secret from the environment, or (for local use) one generated once into the data directory."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = DATA_DIR / file_name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


SECRET_KEY = _local_secret("XIANGCUN_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))
DEBUG = env_bool("XIANGCUN_DEBUG", False)
ALLOWED_HOSTS = env_list("XIANGCUN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("XIANGCUN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "js_lib_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # the product's apps from the ground up: each imports only those above it in this list (core/tests/test_layers.py)
    "xiangcun.core",
    "xiangcun.divisions",
    "xiangcun.bodies",
    "xiangcun.accounts",  # users belong to a body and have a jurisdiction
    "xiangcun.collective",  # before assets: the ledger's demo names collective organisations as owners
    "xiangcun.assets",
    "xiangcun.services",
    "xiangcun.indicators",
    "xiangcun.facilities",
    "xiangcun.zones",
    "xiangcun.prereview",  # after services (its 宅基地建房 cases wait for an approved pre-review)
    "xiangcun.care",
    "xiangcun.supervision",
    "xiangcun.governance",
    "xiangcun.workbench",  # the top floor: pages and commands that bring the apps together
]

MIDDLEWARE = [
    # outermost: every response, even one made by the middleware below (axes' lock-out, CSRF failure,
    # error pages, static files), carries our request id and the security headers
    "xiangcun.core.middleware.SecurityHeadersMiddleware",
    "xiangcun.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xiangcun.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # who may use each URL: its module's permissions.URLS (403 otherwise, and for an undeclared URL)
    "xiangcun.core.access.AccessMiddleware",
    "axes.middleware.AxesMiddleware",
    "xiangcun.core.audit_middleware.AuditContextMiddleware",
    "xiangcun.core.middleware.BadParameterMiddleware",  # core.params refusals: 400, not 500
]

ROOT_URLCONF = "xiangcun.urls"
WSGI_APPLICATION = "xiangcun.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "xiangcun" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xiangcun.core.context_processors.navigation",
            ],
        },
    },
]

# SQLite is tuned the same way whether it is the default or named by DATABASE_URL: WAL lets the worker
# write while the server reads; IMMEDIATE takes the write lock when a transaction begins (a deferred
# transaction that reads and then writes fails at once with "database is locked" instead of waiting);
# the busy timeout makes a writer wait for the lock instead of failing.
SQLITE_OPTIONS = {
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
}


def database_config(url: str, data_dir: Path) -> dict:
    """The default database: `url` (DATABASE_URL) or SQLite in `data_dir`; SQLite always gets SQLITE_OPTIONS."""
    if url:
        import dj_database_url

        try:
            # health checks: after a database restart the next request reconnects instead of failing
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": data_dir / "xiangcun.sqlite3"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES = {"default": database_config(DATABASE_URL, DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling and lock-out
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a username (from any address) after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env_int("XIANGCUN_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = env_int("XIANGCUN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The TOTP second factor: this many wrong codes in a row lock it for the lock-out minutes (accounts.otp).
OTP_FAILURE_LIMIT = env_int("XIANGCUN_OTP_FAILURES", 5)
OTP_LOCKOUT_MINUTES = env_int("XIANGCUN_LOCKOUT_MINUTES", 15)
# API tokens expire this many days after issue (accounts.tokens).
TOKEN_DAYS = env_int("XIANGCUN_TOKEN_DAYS", 30)
# Lock-out is by username only: township offices share one NAT address, and locking the address
# would lock a whole office out because of one person.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Idle timeout: the session expires after this many seconds without a request.
SESSION_COOKIE_AGE = env_int("XIANGCUN_SESSION_SECONDS", 2 * 3600)
IMPORT_MAX_ROWS = env_int("XIANGCUN_IMPORT_MAX_ROWS", 20_000)  # rows per Excel import (core/excel.py)
# An upload with more rows than this (its declared dimension) is checked by a background job, not in the request.
IMPORT_JOB_ROWS = env_int("XIANGCUN_IMPORT_JOB_ROWS", 3000)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]  # an English browser still gets Chinese messages and form errors
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # only for `collectstatic` in production; WhiteNoise serves from the finders
STATIC_ROOT.mkdir(exist_ok=True)
import xstatic.pkg.bootstrap  # noqa: E402
import xstatic.pkg.leaflet  # noqa: E402

STATICFILES_DIRS = [
    BASE_DIR / "xiangcun" / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
    # ECharts comes from npm (package-lock.json); no Python package ships it.
    ("echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the finders, no collectstatic needed for `make run`
# Uploads and generated files: one path shared by every web server and worker (an NFS mount, say).
MEDIA_ROOT = Path(os.environ.get("XIANGCUN_MEDIA_DIR") or DATA_DIR / "media").resolve()
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("XIANGCUN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Shared state for several web servers: with REDIS_URL the cache (API throttling), the sessions and
# the login lock-out counters live in Redis; without it, in this process (one machine, SQLite default;
# lock-outs are then kept in the database, which several processes share).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "xiangcun", "TIMEOUT": 300}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A job worker that has not beaten for this long is taken as dead and its running job failed.
WORKER_LEASE_SECONDS = env_int("XIANGCUN_WORKER_LEASE", 120)

# Behind a reverse proxy that terminates TLS (deploy/nginx): trust its X-Forwarded-Proto, secure cookies.
if env_bool("XIANGCUN_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    USE_X_FORWARDED_HOST = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XIANGCUN_LOG_LEVEL", "WARNING")},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "xiangcun.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # signed in, and the URL's declaration in its module's permissions.URLS (core.access)
    "DEFAULT_PERMISSION_CLASSES": ["xiangcun.core.access.DeclaredPermission"],
    "DEFAULT_PAGINATION_CLASS": "xiangcun.core.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "xiangcun.core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "xiangcun.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "xiangcun API",
    "DESCRIPTION": "乡村两项改革“后半篇”工作平台接口。认证:请求头 Authorization: Token <令牌>。"
    "所有数据按用户的管辖范围过滤,范围外的对象返回 404。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["xiangcun.core.access.DeclaredPermission"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "xiangcun.core.openapi.blank_means_all"],
}

# Content Security Policy: nothing from outside origins (see core.middleware.SecurityHeadersMiddleware).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    # no page embeds frames: an injected <iframe srcdoc> gets nothing, and nothing may frame us
    "frame-src 'none'; child-src 'none'; worker-src 'self'; frame-ancestors 'none'"
)
# Personal data (names of residents, 身份证号, phone numbers) is encrypted at rest with this key.
PII_KEY = _local_secret("XIANGCUN_PII_KEY", "pii_key", _fernet_key)
# The audit trail's chain head is signed (HMAC) with this key, which the database never holds, and each
# new head is appended to a witness file outside the database; `xiangcun audit verify` checks both.
AUDIT_KEY = _local_secret("XIANGCUN_AUDIT_KEY", "audit_key", lambda: secrets.token_urlsafe(32))
AUDIT_WITNESS = Path(os.environ.get("XIANGCUN_AUDIT_WITNESS") or DATA_DIR / "audit_witness.log")
# Optionally also send each witness line to syslog (a socket such as /dev/log, or host:port).
AUDIT_SYSLOG = os.environ.get("XIANGCUN_AUDIT_SYSLOG", "")
if AUDIT_SYSLOG:
    host, _, port = AUDIT_SYSLOG.rpartition(":")
    LOGGING["handlers"]["audit_syslog"] = {
        "class": "logging.handlers.SysLogHandler",
        "address": (host, int(port)) if host and port.isdigit() else AUDIT_SYSLOG,
    }
    LOGGING["loggers"] = {"xiangcun.audit.witness": {"handlers": ["audit_syslog"], "level": "INFO", "propagate": False}}
