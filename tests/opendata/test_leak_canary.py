"""Leak canary: marker numbers planted in a partners-only indicator and in a
secret commune cell must appear in no public page, export, API response or
schema fetched anonymously."""

from __future__ import annotations

import pytest

from tests.leak_canary import MARKERS, PARTNER_MARKER, Marker, crawl, markers_plant, public_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(published):
    return markers_plant(access="partners", label="Revenu témoin réservé aux partenaires")


def test_no_marker_reaches_an_anonymous_visitor(client, planted):
    from opendata.services import opendata_dump_build

    opendata_dump_build(snapshot_id=planted.pk)
    # every page, export and API answer of 5 open indicators
    assert crawl(client, public_urls(client), MARKERS) > 120


def test_the_markers_are_really_there_for_a_partner(client, planted, personas):
    """The canary would sing: a trained partner does see them."""
    client.force_login(personas.partner_a)
    values = client.get("/api/v1/indicators/EMP-01/values/?level=region").json()
    assert values[0]["value"] == PARTNER_MARKER
    amiens = client.get("/api/v1/indicators/ALL-01/values/?level=commune&territory=80021&period=2021").json()[0]
    assert amiens["status"] == "secret" and amiens["denominator"] is None
    csv_text = client.get("/indicateurs/ALL-01/export.csv?level=commune&period=2021").content.decode("utf-8-sig")
    assert "654321" not in csv_text  # secret for partners too


@pytest.mark.parametrize(
    "text, found",
    [
        ("revenu 987654 €", True),
        ("revenu 987 654 €", True),
        ("revenu 987\u202f654 €", True),
        ('{"value":987654}', True),
        ("987654", True),
        ("1987654", False),  # inside a longer number
        ("9876543", False),
        ("0.987654", False),  # inside a float's mantissa
        ("12,987654", False),
        ("\u0661987654", False),  # after a digit of another script
        ("987 65", False),
        ("1987654 et 987654", True),  # a refused match does not hide the next
    ],
)
def test_the_canary_hears_a_whole_marker_and_nothing_else(text, found):
    assert (MARKERS[0].search(text) is not None) is found


def test_a_match_may_start_inside_a_refused_one():
    assert Marker(r"123[\s]?123(?!\d)").search("0123 123 123") is not None
