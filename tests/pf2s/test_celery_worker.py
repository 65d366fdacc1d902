"""A real Celery worker process on Redis and PostgreSQL runs a task end to end."""

from __future__ import annotations

import pytest

from indicators.choices import JobState
from indicators.models import JobRun
from indicators.services import geography_check_queue
from tests.geography import HDF
from tests.workers import RealWorker, needs_services, wait_for


@needs_services
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_queued_task(geography, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with RealWorker() as run:
        job = geography_check_queue()
        finished = wait_for(
            lambda: JobRun.objects.filter(pk=job.pk, state__in=[JobState.SUCCEEDED, JobState.FAILED]).exists(),
            timeout=60,
        )
        job.refresh_from_db()
        if not finished:
            pytest.fail(f"the worker did not finish the job (state {job.state}):\n{run.kill()[-3000:]}")
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.worker.startswith("test-")
    assert job.started_at and job.finished_at and job.duration_seconds >= 0
    assert job.result["counts"]["commune"] == HDF.communes
    assert job.result["consistent"] is True
    assert job.result["region_population"] == HDF.population
