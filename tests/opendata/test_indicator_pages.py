"""The open-data pages and exports, as a visitor uses them."""

from __future__ import annotations

import csv
import io
from html import unescape

import openpyxl
import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_categories_and_a_search_box(client, published):
    html = unescape(client.get("/").content.decode())
    assert "Allocations et autres prestations" in html and "Mortalité tous âges" in html
    assert "2 indicateurs" in html  # allocations: ALL-01 and EMP-01 (ALL-02 is for partners)
    assert "Dernières périodes : 2022" in html and 'name="q"' in html
    assert "Données de démonstration" in html


def test_the_catalogue_search_ignores_accents_and_case(client, published):
    html = unescape(client.get("/indicateurs/?q=MEDECINS").content.decode())
    assert "Densité de médecins généralistes" in html and "1 indicateur" in html
    html = unescape(client.get("/indicateurs/?q=mortalite prematuree").content.decode())
    assert "Taux standardisé de mortalité prématurée" in html and "1 indicateur" in html
    html = unescape(client.get("/indicateurs/?category=mortalite").content.decode())
    assert "3 indicateurs" in html
    assert "Nombre d'allocataires de l'AAH" not in unescape(client.get("/indicateurs/").content.decode())


def test_the_indicator_page_shows_a_table_with_references(client, published):
    html = unescape(client.get("/indicateurs/SOI-01/?level=departement&period=2021").content.decode())
    assert "<h1>Densité de médecins généralistes libéraux pour 10 000 habitants</h1>" in html
    for name in ("Aisne", "Nord", "Oise", "Pas-de-Calais", "Somme", "Hauts-de-France", "France"):
        assert f'<th scope="row">{name}' in html
    assert "Comparaison à la France" in html and "<caption>" in html
    assert any(word in html for word in ("▲ supérieur", "▼ inférieur", "= non différent"))


def test_anonymous_visitors_cannot_reach_commune_level_in_pages(client, published):
    html = unescape(client.get("/indicateurs/ALL-01/?level=commune").content.decode())
    assert 'value="commune"' not in html
    assert "Amiens</th>" not in html  # falls back to départements
    assert client.get("/indicateurs/ALL-02/").status_code == 404


def test_the_csv_export_opens_in_french_excel(client, published):
    response = client.get("/indicateurs/ALL-01/export.csv?level=departement&period=2021")
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][4] == "Valeur (%)" and rows[0][0] == "Code territoire"
    somme = next(r for r in rows if r[0] == "80")
    assert "," in somme[4] and "." not in somme[4]
    assert {r[0] for r in rows[1:]} == {"02", "59", "60", "62", "80", "32", "FR"}
    international = client.get("/indicateurs/ALL-01/export.csv?level=departement&period=2021&sep=,&decimal=.")
    rows = list(csv.reader(io.StringIO(international.content.decode("utf-8-sig")), delimiter=","))
    assert "." in next(r for r in rows if r[0] == "80")[4]


def test_secret_cells_are_written_as_the_word_secret(client, published, personas):
    client.force_login(personas.partner_a)
    body = client.get("/indicateurs/ALL-01/export.csv?level=commune&period=2021").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    secret = [r for r in rows if r[10] == "secret"]
    assert secret and all(r[4:9] == ["secret"] * 5 for r in secret)


def test_the_xlsx_export_has_numbers_and_metadata(client, published):
    response = client.get("/indicateurs/SOI-01/export.xlsx?level=departement&period=2021")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data, meta = book["Données"], book["Métadonnées"]
    assert data["E1"].value == "Valeur (pour 10 000)"
    assert isinstance(data["E2"].value, float)
    fields = {row[0].value: row[1].value for row in meta.iter_rows()}
    assert fields["Unité"] == "pour 10 000" and "Drees" in fields["Sources"]
    assert fields["Données de démonstration"].startswith("oui") and fields["Licence"].startswith("Licence Ouverte")
    assert fields["Instantané"] == str(published.pk)


def test_exports_escape_formula_injection():
    import pandas as pd

    from indicators import exports
    from indicators.models import Indicator

    indicator = Indicator.objects.get(code="SOI-01")
    frame = pd.DataFrame(
        [
            {
                "territory_code": "X",
                "territory_name": '=HYPERLINK("http://evil")',
                "level": "+cmd",
                "period": "@SUM(A1)",
                "value": -3.5,
                "numerator": 1.0,
                "denominator": 2.0,
                "ci_low": None,
                "ci_high": None,
                "significance": "",
                "status": "ok",
                "demo": False,
            }
        ]
    )
    text = exports.values_csv(frame, indicator).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text and "'@SUM(A1)" in text
    assert ";-3,5;" in text  # a negative number stays a number
    book = openpyxl.load_workbook(io.BytesIO(exports.values_xlsx(frame, indicator, None)))
    row = [c.value for c in book["Données"][2]]
    assert row[1].startswith("'=") and row[2] == "'+cmd" and row[4] == -3.5


def test_the_catalogue_filters_by_period(client, published):
    pooled = unescape(client.get("/indicateurs/?period=2015-2019").content.decode())
    assert "3 indicateurs" in pooled and "Taux standardisé de mortalité générale" in pooled
    yearly = unescape(client.get("/indicateurs/?period=2021").content.decode())
    assert "Taux standardisé de mortalité générale" not in yearly and "Densité de médecins" in yearly
    assert client.get("/indicateurs/?period=abc").status_code == 200  # ignored, not a 500
