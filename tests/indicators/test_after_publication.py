"""What runs after a publication is registered in PF2S_AFTER_PUBLICATION
(the open-data dump by default), never imported by the engine: each hook is
called with the new snapshot once it is current, and a failing hook undoes
nothing and stops nothing else."""

from __future__ import annotations

import pytest

from bti.readers import reader_for_user
from bti.services import own_territory_create
from indicators.choices import JobState, SnapshotStatus
from indicators.models import JobRun, Snapshot
from indicators.publish import snapshot_published
from indicators.services import snapshot_publish_queue
from indicators.snapshot_store import current_snapshot

pytestmark = pytest.mark.django_db

CALLS: list[tuple[int, bool]] = []


def remember(*, snapshot_id: int) -> None:
    CALLS.append((snapshot_id, Snapshot.objects.get(pk=snapshot_id).is_current))


def broken(*, snapshot_id: int) -> None:
    raise RuntimeError("hook down")


@pytest.fixture(autouse=True)
def calls():
    CALLS.clear()
    yield CALLS
    CALLS.clear()


def test_it_calls_each_hook_with_the_new_current_snapshot(published, settings, django_capture_on_commit_callbacks):
    settings.PF2S_AFTER_PUBLICATION = [f"{__name__}.remember"]
    with django_capture_on_commit_callbacks(execute=True):
        job = snapshot_publish_queue()
    fresh = Snapshot.objects.get(is_current=True)
    assert fresh != published and fresh.job_id == job.pk
    assert CALLS == [(fresh.pk, True)]
    # the open-data dump is only one hook among others: unregistered, nothing queues it
    assert not JobRun.objects.filter(name__startswith="opendata_dump").exists()


def test_a_failing_hook_does_not_undo_the_publication(published, settings, django_capture_on_commit_callbacks):
    settings.PF2S_AFTER_PUBLICATION = [f"{__name__}.broken", f"{__name__}.remember"]
    with pytest.raises(RuntimeError, match="hook down"), django_capture_on_commit_callbacks(execute=True):
        job = snapshot_publish_queue()
    fresh = Snapshot.objects.get(is_current=True)
    assert fresh != published and fresh.job_id == job.pk and fresh.status == SnapshotStatus.PUBLISHED
    assert current_snapshot() == fresh
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and not job.error
    assert CALLS == [(fresh.pk, True)]  # the next hook ran all the same


def test_a_failing_hook_leaves_the_own_territories_checked(
    published, personas, settings, django_capture_on_commit_callbacks
):
    settings.PF2S_AFTER_PUBLICATION = [f"{__name__}.broken"]
    with django_capture_on_commit_callbacks():  # queued, not run: the published files stay as they are
        territory = own_territory_create(
            reader=reader_for_user(personas.partner_a), name="Deux", commune_codes=["80021", "80001"], check=False
        )
        with pytest.raises(RuntimeError, match="hook down"):
            snapshot_published(snapshot_id=published.pk)
    # one check at its creation, one after the publication it is not decided in
    assert JobRun.objects.filter(name=f"own_version_check {territory.version_id}").count() == 2
