"""A worker killed (kill -9) in the middle of a publication, then in the
middle of the open-data dump: the current snapshot stays the one served,
the restarted worker marks the dead jobs failed, removes their files, and
rebuilds the dump; the publication's message handed out again does nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from indicators.choices import JobState, SnapshotStatus
from indicators.models import JobRun, Snapshot
from indicators.services import JOB_LOST, snapshot_publish_queue
from indicators.snapshot_store import current_snapshot
from indicators.tasks import snapshot_publish
from opendata.models import OpenDataDump
from tests.workers import RealWorker, needs_services, wait_for


def state(job_id: int) -> str:
    return JobRun.objects.get(pk=job_id).state


@needs_services
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_publication_then_during_the_dump(published, settings, client):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    current = Snapshot.objects.get(is_current=True)
    before = pd.read_parquet(Path(current.directory) / "ALL-01.parquet")
    partials = Path(settings.MEDIA_ROOT) / "opendata"
    # this worker's dump stalls while writing its zip (tests/dump_stall.py)
    with RealWorker("publisher", app="tests.dump_stall") as run:
        job = snapshot_publish_queue()
        started = wait_for(
            lambda: JobRun.objects.filter(pk=job.pk, percent__gte=10).exists(), timeout=60, interval=0.02
        )
        assert started, run.kill()[-3000:]
        run.kill()  # kill -9, midway: after reading, before the switch
        orphan = Snapshot.objects.exclude(pk=current.pk).get(job=job)
        assert state(job.pk) == JobState.RUNNING and orphan.status == SnapshotStatus.BUILDING

        run.restart()  # sweeps at start, then builds the missing dump of the current snapshot
        assert wait_for(lambda: state(job.pk) == JobState.FAILED, timeout=60), run.kill()[-3000:]
        job.refresh_from_db()
        orphan.refresh_from_db()
        assert job.error == JOB_LOST and job.percent < 100
        assert orphan.status == SnapshotStatus.FAILED and not Path(orphan.directory).exists()
        current.refresh_from_db()
        assert current.is_current and current.status == SnapshotStatus.PUBLISHED
        pd.testing.assert_frame_equal(before, pd.read_parquet(Path(current.directory) / "ALL-01.parquet"))
        assert current_snapshot() == current  # the one every reader is served

        dump_job = JobRun.objects.get(name=f"opendata_dump {current.pk}")
        writing = wait_for(
            lambda: (
                state(dump_job.pk) == JobState.RUNNING
                and list(partials.glob(f"*-{current.pk}.zip.job{dump_job.pk}.part"))
            ),
            timeout=60,
        )
        assert writing, run.kill()[-3000:]
        run.kill()  # kill -9 while the zip is written
        assert client.get("/donnees-ouvertes/telecharger/").status_code == 404
        again = snapshot_publish.delay(job.pk)  # the broker hands the dead publication out again

        run.restart(app="pf2s")
        built = wait_for(lambda: OpenDataDump.objects.filter(snapshot=current).exists(), timeout=60)
        assert built, run.kill()[-3000:]
        assert again.get(timeout=30) is None  # ran, and did nothing
    assert state(dump_job.pk) == JobState.FAILED
    assert not list(partials.glob(f"*-{current.pk}.zip.*.part"))
    assert client.get("/donnees-ouvertes/telecharger/").status_code == 200
    assert f"Instantané n° {current.pk}" in client.get("/donnees-ouvertes/").content.decode()
    # the publication handed out again published nothing: the job is still failed
    assert not Snapshot.objects.exclude(pk__in=[current.pk, orphan.pk]).exists()
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.error == JOB_LOST
    assert Snapshot.objects.get(is_current=True) == current
