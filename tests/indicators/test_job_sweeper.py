"""Jobs whose worker died are marked failed, with their snapshot being
built; a message handed out again never reruns such a job; a publication
that fails cleans up after itself; every publication path builds the
open-data dump."""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from indicators.choices import JobState, SnapshotStatus
from indicators.models import JobRun, Snapshot
from indicators.services import JOB_LOST, JOB_NEVER_STARTED, snapshot_publish_queue
from indicators.snapshot_store import snapshots_root
from indicators.tasks import jobs_sweep, snapshot_publish
from opendata.models import OpenDataDump

pytestmark = pytest.mark.django_db


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def running(**fields) -> JobRun:
    now = timezone.now()
    values = {
        "name": "snapshot_publish",
        "state": JobState.RUNNING,
        "started_at": now,
        "heartbeat_at": now,
        "worker": "celery@elsewhere",
        "worker_host": socket.gethostname(),
        "worker_pid": os.getpid(),
        **fields,
    }
    return JobRun.objects.create(**values)


def test_it_fails_the_jobs_of_dead_workers_and_abandons_their_snapshots(published, tmp_path):
    killed = running(worker_pid=dead_pid(), percent=20, step="agrégation")
    orphan_dir = tmp_path / "orphan"
    orphan_dir.mkdir()
    (orphan_dir / "ALL-01.parquet").write_bytes(b"partial")
    orphan = Snapshot.objects.create(job=killed, directory=str(orphan_dir))
    alive = running()
    building_alive = Snapshot.objects.create(job=alive, directory=str(tmp_path / "alive"))
    silent = running(
        worker_host="another-machine", worker_pid=1, heartbeat_at=timezone.now() - dt.timedelta(minutes=20)
    )
    remote_alive = running(worker_host="another-machine", worker_pid=1)
    waiting = JobRun.objects.create(name="snapshot_publish")
    lost = JobRun.objects.create(name="snapshot_publish")
    JobRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))

    assert sorted(jobs_sweep()) == sorted([killed.pk, silent.pk, lost.pk])

    for job in (killed, silent, lost, alive, remote_alive, waiting):
        job.refresh_from_db()
    assert killed.state == silent.state == lost.state == JobState.FAILED
    assert killed.error == silent.error == JOB_LOST
    assert "Le processus de calcul s'est arrêté" in JOB_LOST and killed.finished_at
    assert lost.error == JOB_NEVER_STARTED
    assert alive.state == remote_alive.state == JobState.RUNNING and waiting.state == JobState.QUEUED
    orphan.refresh_from_db()
    building_alive.refresh_from_db()
    assert orphan.status == SnapshotStatus.FAILED and not orphan_dir.exists()
    assert building_alive.status == SnapshotStatus.BUILDING
    published.refresh_from_db()
    assert published.is_current and published.status == SnapshotStatus.PUBLISHED
    assert (Path(published.directory) / "ALL-01.parquet").exists()


@pytest.mark.parametrize("state", [JobState.FAILED, JobState.RUNNING, JobState.SUCCEEDED])
def test_a_publication_handed_out_again_runs_only_a_queued_job(published, state):
    """The broker may deliver a publication again (visibility timeout, a
    second worker): a job given up, running or done is left alone."""
    job = running(state=state, error=JOB_LOST if state == JobState.FAILED else "")
    snapshots = Snapshot.objects.count()
    assert snapshot_publish.delay(job.pk).get() is None
    assert Snapshot.objects.count() == snapshots
    job.refresh_from_db()
    assert job.state == state and job.worker == "celery@elsewhere"
    assert Snapshot.objects.get(is_current=True) == published


def test_a_failed_publication_leaves_no_building_snapshot_and_no_file(
    published, monkeypatch, django_capture_on_commit_callbacks
):
    def disk_full(directory, *args):
        assert list(directory.glob("*.parquet"))  # the indicators' files are written
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("indicators.snapshot_store.units_write", disk_full)  # after the indicators' files
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        job = snapshot_publish_queue()
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "No space left" in job.error
    failed = Snapshot.objects.get(job=job)
    assert Path(failed.directory).parent == snapshots_root()  # its files were all in there
    assert failed.status == SnapshotStatus.FAILED and not Path(failed.directory).exists()
    assert not Snapshot.objects.filter(status=SnapshotStatus.BUILDING).exists()
    assert Snapshot.objects.get(is_current=True) == published
    assert not JobRun.objects.filter(name__startswith="opendata_dump").exists()


def test_the_command_line_publication_builds_the_open_data_dump(
    published, settings, tmp_path, client, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_snapshot", stdout=io.StringIO())
    fresh = Snapshot.objects.get(is_current=True)
    assert fresh != published and fresh.job.state == JobState.SUCCEEDED
    dump = OpenDataDump.objects.get(snapshot=fresh)
    assert Path(dump.path).exists() and JobRun.objects.get(name=f"opendata_dump {fresh.pk}").state == "succeeded"
    assert client.get("/donnees-ouvertes/telecharger/").status_code == 200
