"""Zhurnal settings: one module, every deployment choice from environment variables."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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
    "zhurnal.core",
    "zhurnal.audit",
    "zhurnal.schools",
    "zhurnal.people",
    "zhurnal.timetable",
    "zhurnal.journal",
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
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhurnal.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhurnal.audit.middleware.AuditContextMiddleware",
    "zhurnal.accounts.middleware.ForcePasswordChangeMiddleware",
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

_default_db = f"sqlite:///{VAR_DIR / 'zhurnal.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets diary readers go on while a teacher writes; IMMEDIATE takes the write lock
        # at BEGIN so that two writers never read the same audit-chain tail.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["zhurnal.accounts.backends.UsernameOrEmailBackend"]
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ZHURNAL_IMPORT_MAX_BYTES = env_int("ZHURNAL_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
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
SESSION_COOKIE_SECURE = env_bool("ZHURNAL_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ZHURNAL_LOG_LEVEL", "WARNING")},
}

# Background work (notifications, reports, archives): django-tasks with its database
# backend, so no broker runs; `zhurnal db_worker` (or the demo) executes the queue.
TASKS = {
    "default": {"BACKEND": env_str("ZHURNAL_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}
}
