"""The Content-Security-Policy in a real browser: each persona's main pages
load, draw their maps and charts, answer their buttons, and Chromium reports
no violation of the policy — neither a securitypolicyviolation event nor a
console message about it."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tests.personas import PASSWORD, totp_code

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in every document and frame before the page's own scripts; also
# records window.print() (headless Chromium has no print dialog to wait for).
WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.pf2sViolation([e.documentURI, e.effectiveDirective, e.blockedURI,
                        e.sourceFile + ":" + e.lineNumber, e.sample].join(" | "));
}, true);
window.print = function () { document.documentElement.setAttribute("data-printed", "true"); };
"""
POLICY_MESSAGE = re.compile(
    r"Content Security Policy|Content-Security-Policy|Permissions-Policy|Refused to", re.IGNORECASE
)


@pytest.fixture
def watched(page):
    """The page, with every violation and policy message it meets in a list."""
    page.violations = []
    page.expose_function("pf2sViolation", lambda text: page.violations.append(text))
    page.add_init_script(WATCH)
    page.on(
        "console",
        lambda m: page.violations.append(f"console {m.type}: {m.text}") if POLICY_MESSAGE.search(m.text) else None,
    )
    return page


def visit(page, url: str, ready: str | None = None):
    response = page.goto(url)
    assert response.status < 500, f"{url} answered {response.status}"
    assert response.headers.get("content-security-policy"), f"{url} has no CSP"
    if ready:
        wait_for(page, ready)
    page.wait_for_load_state("networkidle")
    return response


def wait_for(page, selector: str) -> None:
    """Wait for what a script draws; a refused script or style is the likely cause if it never comes."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(selector, timeout=30_000)
    except PlaywrightTimeout:
        pytest.fail(f"{page.url}: {selector} never came; violations: {page.violations}")


def download(page, selector: str) -> str:
    """Click a download button; the file's name (a refused image or script is the likely cause if none comes)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        with page.expect_download(timeout=20_000) as started:
            page.click(selector)
    except PlaywrightTimeout:
        pytest.fail(f"{page.url}: {selector} downloaded nothing; violations: {page.violations}")
    return started.value.suggested_filename


