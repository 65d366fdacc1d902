"""Staff upload provider files in the admin and download the rejection report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import ImportBatch, JobRun, Observation, Source

pytestmark = pytest.mark.django_db
URL = "/admin/indicators/importbatch/importer/"


def upload(client, text: str, **extra):
    source = Source.objects.get(code="drees-rpps")
    return client.post(URL, {"source": source.pk, "file": SimpleUploadedFile("rpps.csv", text.encode()), **extra})


def test_a_file_with_an_error_is_refused_with_a_downloadable_report(client, published, personas):
    client.force_login(personas.admin)
    response = upload(
        client,
        "variable;code;periode;valeur\nmedecins_generalistes;80021;2022;250\nmedecins_generalistes;99999;2022;3\n",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Fichier refusé" in page and "code commune inconnu" in page
    batch = ImportBatch.objects.get(file_name="rpps.csv")
    report = client.get(f"/admin/indicators/importbatch/{batch.pk}/rejets.csv")
    assert report["Content-Type"].startswith("text/csv")
    assert "3;code;code commune inconnu, fusion de communes ?;99999" in report.content.decode("utf-8-sig")
    assert not Observation.objects.filter(batch=batch).exists()


def test_a_clean_file_is_loaded_and_a_recompute_is_queued(
    client, published, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, "variable;code;periode;valeur\nmedecins_generalistes;80021;2022;251\n")
    assert "1 ligne(s) chargée(s)" in response.content.decode()
    assert (
        Observation.objects.get(variable__code="medecins_generalistes", territory__code="80021", period=2022).value
        == 251
    )
    assert JobRun.objects.filter(name="snapshot_publish").exists() and len(callbacks) == 1


def test_only_staff_may_import(client, published, personas):
    client.force_login(personas.partner_a)
    assert client.get(URL).status_code == 403
    client.force_login(personas.editor)  # staff without the permission
    assert client.get(URL).status_code == 403


def test_the_rejection_report_is_for_importers_only_and_safe_to_open(client, published, personas):
    """An editor (staff, no import right) does not read the provider's raw
    rows; an unknown report is a 404, not a 500; a value a spreadsheet would
    run as a formula is written as text."""
    client.force_login(personas.admin)
    upload(client, "variable;code;periode;valeur\nmedecins_generalistes;=1+2;2022;3\n")
    batch = ImportBatch.objects.get(file_name="rpps.csv")
    report = client.get(f"/admin/indicators/importbatch/{batch.pk}/rejets.csv").content.decode("utf-8-sig")
    assert report.splitlines()[1].endswith(";'=1+2")
    assert client.get(f"/admin/indicators/importbatch/{batch.pk + 1000}/rejets.csv").status_code == 404
    client.force_login(personas.editor)
    assert client.get(f"/admin/indicators/importbatch/{batch.pk}/rejets.csv").status_code == 403
