"""Zhurnal settings: one module, every deployment choice from environment variables."""

from __future__ import annotations

import secrets
from pathlib import Path

import csp.constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from zhurnal.core.dbconfig import database_settings
from zhurnal.core.env import env_bool, env_int, env_list, env_str, throwaway_instance

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ZHURNAL_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("ZHURNAL_DEBUG", False)
# A deployment must set its own key. Only the demo (`zhurnal demo`) and the test suite start
# without one: they get a random key for this process, so nothing they sign outlives them.
SECRET_KEY = env_str("ZHURNAL_SECRET_KEY", "")
if not SECRET_KEY:
    if not throwaway_instance():
        raise ImproperlyConfigured(
            "ZHURNAL_SECRET_KEY is not set. Set it to a long random string (for example "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`); only "
            "`zhurnal demo` and the test suite run without one."
        )
    SECRET_KEY = secrets.token_urlsafe(50)
# The key that signs the audit chain's head (kept outside the database); when empty, a key
# file in ZHURNAL_VAR_DIR is made on first use.
ZHURNAL_AUDIT_KEY = env_str("ZHURNAL_AUDIT_KEY", "")
# Audit heads file (backups and audit, issue 11): every signed head of the audit chain is
# also appended here, outside the database; best on storage the database's administrators
# cannot rewrite. Empty: ZHURNAL_VAR_DIR/audit-heads.jsonl.
ZHURNAL_AUDIT_HEADS_FILE = env_str("ZHURNAL_AUDIT_HEADS_FILE", "")
# Backups (`zhurnal backup`/`restore`): where pg_dump and pg_restore are; empty: the newest
# under /usr/lib/postgresql/*/bin, else PATH.
ZHURNAL_PG_BIN_DIR = env_str("ZHURNAL_PG_BIN_DIR", "")
ALLOWED_HOSTS = env_list("ZHURNAL_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ZHURNAL_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "zhurnal.core",
    "zhurnal.audit",
    "zhurnal.schools",
    "zhurnal.people",
    "zhurnal.timetable",
    "zhurnal.journal",
    "zhurnal.plans",
    "zhurnal.diary",
    "zhurnal.accounts",
    "zhurnal.imports",
    "zhurnal.demo",
    "zhurnal.notifications",
    "zhurnal.api",
    "zhurnal.control",
    "zhurnal.monitoring",
    "zhurnal.archive",
    "zhurnal.students",
    "zhurnal.setup",
    "zhurnal.home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Serving (issue 13): pages and JSON gzipped; first after the two that answer without
    # a body of ours, so that it compresses what every later middleware produced. WhiteNoise
    # answers static files itself, with its own pre-compressed copies.
    "zhurnal.core.compression.TextGZipMiddleware",
    # Hardening (issue 11): the Content-Security-Policy on every page, not on static files.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Hardening (issue 11): no page or API answer with personal data is kept in any cache.
    "zhurnal.core.middleware.NoStoreMiddleware",
    "zhurnal.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhurnal.audit.middleware.AuditContextMiddleware",
    # Sign-in security (issue 11): the second factor and the idle timeout before anything else
    # the user reaches; axes turns a lockout into its page and must come last.
    "zhurnal.people.security.SignInPolicyMiddleware",
    "zhurnal.accounts.middleware.ForcePasswordChangeMiddleware",
    # Privacy notice (issue 11, S8): a family login accepts the current version first.
    "zhurnal.people.privacy.middleware.PrivacyNoticeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "zhurnal.accounts.context_processors.roles",
            ],
        },
    }
]
# Simple widgets written in Python, the same HTML as Django's templates: the lesson sheet
# draws some 430 of them (zhurnal/core/formrenderer.py).
FORM_RENDERER = "zhurnal.core.formrenderer.FastRenderer"

_default_db = f"sqlite:///{VAR_DIR / 'zhurnal.sqlite3'}"
# Connections (docs/operations.md, "Serving"): PostgreSQL keeps each worker's connection for
# ZHURNAL_DB_CONN_MAX_AGE seconds, or ZHURNAL_DB_POOL=MIN,MAX borrows from psycopg's pool;
# ZHURNAL_DB_PGBOUNCER=1 behind PgBouncer in transaction mode. SQLite is unchanged.
DATABASES = {
    "default": database_settings(
        url=env_str("DATABASE_URL", _default_db),
        conn_max_age=env_int("ZHURNAL_DB_CONN_MAX_AGE", 60),
        pool=env_str("ZHURNAL_DB_POOL", ""),
        pgbouncer=env_bool("ZHURNAL_DB_PGBOUNCER", False),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account or address is refused even with the right password.
    "zhurnal.accounts.backends.LockoutBackend",
    "zhurnal.accounts.backends.UsernameOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("ZHURNAL_FAST_PASSWORD_HASHER", False):
    # Test runs only: argon2 is deliberately slow and the suite creates many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LANGUAGE_CODE = "uk"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [Path(env_str("ZHURNAL_LOCALE_DIR", str(BASE_DIR / "locale")))]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("ZHURNAL_TIME_ZONE", "Europe/Kyiv")

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Static files with far-future caching (docs/operations.md, "Serving"): once collected
# (`zhurnal serve` does it), pages name hashed, pre-compressed copies that WhiteNoise serves
# as immutable; before that, and in the demo and the test suite, the plain names.
ZHURNAL_STATIC_MANIFEST = env_bool("ZHURNAL_STATIC_MANIFEST", not throwaway_instance())
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "zhurnal.core.staticfiles.HashedStaticFilesStorage"
            if ZHURNAL_STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Plain names (before a collect, the service worker's precache list) are served from the
# source folders too.
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ZHURNAL_IMPORT_MAX_BYTES = env_int("ZHURNAL_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Files that cannot hurt (issue 11): an uploaded workbook is a zip; what it may unpack to and
# how many rows of people it may hold are checked before and while it is parsed.
ZHURNAL_IMPORT_MAX_UNPACKED_BYTES = env_int("ZHURNAL_IMPORT_MAX_UNPACKED_BYTES", 25 * 1024 * 1024)
ZHURNAL_IMPORT_MAX_ROWS = env_int("ZHURNAL_IMPORT_MAX_ROWS", 5000)
# The address people open, for links in e-mails (unsubscribe, password reset).
ZHURNAL_BASE_URL = env_str("ZHURNAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ZHURNAL_API_RATE_PER_MINUTE = env_int("ZHURNAL_API_RATE_PER_MINUTE", 120)
ZHURNAL_ACCESS_CODE_DAYS = env_int("ZHURNAL_ACCESS_CODE_DAYS", 14)
ZHURNAL_HOMEWORK_MAX_BYTES = env_int("ZHURNAL_HOMEWORK_MAX_BYTES", 10 * 1024 * 1024)
# Current marks per student per subject per month that count as a full journal (docs/fill-level.md)
ZHURNAL_MARK_DENSITY_TARGET = env_int("ZHURNAL_MARK_DENSITY_TARGET", 2)
# Archive retention in whole years per document kind, counted from 1 January of the year
# after the year was closed (zhurnal.archive.register.keep_until).
ZHURNAL_RETENTION_JOURNAL_YEARS = env_int("ZHURNAL_RETENTION_JOURNAL_YEARS", 5)
ZHURNAL_RETENTION_SUMMARY_YEARS = env_int("ZHURNAL_RETENTION_SUMMARY_YEARS", 25)
ZHURNAL_RETENTION_REGISTER_YEARS = env_int("ZHURNAL_RETENTION_REGISTER_YEARS", 5)
# The case (nomenclature index) each kind of archival document is filed under; a school
# whose nomenclature of cases differs sets its own (zhurnal.archive.packaging.builders).
ZHURNAL_ARCHIVE_NOMENCLATURE = {
    "class_journal": env_str("ZHURNAL_NOMENCLATURE_JOURNAL", "01-10"),
    "summary_sheet": env_str("ZHURNAL_NOMENCLATURE_SUMMARY", "01-11"),
    "substitution_register": env_str("ZHURNAL_NOMENCLATURE_REGISTER", "01-12"),
}

EMAIL_BACKEND = env_str("ZHURNAL_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("ZHURNAL_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("ZHURNAL_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("ZHURNAL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("ZHURNAL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ZHURNAL_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("ZHURNAL_FROM_EMAIL", "zhurnal@localhost")

SESSION_COOKIE_HTTPONLY = True

# Sign-in security (issue 11; docs/operations.md): lockout after repeated wrong passwords,
# the second factor, idle timeouts and re-authentication before sensitive actions.
# Addresses (or networks) of the reverse proxies in front of Zhurnal, whose X-Forwarded-For
# is believed; empty: the connection's own address is the client's (zhurnal.core.clientip).
ZHURNAL_TRUSTED_PROXIES = env_list("ZHURNAL_TRUSTED_PROXIES", [])
AXES_FAILURE_LIMIT = env_int("ZHURNAL_LOGIN_FAILURE_LIMIT", 10)  # wrong passwords per account
# Per address the limit is higher: a whole school may sit behind one address.
ZHURNAL_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("ZHURNAL_LOGIN_ADDRESS_FAILURE_LIMIT", 50)
ZHURNAL_LOGIN_LOCKOUT_MINUTES = env_int("ZHURNAL_LOGIN_LOCKOUT_MINUTES", 15)
AXES_COOLOFF_TIME = ZHURNAL_LOGIN_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "zhurnal.accounts.lockout.LoginLockoutHandler"
AXES_USERNAME_CALLABLE = "zhurnal.accounts.lockout.account_key"
AXES_CLIENT_IP_CALLABLE = "zhurnal.core.clientip.client_address"
AXES_LOCKOUT_CALLABLE = "zhurnal.accounts.lockout.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the security log shown to the account's owner
AXES_RESET_ON_SUCCESS = False  # one's own success must not wipe the count of an address
AXES_VERBOSE = False
# Roles that must sign in with a second factor unless the community or school decides
# otherwise (zhurnal.schools.models.SecondFactorPolicy).
ZHURNAL_2FA_REQUIRED_ROLES = env_list(
    "ZHURNAL_2FA_REQUIRED_ROLES", ["director", "deputy", "school_admin", "department"]
)
OTP_TOTP_ISSUER = env_str("ZHURNAL_2FA_ISSUER", "Zhurnal")
# Idle session timeouts: staff (anyone holding a staff role) and families.
ZHURNAL_IDLE_MINUTES_STAFF = env_int("ZHURNAL_IDLE_MINUTES_STAFF", 30)
ZHURNAL_IDLE_MINUTES_FAMILY = env_int("ZHURNAL_IDLE_MINUTES_FAMILY", 7 * 24 * 60)
# Closing a year, issuing access codes in bulk, exporting personal data: the password (and
# the second factor, if enrolled) entered within this many minutes.
ZHURNAL_REAUTH_MINUTES = env_int("ZHURNAL_REAUTH_MINUTES", 10)
SESSION_COOKIE_SECURE = env_bool("ZHURNAL_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Hardening (issue 11; docs/operations.md). HSTS is sent only on answers over HTTPS; behind a
# reverse proxy that ends TLS, ZHURNAL_BEHIND_HTTPS_PROXY=1 makes Django believe the proxy's
# X-Forwarded-Proto (the proxy must set it itself, overwriting what the client sent).
SECURE_HSTS_SECONDS = env_int("ZHURNAL_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ZHURNAL_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("ZHURNAL_HSTS_PRELOAD", False)
if env_bool("ZHURNAL_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("ZHURNAL_SSL_REDIRECT", False)
SECURE_REFERRER_POLICY = "same-origin"
# No inline script and no inline style anywhere: every script and style sheet is a static
# file of our own; images may be data: URIs (QR codes); nothing is framed or framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "manifest-src": [csp.SELF],
        "worker-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# How long an operator's access to a school's personal data may be granted for (days).
ZHURNAL_OPERATOR_GRANT_MAX_DAYS = env_int("ZHURNAL_OPERATOR_GRANT_MAX_DAYS", 7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No secret of a token link (calendar feed, unsubscribe, password reset) in the log.
    "filters": {"secret_paths": {"()": "zhurnal.core.logfilters.RedactSecretPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secret_paths"]}},
    "root": {"handlers": ["console"], "level": env_str("ZHURNAL_LOG_LEVEL", "WARNING")},
}

# Background work (notifications, reports, archives): django-tasks with its database
# backend, so no broker runs; `zhurnal db_worker` (or the demo) executes the queue.
TASKS = {
    "default": {"BACKEND": env_str("ZHURNAL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}
}
