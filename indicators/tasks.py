"""Celery tasks of the indicators app. Each takes ids, calls one service or
selector, and records its state and timing on a JobRun row."""

from __future__ import annotations

import socket

from celery import shared_task

from . import selectors, services


@shared_task(bind=True, acks_late=True, max_retries=3)
def geography_check(self, job_id: int) -> dict:
    """Check the geography's invariants and record the result on the job."""
    services.job_start(job_id=job_id, worker=getattr(self.request, "hostname", None) or socket.gethostname())
    try:
        services.job_progress(job_id=job_id, step="contrôle de la géographie", percent=50)
        result = selectors.geography_integrity()
    except Exception as exc:
        services.job_finish(job_id=job_id, error=repr(exc))
        raise
    services.job_finish(job_id=job_id, result=result)
    return result


@shared_task
def geography_check_nightly() -> int:
    """Beat entry point: record a job and queue the check. Returns the job id."""
    return services.geography_check_queue().pk


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def snapshot_publish(self, job_id: int, indicator_codes: list[str] | None = None) -> int | None:
    """Recompute the whole catalogue (or some indicators) and publish a
    snapshot. Idempotent: a rerun computes the same values into a new one."""
    from .publication import snapshot_publish as publish

    services.job_start(job_id=job_id, worker=getattr(self.request, "hostname", None) or socket.gethostname())
    try:
        snapshot = publish(job_id=job_id, indicator_codes=indicator_codes)
    except Exception as exc:
        services.job_finish(job_id=job_id, error=repr(exc))
        raise
    services.job_finish(job_id=job_id, result={"snapshot": snapshot.pk, "status": snapshot.status,
                                               "timings": snapshot.timings})
    if snapshot.is_current:
        from opendata.tasks import opendata_dump

        from .own_check import versions_pending

        opendata_dump.delay(snapshot.pk)
        for version_id in versions_pending(snapshot):
            services.own_version_check_queue(version_id=version_id)
    return snapshot.pk


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def own_version_check(self, job_id: int, version_id: int) -> dict:
    """Decide a partner's own territory (one version) in the current
    snapshot and write its figures. Idempotent."""
    from .own_check import own_version_check as check

    services.job_start(job_id=job_id, worker=getattr(self.request, "hostname", None) or socket.gethostname())
    try:
        result = check(version_id=version_id, job_id=job_id)
    except Exception as exc:
        services.job_finish(job_id=job_id, error=repr(exc))
        raise
    services.job_finish(job_id=job_id, result=result)
    return result


@shared_task
def snapshot_publish_nightly() -> int:
    return services.snapshot_publish_queue().pk
