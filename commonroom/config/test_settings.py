"""Settings for the test suite: fast password hashing, in-memory email, tasks run immediately.

DATABASE_URL picks the database (SQLite in memory by default; CI sets PostgreSQL).
"""

import os

os.environ.setdefault("COMMONROOM_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("COMMONROOM_DEBUG", "0")
os.environ.setdefault("COMMONROOM_HTTPS", "0")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

from commonroom.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: Argon2 is the real default
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
COMMONROOM_SMS_BACKEND = "commonroom.notifications.sms.LocmemBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
