"""An indicator page in a real browser: the map draws, the view state lives
in the URL, the table and the map agree."""

from __future__ import annotations

import pytest

from tests.geography import HDF

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_switches_level_period_and_classes(page, live_server, published):
    page.goto(f"{live_server.url}/indicateurs/SOI-01/?level=epci&period=2021")
    page.wait_for_selector("#indicator-map[data-ready='true']", timeout=15_000)
    paths = page.locator("#indicator-map path.leaflet-interactive")
    assert paths.count() == HDF.epci
    fills = set(paths.evaluate_all("els => els.map(e => e.getAttribute('fill'))"))
    assert len(fills) >= 4 and all(f.startswith("#") for f in fills)
    legend = page.locator("#legende li")
    assert legend.count() == 5 + 2

    page.select_option("#method", "jenks")
    page.select_option("#classes", "4")
    page.select_option("#level", "departement")
    page.select_option("#period", "2019")
    page.click("form.filters button")
    page.wait_for_selector("#indicator-map[data-ready='true']", timeout=15_000)
    assert "method=jenks" in page.url and "classes=4" in page.url and "period=2019" in page.url
    assert page.locator("#indicator-map path.leaflet-interactive").count() == HDF.departements
    state = page.evaluate("JSON.parse(document.getElementById('map-state').textContent)")
    assert state["method"] == "jenks" and 2 <= len(state["colours"]) <= 4  # 5 values: ties may merge
    assert page.locator("#legende li").count() == len(state["colours"]) + 2
    assert page.locator("caption").inner_text().startswith("Densité de médecins")
    assert page.locator("tbody tr").count() == HDF.departements + 2  # départements, region and France

    # a copied link reopens the same view
    permalink = page.url
    page.goto("about:blank")
    page.goto(permalink)
    page.wait_for_selector("#indicator-map[data-ready='true']", timeout=15_000)
    assert page.locator("#legende li").count() == len(state["colours"]) + 2
    assert page.input_value("#method") == "jenks"

    # keyboard: a territory takes the focus and says its value
    first = page.locator("#indicator-map path.leaflet-interactive").first
    first.focus()
    assert "pour 10 000" in first.get_attribute("aria-label")
    assert page.external_requests == []
    assert page.console_errors == []


def test_downloads_carry_the_current_view(page, live_server, published):
    page.goto(f"{live_server.url}/indicateurs/SOI-01/?level=departement&period=2020")
    with page.expect_download() as download:
        page.click("text=CSV (Excel français)")
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert content.splitlines()[0].startswith("Code territoire;Territoire")
    assert ";2020;" in content and "Somme" in content
    with page.expect_download() as download:
        page.click("text=carte SVG")
    assert "<svg" in open(download.value.path(), encoding="utf-8").read()


def test_the_charts_draw_and_export_as_svg(page, live_server, published):
    page.goto(f"{live_server.url}/indicateurs/SOI-01/?level=departement&period=2021&territories=80,02")
    page.wait_for_selector("#chart-ranked[data-ready='true']", timeout=20_000)
    page.wait_for_selector("#chart-series[data-ready='true']", timeout=20_000)
    # Plotly's toolbar speaks French (its locale registered by plotly-fr.js)
    titles = page.locator("#chart-ranked .modebar-btn").evaluate_all("els => els.map(e => e.dataset.title)")
    assert "Réinitialiser les axes" in titles and not {"Reset axes", "Pan", "Autoscale"} & set(titles)
    bars = page.locator("#chart-ranked .bars .point")
    assert bars.count() == HDF.departements
    legend = page.locator("#chart-series .legendtext").evaluate_all("els => els.map(e => e.textContent)")
    assert set(legend) == {"Somme", "Aisne", "Hauts-de-France", "France"}
    with page.expect_download() as download:
        page.click("button[data-chart='chart-ranked'][data-download='svg']")
    svg = open(download.value.path(), encoding="utf-8").read()
    assert svg.startswith("<svg") and "Pas-de-Calais" in svg
    assert page.external_requests == [] and page.console_errors == []


def test_the_table_sorts_and_the_xlsx_downloads(page, live_server, published):
    page.goto(f"{live_server.url}/indicateurs/SOI-01/?level=epci&period=2021")
    header = page.locator("#values-table thead th").nth(1)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = page.locator("#values-table tbody:first-of-type tr td:nth-child(2)").all_inner_texts()
    numbers = [float(v.replace("\u202f", "").replace(",", ".")) for v in values if v[0].isdigit()]
    assert numbers == sorted(numbers) and len(numbers) > 50
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    values = page.locator("#values-table tbody:first-of-type tr td:nth-child(2)").all_inner_texts()
    numbers = [float(v.replace("\u202f", "").replace(",", ".")) for v in values if v[0].isdigit()]
    assert numbers == sorted(numbers, reverse=True)
    with page.expect_download() as download:
        page.click("text=XLSX")
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert book["Données"].max_row == 1 + HDF.epci + 2 and "Métadonnées" in book.sheetnames


def test_a_configured_base_layer_sits_under_the_map(page, live_server, published, settings):
    settings.PF2S_MAP_BASE_LAYER = f"{live_server.url}/tuiles-test/{{z}}/{{x}}/{{y}}.png"
    settings.PF2S_MAP_BASE_ATTRIBUTION = "Fond : serveur de tuiles de test"
    page.goto(f"{live_server.url}/indicateurs/SOI-01/?level=departement&period=2021")
    page.wait_for_selector("#indicator-map[data-ready='true']", timeout=15_000)
    tiles = page.locator("#indicator-map img.leaflet-tile")
    assert tiles.count() > 0
    assert all("/tuiles-test/" in src for src in tiles.evaluate_all("els => els.map(e => e.src)"))
    assert "serveur de tuiles de test" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.locator("#indicator-map path.leaflet-interactive").count() == HDF.departements
    assert page.external_requests == []


def test_without_a_base_layer_no_tile_is_asked_for(page, live_server, published):
    page.goto(f"{live_server.url}/indicateurs/SOI-01/?level=departement&period=2021")
    page.wait_for_selector("#indicator-map[data-ready='true']", timeout=15_000)
    assert page.locator("#indicator-map img.leaflet-tile").count() == 0
    assert page.locator("#indicator-map").get_attribute("data-base-layer") is None
