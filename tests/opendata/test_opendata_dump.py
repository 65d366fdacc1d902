"""The full open-data dump: every open indicator at the public levels."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from indicators.choices import JobState
from indicators.models import JobRun
from opendata.models import OpenDataDump
from opendata.services import opendata_dump_build, opendata_dump_queue
from opendata.tasks import opendata_dump_check

pytestmark = pytest.mark.django_db


def test_it_builds_and_serves_the_dump(client, published):
    assert "en cours de préparation" in client.get("/donnees-ouvertes/").content.decode()
    dump = opendata_dump_build(snapshot_id=published.pk)
    assert opendata_dump_build(snapshot_id=published.pk).pk == dump.pk  # idempotent
    page = client.get("/donnees-ouvertes/").content.decode()
    assert "Télécharger l'export complet" in page and f"n° {published.pk}" in page
    response = client.get("/donnees-ouvertes/telecharger/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert set(archive.namelist()) == {"pf2s-donnees-ouvertes.csv", "pf2s-donnees-ouvertes.xlsx", "LISEZMOI.txt"}
    data = pd.read_csv(io.BytesIO(archive.read("pf2s-donnees-ouvertes.csv")), sep=";", dtype=str, encoding="utf-8-sig")
    assert set(data["indicator"]) == {"ALL-01", "SOI-01", "MOR-01", "MOR-02", "MPR-01", "EMP-01", "LOG-01", "LOG-05"}
    assert set(data["level"]) == {"france", "region", "departement", "epci"}
    secret = data[data["status"] == "secret"]
    assert len(secret) and (secret["value"] == "secret").all()
    book = openpyxl.load_workbook(io.BytesIO(archive.read("pf2s-donnees-ouvertes.xlsx")))
    assert book.sheetnames == ["Données", "Métadonnées"]
    assert book["Données"].max_row == len(data) + 1
    assert "démonstration" in archive.read("LISEZMOI.txt").decode()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "opendata"


def test_a_failed_dump_leaves_no_partial_file(published, media, monkeypatch, django_capture_on_commit_callbacks):
    def killed_midway(snapshot):
        assert len(list(media.glob("*.part"))) == 1  # the zip is being written
        raise MemoryError

    monkeypatch.setattr("opendata.services._readme", killed_midway)
    with pytest.raises(MemoryError), django_capture_on_commit_callbacks(execute=True):
        job = opendata_dump_queue(snapshot_id=published.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "MemoryError" in job.error
    assert list(media.iterdir()) == [] and not OpenDataDump.objects.exists()


def test_a_missing_dump_of_the_current_snapshot_is_rebuilt(
    client, published, media, django_capture_on_commit_callbacks
):
    media.mkdir()
    killed = JobRun.objects.create(name=f"opendata_dump {published.pk}", state=JobState.FAILED)
    (media / f"pf2s-donnees-ouvertes-{published.pk}.zip.job{killed.pk}.part").write_bytes(b"PK")
    with django_capture_on_commit_callbacks(execute=True):
        job_id = opendata_dump_check()
    assert JobRun.objects.get(pk=job_id).state == JobState.SUCCEEDED
    assert [p.name for p in media.iterdir()] == [f"pf2s-donnees-ouvertes-{published.pk}.zip"]
    assert client.get("/donnees-ouvertes/telecharger/").status_code == 200
    assert opendata_dump_check() is None  # there: nothing to do

    Path(OpenDataDump.objects.get().path).unlink()  # a lost volume
    assert client.get("/donnees-ouvertes/telecharger/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert opendata_dump_check() is not None
    assert client.get("/donnees-ouvertes/telecharger/").status_code == 200


REBUILD = "/admin/opendata/opendatadump/reconstruire/"


def test_staff_with_the_right_rebuild_the_dump_from_the_admin(
    client, published, media, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    assert "Reconstruire l'export" in client.get("/admin/opendata/opendatadump/").content.decode()
    assert client.get(REBUILD).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REBUILD, follow=True)
    assert f"instantané {published.pk} lancée" in response.content.decode()
    first = Path(OpenDataDump.objects.get(snapshot=published).path).stat().st_ino
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REBUILD)  # the file exists: rebuilt all the same
    assert Path(OpenDataDump.objects.get(snapshot=published).path).stat().st_ino != first
    assert JobRun.objects.filter(name=f"opendata_dump {published.pk}", state=JobState.SUCCEEDED).count() == 2

    client.force_login(personas.editor)  # staff without the right
    assert client.post(REBUILD).status_code == 403
    assert JobRun.objects.filter(name__startswith="opendata_dump").count() == 2
