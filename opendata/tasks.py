"""Celery tasks of the open-data app."""

from __future__ import annotations

import socket

from celery import shared_task

from indicators.services import job_claim, job_finish

from .services import opendata_dump_build, opendata_dump_ensure


# Idempotent, and the full download stays missing until it is done: kept in
# the broker until it ends (acks_late), handed out again if its worker is
# lost, and it takes over a run whose process died (see indicators.tasks).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def opendata_dump(self, job_id: int, snapshot_id: int, force: bool = False) -> int | None:
    """Build the full open-data dump of a snapshot, recorded on its job."""
    worker = getattr(self.request, "hostname", None) or socket.gethostname()
    if job_claim(job_id=job_id, worker=worker, take_over_dead=True) is None:
        return None
    try:
        dump = opendata_dump_build(snapshot_id=snapshot_id, job_id=job_id, force=force)
    except Exception as exc:
        job_finish(job_id=job_id, error=repr(exc))
        raise
    job_finish(job_id=job_id, result={"snapshot": snapshot_id, "dump": dump.pk, "rows": dump.rows, "size": dump.size})
    return dump.pk


@shared_task
def opendata_dump_check() -> int | None:
    """Beat entry point: rebuild the current snapshot's dump if it is
    missing. Returns the job queued, if any."""
    job = opendata_dump_ensure()
    return job.pk if job else None
