"""The leak canary, extended to partners: markers in an indicator restricted
to organisation A and in secret commune cells are found by no other persona
on any channel (pages, exports, GeoJSON, SVG, API, search, sitemap)."""

from __future__ import annotations

import pytest

from tests.leak_canary import MARKERS, PARTNER_MARKER, crawl, markers_plant, public_urls

pytestmark = pytest.mark.django_db

SECRET_ONLY = [MARKERS[1]]  # the secret commune cell: hidden from everybody, partners of A included


@pytest.fixture
def planted_for_a(published, personas):
    return markers_plant(
        access="organisations", label="Revenu témoin réservé à l'organisation A", organisations=[personas.org_a]
    )


def partner_urls(client) -> list[str]:
    urls = public_urls(client)
    for indicator in client.get("/api/v1/indicators/").json():
        code = indicator["code"]
        for fmt in ("csv", "xlsx", "geojson", "svg"):
            urls.append(f"/indicateurs/{code}/export.{fmt}?level=commune")
        urls += [
            f"/indicateurs/{code}/?level=commune",
            f"/api/v1/indicators/{code}/values/?level=commune",
            f"/embed/indicateurs/{code}/carte/?level=commune",
        ]
    urls += [
        "/bti/",
        "/indicateurs/EMP-01/?level=commune",
        "/indicateurs/EMP-01/export.xlsx?level=commune",
        "/api/v1/indicators/EMP-01/values/?level=commune",
        "/recherche/?q=organisation",
        "/comparer/?indicators=EMP-01,ALL-01&territories=commune:80021,epci:248000531",
    ]
    return urls


@pytest.mark.parametrize("persona", ["subscriber", "partner_a_untrained", "partner_b", "editor"])
def test_no_other_persona_finds_a_marker(client, planted_for_a, personas, persona):
    personas.log_in(client, persona)
    assert crawl(client, partner_urls(client), MARKERS) > 150


def test_organisation_a_sees_its_indicator_but_never_the_secret_cell(client, planted_for_a, personas):
    client.force_login(personas.partner_a)
    values = client.get("/api/v1/indicators/EMP-01/values/?level=region").json()
    assert values[0]["value"] == PARTNER_MARKER  # the canary would sing
    for heard in ("/indicateurs/EMP-01/?level=region", "/indicateurs/EMP-01/export.xlsx?level=region"):
        with pytest.raises(AssertionError, match="987"):  # and the crawl hears it, in a page and in a file
            crawl(client, [heard], MARKERS)
    assert crawl(client, partner_urls(client), SECRET_ONLY) > 150


def test_a_cached_answer_for_organisation_a_is_never_served_to_b(client, planted_for_a, personas):
    client.force_login(personas.partner_a)
    assert "EMP-01" in {i["code"] for i in client.get("/api/v1/indicators/").json()}
    assert client.get("/api/v1/indicators/EMP-01/values/").status_code == 200
    client.force_login(personas.partner_b)
    assert "EMP-01" not in {i["code"] for i in client.get("/api/v1/indicators/").json()}
    assert client.get("/api/v1/indicators/EMP-01/values/").status_code == 404
