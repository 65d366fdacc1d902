"""Territory pages, as a visitor reads them."""

from __future__ import annotations

import json
from html import unescape

import pytest

from tests.geography import HDF

pytestmark = pytest.mark.django_db


def test_it_shows_a_commune_with_its_parents(client, geography):
    html = unescape(client.get("/territoires/commune/80021/").content.decode())
    assert "<h1>Amiens</h1>" in html
    assert "Amiens Métropole" in html and "Somme (80)" in html and "Hauts-de-France" in html
    assert 'href="/territoires/epci/248000531/"' in html
    assert 'id="territory-geometry"' in html


def test_it_shows_the_composition_of_a_composite(client, geography):
    response = client.get("/territoires/territoire_demonstrateur/sambre-avesnois-thierache/")
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Pacte pour la réussite" in html
    assert "Communauté d'agglomération Maubeuge Val de Sambre" in html
    assert "Communauté de communes de la Thiérache du Centre" in html
    assert "Maubeuge" in html and "Hirson" in html


def test_it_tells_when_an_epci_is_partly_outside_the_region(client, geography):
    html = unescape(client.get("/territoires/epci/247600588/").content.decode())
    assert "hors de la région" in html
    assert ">Somme</a> — 13 communes" in html  # its communes, grouped by département


def test_it_lists_every_commune_of_a_level(client, geography):
    html = client.get("/territoires/commune/").content.decode()
    assert f"{HDF.communes} territoires" in html
    assert html.count("<tr>") == 1 + HDF.communes


def test_it_answers_404_for_unknown_territories(client, geography):
    assert client.get("/territoires/commune/00000/").status_code == 404
    assert client.get("/territoires/canton/").status_code == 404


def test_its_pages_are_in_french_with_landmarks_and_skip_link(client, geography):
    html = client.get("/territoires/").content.decode()
    assert '<html lang="fr">' in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html
    assert 'role="banner"' in html and 'role="contentinfo"' in html and 'role="navigation"' in html
    assert "Accessibilité : partiellement conforme" in html
    for link in ("/mentions-legales/", "/accessibilite/", "/plan-du-site/"):
        assert f'href="{link}"' in html
        assert client.get(link).status_code == 200
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_the_home_page_counts_the_territories(client, geography):
    html = client.get("/").content.decode()
    assert f"{HDF.communes} territoires" in html and f"{HDF.epci} territoires" in html


def test_the_composite_geometry_is_embedded_for_the_map(client, geography):
    response = client.get("/territoires/pole_metropolitain/grand-amienois/")
    html = response.content.decode()
    start = html.index('<script id="territory-geometry" type="application/json">') + len(
        '<script id="territory-geometry" type="application/json">'
    )
    geometry = json.loads(html[start : html.index("</script>", start)])
    assert geometry["type"] in {"Polygon", "MultiPolygon"}
