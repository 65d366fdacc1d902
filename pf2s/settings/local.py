"""The quick start: `make run`. SQLite and eager Celery unless DATABASE_URL and
REDIS_URL say otherwise."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# the quick start may write demonstration accounts and data (pf2s.demo)
PF2S_DEMO_ALLOWED = True
