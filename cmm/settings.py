"""Settings for the CMM case-management system.

One file holds every setting; only environment variables vary it between a developer's
machine, the test run and production (see README, "Configuration").
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CMM_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Only ever used with debug on, on a developer's machine.
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_countries",
    "csp",
    "axes",
    "guardian",
    # Two-factor login: TOTP apps, and static recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "cmm.core",
    "cmm.audit",
    "rules",
    "referrals",
    "cases",
    "repatriation",
    "stats",
    "retention",
    "api",
    "demo",
]

MIDDLEWARE = [
    # First, so that every log line of the request carries its id.
    "cmm.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cmm.core.locale.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sets user.is_verified(): has this session passed the second factor?
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a login unless its view says otherwise.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cmm.core.sessions.SessionTimeoutMiddleware",
    # After the password, nothing but the second-factor pages until a code is verified.
    "cmm.core.twofactor.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "cmm.core.middleware.NoStoreForAuthenticatedMiddleware",
    # GET requests keep their answers to repeated questions (permissions, counts).
    "cmm.core.request_cache.ReadOnlyRequestCacheMiddleware",
    "rules.lookup.RulesPerRequestMiddleware",
]

ROOT_URLCONF = "cmm.urls"
WSGI_APPLICATION = "cmm.wsgi.application"

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
                "cmm.core.context_processors.navigation",
                "csp.context_processors.nonce",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
        # A persistent connection that died with a database restart is noticed and replaced
        # at the start of the next request, instead of failing that request.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # guardian's, with the permissions kept for the length of a GET (cmm.core.permissions).
    "cmm.core.permissions.RequestCachedObjectPermissionBackend",
    # An API client's account holds what its scopes name, and nothing else (api/backends.py).
    "api.backends.ApiClientPermissionBackend",
]
# guardian's check looks for its own backend by name; the one above is a subclass of it.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
# No anonymous user: nothing here is public.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_404 = True

# Argon2id first (OWASP ASVS 6.2); the others only verify old hashes on the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout (ASVS 6.3): five failed logins lock the account, and separately the source
# address, for 30 minutes.
AXES_FAILURE_LIMIT = envint("CMM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("CMM_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor login (ASVS 6.3.3). The issuer names the account in the authenticator app;
# keys and QR codes are never shown in the admin.
OTP_TOTP_ISSUER = "CMM"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The Danish public sector's design system, installed by `npm ci` and served by whitenoise.
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
]
# In development and tests whitenoise serves straight from the finders, no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Celery: Redis in production and in the tests; with no REDIS_URL the embedded default is
# Celery's filesystem transport, so `make run` needs no broker server.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _celery_dir = VAR_DIR / "celery"
    for _folder in ("queue", "processed"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker logs through LOGGING below (its redacting formatter) instead of replacing the
# root logger's handlers with its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# While the broker is down, publishing a task keeps trying for about five minutes
# rather than dropping it.
# Celery 6's default: a task running when the broker connection drops is redelivered (our
# tasks are idempotent), rather than left unacknowledged.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 30,
    "interval_start": 0.5,
    "interval_step": 1,
    "interval_max": 10,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The research extract is k-anonymous at this k (IOM's Counter-Trafficking Data
# Collaborative publishes at 11).
CMM_RESEARCH_K = envint("CMM_RESEARCH_K", 11)
# The public variant of the statistics shows every count under this threshold as "<N"
# (totals stay exact; docs/statistics-publishing.md). 0 = off: no public variant is
# written. CMM decides the policy; with zeros left out of the tables, 3 is the least that
# protects anything.
CMM_PUBLIC_MIN_COUNT = envint("CMM_PUBLIC_MIN_COUNT", 0)
# Years after a course ended before it is listed for anonymisation (retention/services.py).
CMM_RETENTION_YEARS = envint("CMM_RETENTION_YEARS", 5)
# Months after an inquiry that never became a course was closed before the nightly job
# erases its caller's contact, summary and the persons' aliases (retention/inquiries.py).
# 24 until CMM confirms its figure.
CMM_INQUIRY_RETENTION_MONTHS = envint("CMM_INQUIRY_RETENTION_MONTHS", 24)
CMM_EXPORT_DIR = Path(os.environ.get("CMM_EXPORT_DIR", VAR_DIR / "exports"))

# The partner API (api/, docs/api.md): requests per client and period (DRF's rate format:
# "60/min", "1000/hour"); how long an answer is kept for retries with its Idempotency-Key.
CMM_API_RATE = os.environ.get("CMM_API_RATE", "60/min")
CMM_API_IDEMPOTENCY_DAYS = envint("CMM_API_IDEMPOTENCY_DAYS", 30)
REST_FRAMEWORK = {
    # Keys only: a staff session does not open the API, and a key opens no page.
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser"],
    # JSON only: no browsable API with its own scripts and styles.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "EXCEPTION_HANDLER": "api.errors.handle",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CMM partner API",
    "DESCRIPTION": "Referrals, their status, decisions on assessments and the published "
    "statistics, for the systems of the authorities and organisations CMM works with. "
    "See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SECURITY": [{"ApiKey": []}],
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKey": {"type": "http", "scheme": "bearer", "description": "The client's key."}
        }
    },
    "AUTHENTICATION_WHITELIST": [],
    "ENUM_NAME_OVERRIDES": {
        "ExploitationFormEnum": "cmm.core.codes.ExploitationForm",
        "GenderEnum": "cmm.core.codes.Gender",
    },
}
# The API's request counts live in Redis when there is one, so every worker counts together.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}
    ),
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cmm-sager@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sessions end when the browser closes and after a working day at most; issue-level
# hardening (idle timeout, 2FA) builds on these.
CMM_SESSION_IDLE_SECONDS = envint("CMM_SESSION_IDLE_MINUTES", 15) * 60
CMM_SESSION_MAX_SECONDS = envint("CMM_SESSION_MAX_HOURS", 12) * 60 * 60
# The page warns this long before the session ends, and saves unsaved forms as drafts this
# long before (static/js/session.js).
CMM_SESSION_WARNING_SECONDS = envint("CMM_SESSION_WARNING_SECONDS", 120)
CMM_DRAFT_SAVE_SECONDS = envint("CMM_DRAFT_SAVE_SECONDS", 20)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = envint("DJANGO_SESSION_COOKIE_AGE", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Nothing is loaded from elsewhere; scripts and styles only from this site, inline scripts
# only with the request's nonce; no plugins, no <base>, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix binds the cookies to this host, over HTTPS, for the whole site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if envbool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Server errors are mailed to these addresses (comma-separated; none by default).
ADMINS = [(address, address) for address in envlist("CMM_ERROR_EMAILS", "")]
# Error reports name the page and the error, never what was typed (cmm/core/errors.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "cmm.core.errors.PersonalDataReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "cmm.core.errors.PersonalDataExceptionReporter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "cmm.core.errors.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {
            "()": "cmm.core.errors.ValueFreeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
        "mail_admins": {
            "class": "cmm.core.errors.ValueFreeAdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # Never below INFO, whatever DJANGO_LOG_LEVEL says: at DEBUG the template engine logs
    # failed variable lookups with the page's whole context, and the database backend logs
    # every SQL statement with its parameters; both are a victim's personal data.
    "loggers": {
        # Django's own handlers replaced: its console handler and its error mail would
        # format records without ValueFreeFormatter.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.template": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
    },
}

# Kosovo is not in ISO 3166 but is a nationality CMM records (code XK, as the EU uses).
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}
