"""A real Celery worker process on Redis and PostgreSQL runs a task end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from indicators.choices import JobState
from indicators.models import JobRun
from indicators.services import geography_check_queue
from tests.conftest import SERVICES_REQUIRED

needs_services = pytest.mark.skipif(
    not SERVICES_REQUIRED and not (settings.REDIS_URL and connection.vendor == "postgresql"),
    reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)",
)


def start_worker(database_name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pf2s.settings.test",
        "PF2S_WORKER_DATABASE_NAME": database_name,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pf2s", "worker", "--pool=solo",
         "--concurrency=1", "--loglevel=INFO", "--without-mingle", "--without-gossip",
         "-n", f"test-{os.getpid()}@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@needs_services
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_queued_task(geography, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from pf2s.celery import app
    app.conf.task_always_eager = False
    app.control.purge()
    worker = start_worker(connection.settings_dict["NAME"])
    try:
        job = geography_check_queue()
        finished = wait_for(
            lambda: JobRun.objects.filter(pk=job.pk, state__in=[JobState.SUCCEEDED, JobState.FAILED]).exists(),
            timeout=60,
        )
        job.refresh_from_db()
        if not finished:
            worker.send_signal(signal.SIGTERM)
            output = worker.communicate(timeout=20)[0]
            pytest.fail(f"the worker did not finish the job (state {job.state}):\n{output[-3000:]}")
        assert job.state == JobState.SUCCEEDED, job.error
        assert job.worker.startswith("test-")
        assert job.started_at and job.finished_at and job.duration_seconds >= 0
        assert job.result["counts"]["commune"] == 3782
        assert job.result["consistent"] is True
        assert job.result["region_population"] == 6_003_283
    finally:
        app.conf.task_always_eager = True
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
