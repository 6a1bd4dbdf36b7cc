"""Commonroom settings: twelve-factor, read from the environment.

COMMONROOM_SECRET_KEY  required unless COMMONROOM_DEBUG is on
COMMONROOM_DEBUG       "1" for local development (run.py sets it)
COMMONROOM_DEMO        "1" shows the "demo data" banner
DATABASE_URL           sqlite:///path or postgres://... (default: var/commonroom.sqlite3)
COMMONROOM_ALLOWED_HOSTS  comma separated (default: localhost names)
COMMONROOM_HTTPS       "1" marks cookies secure and sends HSTS (default: on unless debug)
COMMONROOM_EMAIL_URL   "console" (default) or "smtp://user:pass@host:port"
COMMONROOM_SMS_BACKEND, GOVUK_NOTIFY_API_KEY, GOVUK_NOTIFY_SMS_TEMPLATE_ID, COMMONROOM_SITE_URL   alerts (docs/alerts.md)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("COMMONROOM_DEBUG")
DEMO_MODE = env_bool("COMMONROOM_DEMO")
SECRET_KEY = os.environ.get("COMMONROOM_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("Set COMMONROOM_SECRET_KEY (or COMMONROOM_DEBUG=1 for local development).")
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 - debug only

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("COMMONROOM_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "commonroom.common",
    "commonroom.organisations",
    "commonroom.people",
    "commonroom.authz",
    "commonroom.identity",
    "commonroom.records",
    "commonroom.interop",
    "commonroom.family",
    "commonroom.notifications",
    "commonroom.messaging",
    "commonroom.liaison",
    "commonroom.learning",
    "commonroom.quizzes",
    "commonroom.resources",
    "commonroom.selfreview",
    "commonroom.wall",
    "commonroom.calendar",
    "commonroom.safeguarding",
    "commonroom.home",
    "commonroom.demo",
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
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "commonroom.identity.middleware.StaffSecondFactorMiddleware",
    "commonroom.common.middleware.PrivatePagesMiddleware",
]

ROOT_URLCONF = "commonroom.config.urls"
WSGI_APPLICATION = "commonroom.config.wsgi.application"

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
                "commonroom.common.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "commonroom.common.forms_renderer.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'var' / 'commonroom.sqlite3'}"),
        conn_max_age=int(os.environ.get("COMMONROOM_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; a busy timeout instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            # A transaction takes the write lock when it begins, so a read-check-write (a register
            # save checking what another device saved) cannot interleave with another writer.
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: sign-in by username or email; no open sign-up (parents join by invitation).
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "commonroom.identity.adapters.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
# Throttling and lockout: at most 5 failed sign-ins per account in 15 minutes
# (the account is then locked for the rest of that window) and 20 per address a minute.
ACCOUNT_RATE_LIMITS = {
    # Sign-ins of any outcome per address (allauth's default, 30 a minute); a school behind one NAT address
    # signing in a whole class at once may need more: COMMONROOM_LOGIN_RATE_LIMIT, for example "120/m/ip".
    "login": os.environ.get("COMMONROOM_LOGIN_RATE_LIMIT", "30/m/ip"),
    "login_failed": "20/m/ip,5/15m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    # Wrong invitation codes: codes carry 60 bits, and guessing is slowed further per address and account.
    "invitation_code_failed": "30/h/ip",
    "invitation_code_failed_user": "10/h/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Commonroom"

SESSION_COOKIE_AGE = 60 * 60 * 8  # a school day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
HTTPS = env_bool("COMMONROOM_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("COMMONROOM_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
BEHIND_PROXY = env_bool("COMMONROOM_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# Behind a reverse proxy, rate limits must key on the client's address, not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("COMMONROOM_PROXY_COUNT", "1")) if BEHIND_PROXY else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Videos in shared resources are framed only from these hosts (commonroom/resources/content.py); the
# CSP's frame-src is built from the same list.
RESOURCES_MEDIA_FRAME_HOSTS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *RESOURCES_MEDIA_FRAME_HOSTS],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
# Strings are marked for translation; Welsh ("cy") is offered once its catalogue exists, so that a
# page never claims to be Welsh while showing English.
LANGUAGES = [("en-gb", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = PROJECT_DIR / "var" / "media"

EMAIL_URL = os.environ.get("COMMONROOM_EMAIL_URL", "console")
if EMAIL_URL == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    from urllib.parse import unquote, urlparse

    # smtp://host:25 (plain), smtp+tls://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465 (TLS)
    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or {"smtps": 465, "smtp+tls": 587}.get(_mail.scheme, 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
    EMAIL_USE_SSL = _mail.scheme == "smtps"
DEFAULT_FROM_EMAIL = os.environ.get("COMMONROOM_FROM_EMAIL", "Commonroom <no-reply@commonroom.invalid>")

# Alerts to families (docs/alerts.md). Text messages go through a backend: console (prints) by default,
# GOV.UK Notify with "commonroom.notifications.sms.NotifyBackend" and the two GOVUK_NOTIFY_* settings.
COMMONROOM_SMS_BACKEND = os.environ.get("COMMONROOM_SMS_BACKEND", "commonroom.notifications.sms.ConsoleBackend")
GOVUK_NOTIFY_API_KEY = os.environ.get("GOVUK_NOTIFY_API_KEY", "")
GOVUK_NOTIFY_SMS_TEMPLATE_ID = os.environ.get("GOVUK_NOTIFY_SMS_TEMPLATE_ID", "")
# The address links in alerts point to (no trailing slash).
COMMONROOM_SITE_URL = os.environ.get("COMMONROOM_SITE_URL", "http://localhost:8000").rstrip("/")
# Self-review benchmarks: a comparison group smaller than this is not shown (docs/self-review.md).
SELFREVIEW_BENCHMARK_MIN_GROUP = int(os.environ.get("COMMONROOM_SELFREVIEW_BENCHMARK_MIN_GROUP", "5"))

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Rate limits (sign-in throttling) live in the cache: per process by default, Redis when deployed.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["COMMONROOM_REDIS_URL"]}
    if os.environ.get("COMMONROOM_REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("COMMONROOM_LOG_LEVEL", "WARNING")},
}
