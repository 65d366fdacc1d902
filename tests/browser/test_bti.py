"""The BTI in a real browser: a trained partner logs in (password and TOTP),
builds a table à la carte, exports it as XLSX, opens a territory portrait
and exports one of its charts as SVG."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.cache import cache

from tests.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trained_partner_builds_a_table_and_a_portrait(page, live_server, published, personas):
    cache.clear()  # used TOTP codes of earlier tests
    page.goto(f"{live_server.url}/compte/login/?next=/bti/tableau/")
    page.fill("#id_login", personas.partner_a.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_url("**/2fa/authenticate/**")
    page.fill("input[name=code]", totp_code())
    page.click("main form button[type=submit]")
    page.wait_for_url("**/bti/tableau/")

    page.select_option("#indicators", ["ALL-01", "SOI-01"])
    page.select_option("#level", "departement")
    page.check("input[name=compare][value='departement:80']")
    page.click("text=Afficher le tableau")
    page.wait_for_selector("#carte-table")
    assert page.locator("#carte-table tbody tr").count() == 2 * 5
    assert page.locator("#carte-table thead th", has_text="vs Somme").count() == 1
    permalink = page.get_attribute("#permalink", "href")
    assert "compare=region:32,france:FR,departement:80" in permalink and "indicators=ALL-01,SOI-01" in permalink
    page.goto(live_server.url + permalink)  # the permalink reopens the same table
    assert page.locator("#carte-table tbody tr").count() == 2 * 5

    with page.expect_download() as download:
        page.click("#export-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert book.sheetnames == ["Données", "Métadonnées"] and book["Données"].max_row == 1 + 10

    page.goto(f"{live_server.url}/bti/portrait/")
    page.fill("#territoire", "epci:248000531")
    page.click("text=Afficher le portrait")
    page.wait_for_selector("body[data-charts-ready='true']", timeout=30_000)
    assert page.locator("#chart-pyramid .bars .point").count() >= 19
    with page.expect_download() as download:
        page.click("button[data-chart='chart-etat-de-sante'][data-download='svg']")
    svg = open(download.value.path(), encoding="utf-8").read()
    assert svg.startswith("<svg") and "France = 100" in svg
    assert page.external_requests == [] and page.console_errors == []
