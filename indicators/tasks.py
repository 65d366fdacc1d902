"""Celery tasks of the indicators app. Each takes ids, calls one service or
selector, and records its state and timing on a JobRun row.

Each task first claims its job (services.job_claim): it runs a job only in
the state it expects, so a message the broker hands out again (after a
worker died, or twice) never reruns a job that is running, done, or that
the sweeper gave up. Acknowledgement is chosen per task:
- the publication is acknowledged when it starts and never redelivered: a
  run whose worker died is marked failed and done again only when someone
  asks (the run itself may have killed its worker, by its memory);
- the other jobs are idempotent: acknowledged at the end, redelivered when
  their worker is lost, and they take over a run whose process died."""

from __future__ import annotations

import socket

from celery import shared_task

from . import selectors, services


def _worker(task) -> str:
    """The Celery node running the task (the host name when run in-process)."""
    return getattr(task.request, "hostname", None) or socket.gethostname()


@shared_task(bind=True, acks_late=True, max_retries=3)
def geography_check(self, job_id: int) -> dict:
    """Check the geography's invariants and record the result on the job."""
    if services.job_claim(job_id=job_id, worker=_worker(self), take_over_dead=True) is None:
        return {"skipped": "job not queued"}
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


@shared_task(bind=True, acks_late=False)
def snapshot_publish(self, job_id: int, indicator_codes: list[str] | None = None) -> int | None:
    """Recompute the whole catalogue (or some indicators) and publish a
    snapshot, then start what follows every publication (publish.snapshot_published:
    the hooks of PF2S_AFTER_PUBLICATION, the own territories not decided yet).
    Runs only a queued job; a failed run leaves neither files nor a snapshot
    being built."""
    from . import publish

    if services.job_claim(job_id=job_id, worker=_worker(self)) is None:
        return None
    try:
        snapshot = publish.snapshot_publish(job_id=job_id, indicator_codes=indicator_codes)
    except BaseException as exc:  # Ctrl-C too, where a command runs it
        services.job_finish(job_id=job_id, error=repr(exc))
        raise
    services.job_finish(
        job_id=job_id, result={"snapshot": snapshot.pk, "status": snapshot.status, "timings": snapshot.timings}
    )
    if snapshot.is_current:
        publish.snapshot_published(snapshot_id=snapshot.pk)
    return snapshot.pk


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def own_version_check(self, job_id: int, version_id: int) -> dict:
    """Decide a partner's own territory (one version) in the current
    snapshot and write its figures. Idempotent."""
    from .own_check import own_version_check as check

    if services.job_claim(job_id=job_id, worker=_worker(self), take_over_dead=True) is None:
        return {"skipped": "job not queued"}
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


@shared_task
def jobs_sweep() -> list[int]:
    """Beat entry point (and at every worker start, pf2s.celery): mark
    failed the jobs whose worker died, abandon their snapshots."""
    return services.jobs_abandon_dead()
