"""Celery application: broker and result store are Redis (REDIS_URL); the
quick start runs tasks eagerly when REDIS_URL is not set.

When a worker starts, the jobs a dead worker left behind are marked failed
(with their snapshot being built and its files) and the open-data dump of
the current snapshot is queued if it is missing: a restart after a crash
leaves no job `running` forever and no full download missing. Beat does the
same every few minutes (settings: CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pf2s.settings.local")

app = Celery("pf2s")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)
_started: dict[str, object] = {}


@worker_init.connect
def _remember_start(sender=None, **kwargs) -> None:
    from django.utils import timezone

    _started["at"] = timezone.now()


@worker_ready.connect
def _sweep_at_start(sender=None, **kwargs) -> None:
    """Jobs this node ran before it started (an earlier life, killed) are
    dead whatever their pid says (a container's pids repeat)."""
    from django.db import connection

    from indicators.services import jobs_abandon_dead
    from opendata.services import opendata_dump_ensure

    try:
        dead = jobs_abandon_dead(node=getattr(sender, "hostname", ""), node_started_at=_started.get("at"))
        if dead:
            log.warning("Tâches abandonnées par un worker arrêté, marquées en échec : %s", dead)
        opendata_dump_ensure()
    finally:
        connection.close()  # not kept open by a thread that may run no task (threads pool)
