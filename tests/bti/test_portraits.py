"""Territory portraits: key figures by theme against comparison zones, age
structure, series; official and own territories; the same access rule."""

from __future__ import annotations

import json
from html import unescape

import pytest

from bti.readers import reader_for_user
from bti.services import own_territory_create

pytestmark = pytest.mark.django_db


def state(html: str) -> dict:
    return json.loads(unescape(html.split('id="portrait-state" type="application/json">', 1)[1].split("</script>")[0]))


def test_a_partner_opens_the_portrait_of_an_epci(client, published, personas):
    client.force_login(personas.partner_a)
    response = client.get("/bti/portrait/?territoire=epci:248000531&compare=departement:80,region:32,france:FR")
    html = unescape(response.content.decode())
    assert response.status_code == 200 and "Portrait : Communauté d'agglomération Amiens Métropole" in html
    for theme in ("Socio-démographie", "Offre de soins", "État de santé"):
        assert f">{theme}</h2>" in html
    data = state(response.content.decode())
    assert data["zones"] == ["Somme", "Hauts-de-France", "France"]
    figures = [f for t in data["themes"] for f in t["figures"]]
    assert {"ALL-01", "SOI-01", "MOR-01"} <= {f["code"] for f in figures}
    soi = next(f for f in figures if f["code"] == "SOI-01")
    assert soi["value"] > 0 and len(soi["zones"]) == 3 and len(soi["series"]) >= 2
    pyramid = data["pyramid"]
    assert len(pyramid["bands"]) == 19 and sum(pyramid["territory"]) == pytest.approx(100, abs=0.5)
    assert [z["label"] for z in pyramid["zones"]] == ["Somme", "Hauts-de-France", "France"]
    assert "▲ supérieur" in html or "▼ inférieur" in html or "= comparable" in html
    assert "Imprimer ou enregistrer en PDF" in html and 'media="print"' in html


def test_the_portrait_of_an_own_territory_uses_its_protected_figures(client, published, personas):
    territory = own_territory_create(
        reader=reader_for_user(personas.partner_a),
        name="Bassin amiénois",
        commune_codes=["80021", "80001", "80002", "80003", "80006"],
    )
    client.force_login(personas.partner_a)
    response = client.get(f"/bti/portrait/?territoire=perso:{territory.pk}")
    assert response.status_code == 200 and "Portrait : Bassin amiénois" in unescape(response.content.decode())
    figures = [f for t in state(response.content.decode())["themes"] for f in t["figures"]]
    assert any(f["status"] == "ok" for f in figures)
    client.force_login(personas.partner_b)
    refused = client.get(f"/bti/portrait/?territoire=perso:{territory.pk}")
    assert refused.status_code == 404 and "Bassin amiénois" not in unescape(refused.content.decode())


def test_an_untrained_member_gets_no_commune_portrait(client, published, personas):
    client.force_login(personas.partner_a_untrained)
    response = client.get("/bti/portrait/?territoire=commune:80021")
    assert response.status_code == 404 and "réservé aux partenaires formés" in unescape(response.content.decode())
    assert client.get("/bti/portrait/?territoire=nimporte:quoi").status_code == 404


def test_an_untrained_member_gets_no_commune_through_the_comparisons(client, published, personas):
    client.force_login(personas.partner_a_untrained)
    page = client.get("/bti/portrait/?territoire=departement:80&compare=commune:80021,region:32")
    assert page.status_code == 200
    assert "Amiens" not in page.content.decode()
    client.force_login(personas.partner_a)
    assert "Amiens" in client.get("/bti/portrait/?territoire=departement:80&compare=commune:80021").content.decode()


def test_a_logged_in_reader_s_public_pages_stay_in_no_cache(client, published, personas):
    client.force_login(personas.partner_a)
    for url in ("/indicateurs/SOI-01/?level=commune", "/indicateurs/SOI-01/export.csv?level=commune"):
        assert client.get(url)["Cache-Control"] == "private, no-store", url
    client.logout()
    assert client.get("/indicateurs/SOI-01/").get("Cache-Control") != "private, no-store"
