"""Content-Security-Policy and Permissions-Policy: on every kind of answer
(page, API, export, error), the map's tile host allowed when configured,
embeds frameable, and no template left with what the policy refuses."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from pf2s.csp import tile_source

STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self' "
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' 'sha256-gG0b4ixT/IQUp7JJLbyKcpYcYDjq2Wp8NGv3f+aasqo='; "
    "img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def assert_policies(response, csp: str = STRICT):
    assert response["Content-Security-Policy"] == csp
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, status",
    [
        ("/", 200),
        ("/api/v1/indicators/", 200),
        ("/indicateurs/SOI-01/export.csv?level=departement&period=2021", 200),
        ("/indicateurs/SOI-01/export.geojson?level=departement&period=2021", 200),
        ("/api/docs/swagger/", 200),
        ("/page-qui-n-existe-pas/", 404),
        ("/recherche/?q=%00", 400),  # refused at the door (pf2s.inputs)
        ("/api/v1/indicators/NOPE-00/", 404),
    ],
)
def test_it_sets_both_policies(client, published, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert_policies(response)


@pytest.mark.django_db
def test_it_covers_a_partner_page_refused_to_a_visitor(client):
    response = client.get("/bti/tableau/")
    assert response.status_code == 302
    assert_policies(response)


@pytest.mark.django_db
def test_it_lets_other_sites_frame_the_embeds_only(client, published):
    response = client.get("/embed/indicateurs/SOI-01/carte/?level=departement&period=2021")
    assert response.status_code == 200
    assert_policies(response, STRICT.replace("frame-ancestors 'none'", "frame-ancestors *"))


@pytest.mark.django_db
def test_it_serves_swagger_ui_without_inline_script(client):
    html = client.get("/api/docs/swagger/").content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [] and "<style" not in html
    script = client.get("/api/docs/swagger/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode() and "/api/schema/" in script.content.decode()


@pytest.mark.django_db
@override_settings(PF2S_MAP_BASE_LAYER="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
def test_it_allows_the_configured_map_tiles(client):
    csp = client.get("/")["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tiles.example.org;" in csp


@pytest.mark.parametrize(
    "template, source",
    [
        ("", None),
        ("/tuiles/{z}/{x}/{y}.png", None),  # our own tile server: 'self'
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://tiles.example.org:8080/{z}/{x}/{y}.png", "http://tiles.example.org:8080"),
        ("https://a.{s}.example.org/{z}/{x}/{y}.png", "https://*.example.org"),
    ],
)
def test_tile_source_is_the_origin_of_the_template(template, source):
    assert tile_source(template) == source


def test_tile_source_refuses_a_non_web_scheme():
    with pytest.raises(ImproperlyConfigured):
        tile_source("javascript://tiles.example.org/{z}")


# Mails are not web pages: their HTML needs inline styles (mail clients drop
# style sheets) and no browser applies our headers to them.
MAIL_TEMPLATES = ("newsletter/mail/",)
REFUSED = {
    "style attribute": re.compile(r"\sstyle\s*="),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\b(src=|type=\"application/(ld\+)?json\"))", re.IGNORECASE),
    "style element": re.compile(r"<style", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_holds_what_the_policy_refuses():
    found = []
    for path in sorted((settings.BASE_DIR / "templates").rglob("*.html")):
        name = path.relative_to(settings.BASE_DIR / "templates").as_posix()
        if name.startswith(MAIL_TEMPLATES):
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{name}: {what}" for what, pattern in REFUSED.items() if pattern.search(text)]
    assert found == []
