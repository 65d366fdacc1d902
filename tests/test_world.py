"""The test world survives a transactional test's flush (tests/world.py):
the browser and worker tests read the same geography and the same published
figures as the others, without loading and publishing again, and nothing a
test wrote is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection

from bti.models import Organisation
from indicators.models import Indicator, Snapshot, Territory
from pf2s.access import EDITOR_GROUP
from tests.environment import SERVICES_REQUIRED
from tests.geography import HDF
from tests.world import _KEPT, world_flush, world_written

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" and not SERVICES_REQUIRED,
    reason=(
        "the world is kept as PostgreSQL COPY data; on SQLite (quick start) it is loaded again after "
        "each flush instead (CI runs on PostgreSQL with PF2S_REQUIRE_SERVICES=1: there it runs or fails)"
    ),
)


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in _KEPT:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_what_tests_wrote_and_puts_the_world_back_as_it_was(client, published, personas):
    before = client.get("/api/v1/indicators/SOI-01/values/?level=departement").json()
    assert {row["territory_code"] for row in before} == set(HDF.departement_codes)
    label = Indicator.objects.get(code="SOI-01").label
    counts = row_counts()
    assert world_written() == set()  # accounts and organisations are not the world

    Indicator.objects.filter(code="SOI-01").update(label="Changé par un test")
    assert world_written() == {"indicators_indicator"}
    Territory.objects.filter(level="commune", code="80021").update(name="Ailleurs")

    assert world_flush()

    assert not get_user_model().objects.exists()  # what the test made is gone
    assert not Organisation.objects.exists()
    assert Indicator.objects.get(code="SOI-01").label == label  # what it changed is back
    assert Territory.objects.get(level="commune", code="80021").name == "Amiens"
    assert row_counts() == counts  # and every other table of the world, the ones the DELETEs reached too
    assert Territory.objects.filter(level="epci").count() == HDF.epci
    current = Snapshot.objects.get(is_current=True)
    assert Path(current.directory, "SOI-01.parquet").exists()
    assert client.get("/api/v1/indicators/SOI-01/values/?level=departement").json() == before
    assert world_written() == set()
    # post_migrate ran, as after Django's flush: roles and their permissions are there
    assert Group.objects.get(name=EDITOR_GROUP).permissions.exists() and Permission.objects.exists()
    # an id is never given twice (an organisation's id keys its partners' cached answers)
    assert Organisation.objects.create(name="Après", short_name="APR").pk > personas.org_b.pk


@pytest.mark.django_db
def test_a_write_rolled_back_leaves_no_mark(published):
    """Rolled-back tests run before transactional ones (pytest-django's
    order): the test above starts by finding no mark left by this one."""
    Indicator.objects.filter(code="SOI-01").update(label="Annulé")
    assert world_written() == {"indicators_indicator"}  # the rollback takes the mark with the write
