"""Tables à la carte: choose indicators, territories (a level, a list, own
territories), periods and comparison zones; export; save, share, reopen."""

from __future__ import annotations

import io
import re
from html import unescape

import openpyxl
import pytest

from bti.readers import reader_for_user
from bti.services import own_territory_create
from tests.geography import HDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_commune(published):
    """(code, name) of a commune whose latest AAH share is secret in the test data."""
    from indicators.snapshot_store import current_snapshot, indicator_read

    frame = indicator_read(current_snapshot().directory, "ALL-01")
    latest = sorted(frame["period"].unique())[-1]
    secret = frame[(frame["level"] == "commune") & (frame["period"] == latest) & (frame["status"] == "secret")]
    return secret.iloc[0]["territory_code"], secret.iloc[0]["territory_name"]


@pytest.fixture
def QUERY(secret_commune):
    return (
        f"indicators=ALL-01,SOI-01&level=departement&territories=commune:{secret_commune[0]},"
        "epci:248000531&compare=region:32,france:FR,departement:80"
    )


def test_a_partner_builds_a_table_with_significance_against_each_zone(
    client, published, personas, QUERY, secret_commune
):
    client.force_login(personas.partner_a)
    html = unescape(client.get(f"/bti/tableau/?{QUERY}").content.decode())
    body = html.split('id="carte-table"', 1)[1].split("</table>", 1)[0]
    # header + 2 indicators × (the départements + the commune + the EPCI)
    assert body.count("<tr>") == 1 + 2 * (HDF.departements + 2)
    assert "vs Hauts-de-France" in body and "vs France" in body and "vs Somme" in body
    assert "▲ supérieur" in body or "▼ inférieur" in body
    assert "= comparable" in body
    assert secret_commune[1] in body and "secret statistique" in body
    permalink = re.search(r'href="/bti/tableau/\?([^"]+)" id="permalink"', html).group(1)
    from django.http import QueryDict

    state = QueryDict(permalink)
    assert state["indicators"] == "ALL-01,SOI-01" and state["level"] == "departement"
    assert state["compare"] == "region:32,france:FR,departement:80"


def test_the_exports_carry_the_table_and_its_metadata(client, published, personas, QUERY):
    client.force_login(personas.partner_a)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/bti/tableau/export.xlsx?{QUERY}").content))
    assert book.sheetnames == ["Données", "Métadonnées"]
    sheet = book["Données"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["indicateur", "libellé", "unité", "territoire"] and "vs Somme" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2 * (HDF.departements + 2)
    value = header.index("valeur")
    assert any(isinstance(r[value], float) for r in rows) and any(r[value] == "secret" for r in rows)
    meta = " ".join(str(c.value) for row in book["Métadonnées"].iter_rows() for c in row if c.value)
    assert "ALL-01" in meta and "SOI-01" in meta and "Licence" in meta and "/bti/tableau/?" in meta
    csv_text = client.get(f"/bti/tableau/export.csv?{QUERY}").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("indicateur;libellé;unité;territoire")
    assert ";secret;" in csv_text
    # the test catalogue is demonstration data: each row says so
    demo = header.index("données de démonstration")
    assert {r[demo] for r in rows} == {"oui"} and "données de démonstration" in csv_text.splitlines()[0]
    # the comparison words read as words, no apostrophe of an escaped formula
    versus = {r[i] for r in rows for i, h in enumerate(header) if h.startswith("vs ")}
    assert versus <= {"▲ supérieur", "▼ inférieur", "≈ comparable", "—"} and "≈ comparable" in versus
    assert "'" not in "".join(line.split(";")[-1] for line in csv_text.splitlines())


def test_own_territories_join_the_table(client, published, personas):
    territory = own_territory_create(
        reader=reader_for_user(personas.partner_a),
        name="Mon bassin de vie",
        commune_codes=["80021", "80001", "80002", "80003", "80006"],
    )
    client.force_login(personas.partner_a)
    html = unescape(client.get(f"/bti/tableau/?indicators=SOI-01&own={territory.pk}").content.decode())
    assert "Mon bassin de vie" in html and f"perso-{territory.pk}" in html
    client.force_login(personas.partner_b)  # another organisation's id is refused, not shown
    html = unescape(client.get(f"/bti/tableau/?indicators=SOI-01&own={territory.pk}").content.decode())
    assert "Mon bassin de vie" not in html and "Territoire personnalisé inconnu" in html


def test_an_own_territory_is_built_from_the_page(client, published, personas):
    client.force_login(personas.partner_a)
    response = client.post(
        "/bti/territoires/", {"name": "Deux EPCI", "epci": "248000531", "communes": "80021"}, follow=True
    )
    assert "Deux EPCI" in response.content.decode() and "créé" in response.content.decode()
    bad = client.post("/bti/territoires/", {"name": "Faux", "communes": "99999, 80021"}, follow=True)
    assert "inconnu" in bad.content.decode()


def test_saved_queries_are_personal_or_shared_within_the_organisation(client, published, personas, QUERY):
    client.force_login(personas.partner_a)
    client.post("/bti/requetes/", {"name": "Perso", "query": QUERY})
    client.post("/bti/requetes/", {"name": "Pour l'équipe", "query": QUERY, "shared": "on"})
    page = client.get("/bti/requetes/").content.decode()
    assert "Perso" in page and "Pour l&#x27;équipe" in page
    link = re.search(r'<a href="(/bti/tableau/\?[^"]+)">Perso', page).group(1)
    assert "carte-table" in client.get(unescape(link)).content.decode()  # reopened by its permalink
    client.force_login(personas.partner_a_admin)
    colleague = client.get("/bti/requetes/").content.decode()
    assert "Pour l&#x27;équipe" in colleague and "Perso" not in colleague and "Supprimer" not in colleague
    client.force_login(personas.partner_b)
    assert "Pour l&#x27;équipe" not in client.get("/bti/requetes/").content.decode()


def test_a_query_without_indicators_is_refused_with_a_reason(client, published, personas, QUERY):
    client.force_login(personas.partner_a)
    response = client.post("/bti/requetes/", {"name": "Vide", "query": "level=epci"}, follow=True)
    assert "aucun indicateur" in response.content.decode()
    assert client.get("/bti/tableau/export.xlsx?level=epci").status_code == 400
    assert client.get("/bti/tableau/export.pdf?" + QUERY).status_code == 404


def test_an_untrained_member_gets_the_public_levels_only(client, published, personas):
    client.force_login(personas.partner_a_untrained)
    html = unescape(client.get("/bti/tableau/?indicators=ALL-01,ALL-02&level=commune").content.decode())
    assert "ALL-02" in html and "non accessible" in html
    assert "niveau « commune » non disponible" in html
