"""Celery application: broker and result store are Redis (REDIS_URL); the
quick start runs tasks eagerly when REDIS_URL is not set."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pf2s.settings.local")

app = Celery("pf2s")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