def log_in(page, base: str, user) -> None:
    """Email, password, then the TOTP code of the moment, through the forms."""
    visit(page, f"{base}/compte/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_url("**/2fa/authenticate/**")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=code]", totp_code())
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/compte/" not in url)


def assert_no_violation(page) -> None:
    page.wait_for_timeout(200)  # reports are queued as tasks: let the last ones arrive
    assert page.violations == [], "\n".join(page.violations)


def test_a_visitor_meets_no_policy_violation(watched, live_server, published):
    page, base = watched, live_server.url
    for path in (
        "/",
        "/indicateurs/",
        "/publications/",
        "/lettre/",
        "/api/docs/",
        "/recherche/?q=amiens",
        "/comparer/?indicators=SOI-01,ALL-01&territories=departement:80,epci:248000531",
        "/compte/login/",
        "/page-qui-n-existe-pas/",
    ):
        visit(page, base + path)

    visit(
        page,
        f"{base}/indicateurs/SOI-01/?level=epci&period=2021&territories=80021",
        "#indicator-map[data-ready='true']",
    )
    wait_for(page, "#chart-ranked[data-ready='true']")
    wait_for(page, "#chart-series[data-ready='true']")
    page.locator("#indicator-map path.leaflet-interactive").first.focus()  # tooltip
    page.wait_for_selector(".leaflet-tooltip")
    assert page.locator("#legende svg.swatch rect[fill^='#']").count() == 5
    page.click("#values-table thead th button >> nth=0")  # sort
    assert download(page, "button[data-chart='chart-ranked'][data-download='png']").endswith(".png")

    visit(page, f"{base}/territoires/epci/248000531/", "#territory-map[data-ready='true']")
    visit(page, f"{base}/observatoires/", "#observatory-map[data-ready='true']")
    visit(
        page,
        f"{base}/embed/indicateurs/SOI-01/carte/?level=departement&period=2021",
        "#indicator-map[data-ready='true']",
    )
    visit(
        page,
        f"{base}/embed/indicateurs/SOI-01/graphique/?level=departement&period=2021",
        "#chart-ranked[data-ready='true']",
    )

    # Swagger UI renders the schema, opens an operation and runs it
    visit(page, f"{base}/api/docs/swagger/", ".swagger-ui .opblock")
    page.click(".opblock-summary:has-text('/api/v1/categories/')")
    page.click(".opblock.is-open button.try-out__btn")
    page.click(".opblock.is-open button.execute")
    page.wait_for_selector(".opblock.is-open .live-responses-table .response-col_status")
    assert "200" in page.inner_text(".opblock.is-open .live-responses-table tbody")
    assert_no_violation(page)


def test_a_trained_partner_meets_no_policy_violation(watched, live_server, published, personas):
    page, base = watched, live_server.url
    cache.clear()  # TOTP codes used by earlier tests
    log_in(page, base, personas.partner_a)
    for path in ("/bti/", "/bti/territoires/", "/bti/requetes/", "/bti/api/jetons/", "/compte/2fa/"):
        visit(page, base + path)
    visit(
        page,
        f"{base}/bti/tableau/?indicators=ALL-01,SOI-01&level=departement&territories=commune:80021"
        "&compare=region:32,france:FR",
        "#carte-table",
    )
    visit(page, f"{base}/bti/portrait/?territoire=epci:248000531", "body[data-charts-ready='true']")
    page.click("button[data-print]")
    assert page.get_attribute("html", "data-printed") == "true"
    assert_no_violation(page)


def test_an_editor_meets_no_policy_violation(watched, live_server, published, personas):
    page, base = watched, live_server.url
    cache.clear()
    log_in(page, base, personas.editor)
    for path in ("/publications/gestion/", "/lettre/gestion/", "/admin/"):
        visit(page, base + path)
    assert_no_violation(page)


def test_a_staff_admin_meets_no_policy_violation(watched, live_server, published, personas):
    from indicators.models import Indicator

    page, base = watched, live_server.url
    cache.clear()
    log_in(page, base, personas.admin)
    visit(page, f"{base}/admin/")
    visit(page, f"{base}/admin/indicators/importbatch/")
    visit(
        page, f"{base}/admin/indicators/indicator/{Indicator.objects.get(code='SOI-01').pk}/change/", "#id_sources_from"
    )  # the two-list selector is drawn by script
    # the article form: slug typed from the title, calendar, autocomplete
    visit(page, f"{base}/admin/publications/article/add/")
    page.locator("#id_title").press_sequentially("Santé des Amiénois")  # keyup fills the slug
    assert page.input_value("#id_slug") == "sante-des-amienois"
    page.click(".field-publish_at .datetimeshortcuts a >> nth=1")  # the calendar
    page.wait_for_selector(".calendarbox", state="visible")
    page.click(".field-territories .select2-selection")
    page.keyboard.type("Amiens")
    page.wait_for_selector(".select2-results__option:has-text('Amiens')")
    assert_no_violation(page)


def test_the_configured_base_layer_loads_its_tiles(watched, live_server, published, settings):
    """Tiles from another host (here the same server under another name)
    pass the policy once PF2S_MAP_BASE_LAYER names that host."""
    tiles = live_server.url.replace("localhost", "127.0.0.1")
    settings.PF2S_MAP_BASE_LAYER = tiles + "/static/favicon.svg?{z}/{x}/{y}"
    settings.PF2S_MAP_BASE_ATTRIBUTION = "Fond : serveur de test"
    page = watched
    visit(
        page,
        f"{live_server.url}/indicateurs/SOI-01/?level=departement&period=2021",
        "#indicator-map[data-base-layer='true'][data-ready='true']",
    )
    wait_for(page, "#indicator-map img.leaflet-tile-loaded")
    assert "Fond : serveur de test" in page.inner_text(".leaflet-control-attribution")
    assert_no_violation(page)
