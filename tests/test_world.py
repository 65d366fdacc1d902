"""The test world survives a transactional test's flush (tests/world.py):
the browser and worker tests read the same geography and the same published
figures as the others, without loading and publishing again, and nothing a
test wrote is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from indicators.models import Indicator, Snapshot, Territory
from tests.geography import HDF
from tests.world import world_flush, world_written

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the world is kept as PostgreSQL COPY data")


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_what_tests_wrote_and_puts_the_world_back_as_it_was(client, published, personas):
    before = client.get("/api/v1/indicators/SOI-01/values/?level=departement").json()
    assert {row["territory_code"] for row in before} == set(HDF.departement_codes)
    label = Indicator.objects.get(code="SOI-01").label
    assert world_written() == set()  # accounts and organisations are not the world

    Indicator.objects.filter(code="SOI-01").update(label="Changé par un test")
    assert world_written() == {"indicators_indicator"}
    Territory.objects.filter(level="commune", code="80021").update(name="Ailleurs")

    assert world_flush()

    assert not get_user_model().objects.exists()  # what the test made is gone
    assert Indicator.objects.get(code="SOI-01").label == label  # what it changed is back
    assert Territory.objects.get(level="commune", code="80021").name == "Amiens"
    assert Territory.objects.filter(level="commune").count() == HDF.communes  # and what the cascade reached
    assert Territory.objects.filter(level="epci").count() == HDF.epci
    current = Snapshot.objects.get(is_current=True)
    assert Path(current.directory, "SOI-01.parquet").exists()
    assert client.get("/api/v1/indicators/SOI-01/values/?level=departement").json() == before
    assert world_written() == set()
    # an id is never given twice: answers are cached per snapshot id
    assert Snapshot.objects.create().pk > current.pk
