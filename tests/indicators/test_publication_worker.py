"""A worker killed (kill -9) in the middle of a publication run leaves the
current snapshot untouched, and the run can be done again."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from indicators.choices import JobState, SnapshotStatus
from indicators.models import JobRun, Snapshot
from indicators.services import snapshot_publish_queue
from tests.workers import RealWorker, needs_services, wait_for


@needs_services
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_killed_publication_leaves_the_current_snapshot_intact(published, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    current = Snapshot.objects.get(is_current=True)
    before = pd.read_parquet(Path(current.directory) / "ALL-01.parquet")
    with RealWorker("publisher") as run:
        job = snapshot_publish_queue()
        started = wait_for(lambda: JobRun.objects.filter(pk=job.pk, percent__gte=10).exists(),
                           timeout=60, interval=0.02)
        assert started, run.kill()[-3000:]
        run.kill()  # kill -9, midway: after reading, before the switch
        job.refresh_from_db()
        assert job.state == JobState.RUNNING and job.percent < 100
        current.refresh_from_db()
        assert current.is_current and Snapshot.objects.filter(is_current=True).count() == 1
        orphan = Snapshot.objects.exclude(pk=current.pk).get(job=job)
        assert orphan.status == SnapshotStatus.BUILDING and not orphan.is_current
        pd.testing.assert_frame_equal(before, pd.read_parquet(Path(current.directory) / "ALL-01.parquet"))

        run.restart()
        rerun = snapshot_publish_queue()
        assert wait_for(lambda: JobRun.objects.filter(
            pk=rerun.pk, state__in=[JobState.SUCCEEDED, JobState.FAILED]).exists(), timeout=120)
    rerun.refresh_from_db()
    assert rerun.state == JobState.SUCCEEDED, rerun.error
    fresh = Snapshot.objects.get(is_current=True)
    assert fresh.pk not in (current.pk, orphan.pk) and fresh.status == SnapshotStatus.PUBLISHED
    orphan.refresh_from_db()
    assert orphan.status == SnapshotStatus.FAILED
    current.refresh_from_db()
    assert current.status == SnapshotStatus.PUBLISHED and not current.is_current
    pd.testing.assert_frame_equal(before, pd.read_parquet(Path(fresh.directory) / "ALL-01.parquet"))
