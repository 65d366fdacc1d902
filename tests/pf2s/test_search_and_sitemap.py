"""The site search and the XML sitemap show what the reader may see, and
nothing more."""

from __future__ import annotations

import html as htmllib
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def found(response, section: str) -> list[str]:
    """Link texts of one section of the results page."""
    html = response.content.decode()
    if f'id="found-{section}"' not in html:
        return []
    part = html.split(f'id="found-{section}"', 1)[1].split("</section>", 1)[0]
    return [htmllib.unescape(chunk.split(">", 1)[1].split("</a>", 1)[0]) for chunk in part.split("<a href=")[1:]]


def test_search_finds_indicators_and_territories_without_accents(client, published):
    response = client.get("/recherche/", {"q": "medecins"})
    assert response.status_code == 200
    assert found(response, "indicators") == ["Densité de médecins généralistes libéraux pour 10 000 habitants"]
    places = found(client.get("/recherche/", {"q": "AMIENS"}), "territories")
    assert places[0] == "Amiens" or "Amiens" in places
    assert any("Amiens Métropole" in p for p in places)
    assert "Saint-Quentin" in found(client.get("/recherche/", {"q": "saint quentin"}), "territories")
    assert "Somme" in found(client.get("/recherche/", {"q": "somme"}), "territories")


def test_search_hides_partner_indicators_from_the_public(client, published, personas):
    assert found(client.get("/recherche/", {"q": "allocataires aah"}), "indicators") == [
        "Part des allocataires percevant l'AAH"
    ]
    client.force_login(personas.partner_a_untrained)
    assert len(found(client.get("/recherche/", {"q": "allocataires aah"}), "indicators")) == 1
    client.force_login(personas.partner_a)
    assert len(found(client.get("/recherche/", {"q": "allocataires aah"}), "indicators")) == 2


@pytest.mark.parametrize("query", ["", "a", "%%%", "' OR 1=1 --", "x" * 5000])
def test_odd_queries_get_an_answer_not_an_error(client, published, query):
    response = client.get("/recherche/", {"q": query})
    assert response.status_code == 200
    assert found(response, "indicators") == []
    assert client.get("/indicateurs/", {"q": query}).status_code == 200


def test_a_nul_character_in_a_query_is_refused_with_the_reason(client, published):
    for url in ("/recherche/", "/indicateurs/"):
        response = client.get(url, {"q": "\u0000nul"})
        assert response.status_code == 400 and "Caractère nul interdit" in response.content.decode()


def test_the_header_search_box_leads_to_the_results(client, published):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'action="/recherche/"' in html
    assert "Aucun résultat" in client.get("/recherche/", {"q": "zzzzqqq"}).content.decode()


def test_the_xml_sitemap_lists_public_pages_only(client, published):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    locations = {node.text for node in ET.fromstring(response.content).findall("sm:url/sm:loc", NS)}
    paths = {loc.split("://", 1)[1].split("/", 1)[1] for loc in locations}
    assert "indicateurs/ALL-01/" in paths and "indicateurs/SOI-01/" in paths
    assert "indicateurs/ALL-02/" not in paths  # partners only
    assert "territoires/departement/80/" in paths and "territoires/epci/248000531/" in paths
    assert not any(p.startswith(("bti/", "admin/", "territoires/commune/")) for p in paths)
    for path in ("", "indicateurs/", "donnees-ouvertes/", "comparer/"):
        assert path in paths
    for loc in sorted(locations)[:40]:  # every listed page answers
        assert client.get("/" + loc.split("://", 1)[1].split("/", 1)[1]).status_code == 200, loc


def test_robots_txt_points_to_the_sitemap_and_away_from_private_areas(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /bti/" in text and "Disallow: /admin/" in text
