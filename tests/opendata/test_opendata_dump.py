"""The full open-data dump: every open indicator at the public levels."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from opendata.services import opendata_dump_build

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
    data = pd.read_csv(io.BytesIO(archive.read("pf2s-donnees-ouvertes.csv")), sep=";", dtype=str,
                       encoding="utf-8-sig")
    assert set(data["indicator"]) == {"ALL-01", "SOI-01", "MOR-01", "MOR-02", "MPR-01", "EMP-01", "LOG-01", "LOG-05"}
    assert set(data["level"]) == {"france", "region", "departement", "epci"}
    secret = data[data["status"] == "secret"]
    assert len(secret) and (secret["value"] == "secret").all()
    book = openpyxl.load_workbook(io.BytesIO(archive.read("pf2s-donnees-ouvertes.xlsx")))
    assert book.sheetnames == ["Données", "Métadonnées"]
    assert book["Données"].max_row == len(data) + 1
    assert "démonstration" in archive.read("LISEZMOI.txt").decode()
