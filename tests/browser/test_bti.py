"""The BTI in a real browser: a trained partner logs in (password and TOTP),
builds a table à la carte, exports it as XLSX, opens a territory portrait
and exports one of its charts as SVG."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.cache import cache

from indicators.choices import AGE_BANDS
from tests.geography import HDF
from tests.personas import PASSWORD, totp_code

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
    assert page.locator("#carte-table tbody tr").count() == 2 * HDF.departements
    assert page.locator("#carte-table thead th", has_text="vs Somme").count() == 1
    permalink = page.get_attribute("#permalink", "href")
    assert "compare=region:32,france:FR,departement:80" in permalink and "indicators=ALL-01,SOI-01" in permalink
    page.goto(live_server.url + permalink)  # the permalink reopens the same table
    assert page.locator("#carte-table tbody tr").count() == 2 * HDF.departements

    with page.expect_download() as download:
        page.click("#export-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert book.sheetnames == ["Données", "Métadonnées"] and book["Données"].max_row == 1 + 2 * HDF.departements

    page.goto(f"{live_server.url}/bti/portrait/")
    page.fill("#territoire", "epci:248000531")
    page.click("text=Afficher le portrait")
    page.wait_for_selector("body[data-charts-ready='true']", timeout=30_000)
    assert page.locator("#chart-pyramid .bars .point").count() >= 19
    page.set_viewport_size({"width": 390, "height": 900})  # on a phone the long permalink breaks, the page stays
    # (the charts follow the new width a moment later)
    for _ in range(50):
        if page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            break
        page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    ticks = page.locator("#chart-pyramid .ytick text").all_text_contents()
    assert AGE_BANDS[0] in ticks and not any(t.isdigit() and len(t) == 4 for t in ticks)  # ages, not years
    with page.expect_download() as download:
        page.click("button[data-chart='chart-etat-de-sante'][data-download='svg']")
    svg = open(download.value.path(), encoding="utf-8").read()
    assert svg.startswith("<svg") and "France = 100" in svg
    assert page.external_requests == [] and page.console_errors == []


def _log_in(page, live_server, client, user):
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_trained_partner_builds_renames_edits_and_deletes_an_own_territory(
    page, live_server, published, personas, client, width
):
    from indicators.models import Territory

    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, live_server, client, personas.partner_a)
    epci = Territory.objects.get(level="commune", code="80021").epci
    page.goto(f"{live_server.url}/bti/territoires/")
    page.fill("#own-name", "Amiénois")
    page.fill("#own-communes", "80021, 99999, 80021")
    page.click("button:has-text('Créer le territoire')")
    message = page.inner_text(".messages")
    assert "Rien n'a été enregistré" in message and "99999" in message and "en double" in message
    assert page.input_value("#own-name") == "Amiénois"  # what was typed is kept

    page.fill("#own-communes", "80001, 80002")
    page.fill("#own-epci", epci.code)
    page.click("button:has-text('Créer le territoire')")
    page.wait_for_url("**/bti/territoires/*/")
    assert "Territoire « Amiénois » créé : ses chiffres sont prêts." in page.inner_text(".messages")
    n = epci.epci_communes.count() + 2
    assert page.locator("h2", has_text=f"{n} communes").count() == 1
    assert "valeurs calculées" in page.inner_text("main")
    assert not _overflows(page)
    detail = page.url

    page.click("text=Voir le portrait")
    assert page.locator("h1", has_text="Portrait").count() == 1 and "Amiénois" in page.inner_text("main")
    withheld = set(page.locator("td", has_text="secret statistique").all_inner_texts())
    assert len(withheld) <= 1, withheld  # one neutral mention, whatever the cause
    assert not _overflows(page)

    page.goto(detail)
    page.fill("#t-name", "Amiénois élargi")
    page.click("button:has-text('Renommer')")
    assert page.locator("h1", has_text="Amiénois élargi").count() == 1
    page.fill("#t-communes", "80001, 80002, 80003")
    page.fill("#t-epci", "")
    page.click("button:has-text('Enregistrer les communes')")
    assert page.locator("h2", has_text="3 communes").count() == 1
    page.click("button:has-text('Supprimer ce territoire')")  # not confirmed: the browser refuses
    assert page.url == detail
    page.check("#t-confirm")
    page.click("button:has-text('Supprimer ce territoire')")
    page.wait_for_url("**/bti/territoires/")
    assert "Territoire « Amiénois élargi » supprimé." in page.inner_text(".messages")
    assert page.locator("main table", has_text="Amiénois élargi").count() == 0
    assert not _overflows(page)
    # the refused form answers 400 (Chromium logs it); nothing else went wrong
    assert page.external_requests == [] and [e for e in page.console_errors if "status of 400" not in e] == []


def test_an_untrained_member_reads_but_cannot_build_a_territory(page, live_server, published, personas, client):
    page.set_viewport_size({"width": 390, "height": 900})
    _log_in(page, live_server, client, personas.partner_a_untrained)
    page.goto(f"{live_server.url}/bti/territoires/")
    assert "réservé aux membres formés" in page.inner_text("main")
    assert page.locator("#own-name").count() == 0
    assert not _overflows(page)
