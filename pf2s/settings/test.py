"""The test suite: the database and Redis come from DATABASE_URL / REDIS_URL
(CI sets both); Celery is eager except in the tests that start a real worker."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env, env_bool

PF2S_DEMO_ALLOWED = True  # the demo commands are tested here
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
# A worker started by a test joins that test's database.
if env("PF2S_WORKER_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = env("PF2S_WORKER_DATABASE_NAME")
# a worker process of the tests writes its mails to files the test reads
EMAIL_BACKEND = env("PF2S_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("PF2S_TEST_EMAIL_FILE_PATH", "")
NEWSLETTER_BATCH_SIZE = int(env("NEWSLETTER_BATCH_SIZE", "50"))
NEWSLETTER_BATCH_PAUSE = float(env("NEWSLETTER_BATCH_PAUSE", "0"))
PF2S_SITE_URL = "http://testserver"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PF2S_DATA_DIR = BASE_DIR / "var" / "test"
MEDIA_ROOT = PF2S_DATA_DIR / "media"
# Static files come from the finders in tests; whitenoise still wants the root to exist.
STATIC_ROOT = PF2S_DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}  # noqa: F405
# tests publish and roll back: always ask the database
PF2S_CURRENT_SNAPSHOT_TTL = 0.0
