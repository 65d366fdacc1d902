"""Every URL and every query parameter, fed what an attacker or a broken
client sends (NUL characters, invalid UTF-8, numbers beyond PostgreSQL's
bigint, overlong strings): never a 5xx, and on the API the answer is JSON
(issue 11, finding 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.routes import ROUTES

pytestmark = pytest.mark.django_db

APPS = ["pf2s", "indicators", "opendata", "bti", "publications", "newsletter", "observatories"]


def parameter_names() -> list[str]:
    """Every query or form parameter a view reads by name (found in the source,
    so that a new parameter is fuzzed without editing this test)."""
    found = set()
    for app in APPS:
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found |= set(re.findall(r"(?:query_params|GET|POST)\.get(?:list)?\(\s*\"(\w+)\"", text))
            found |= set(re.findall(r"OpenApiParameter\(\s*\"(\w+)\"", text))
            for keys in re.findall(r"for key in \(([^)]*)\)", text):
                found |= set(re.findall(r"\"(\w+)\"", keys))
    # the catalogue form and the BTI table's query read theirs through a form or a parser
    return sorted(found | {"source", "periods", "kind", "rubrique", "theme", "departement", "club"})


PARAMETERS = parameter_names()
BAD = {
    "nul": "a%00b",
    "invalid-utf8": "%ff%fe%c3%28",
    "bigint": "9" * 40,
    "long": "x" * 300,
}
# converters of the path: the same, and for an <int:...> the digits beyond bigint
PATH_BAD = {"nul": "a%00", "invalid-utf8": "%ff%fe", "bigint": "9" * 40, "long": "y" * 2000}
ROUTES_TO_FUZZ = [r for r in ROUTES if r[4] and not r[0].startswith("static/")]


def test_it_knows_the_parameters_of_the_views():
    assert {"level", "period", "territory", "indicators", "own", "q", "theme", "departement"} <= set(PARAMETERS)
    assert len(ROUTES_TO_FUZZ) > 80


def fuzzed_paths(route: str, sample: str) -> list[str]:
    paths = []
    if "<" in route:
        for value in PATH_BAD.values():
            paths.append("/" + re.sub(r"<(?:\w+:)?\w+>", value, route))
    for value in BAD.values():
        paths.append(sample + "?" + "&".join(f"{name}={value}" for name in PARAMETERS))
    return paths


@pytest.mark.parametrize("persona", ["anonymous", "partner_a", "admin"])
def test_no_input_gives_a_server_error(client, published, personas, persona):
    client.raise_request_exception = False  # count a 500 as the visitor sees it
    personas.log_in(client, persona)
    failures = []
    for route, _name, _ns, _callback, sample in ROUTES_TO_FUZZ:
        for path in fuzzed_paths(route, sample):
            response = client.get(path)
            problem = None
            if response.status_code >= 500:
                problem = f"{response.status_code}"
            elif (
                path.startswith("/api/")
                and response.status_code >= 400
                and not response["Content-Type"].startswith("application/json")
            ):
                problem = f"{response.status_code} in {response['Content-Type']}"
            if problem:
                failures.append(f"GET {path[:120]} → {problem}")
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("kind", ["nul", "invalid-utf8", "bigint"])
def test_each_parameter_alone_on_the_public_pages_and_api(client, published, kind):
    """Alone, so that no other parameter's refusal hides a failure."""
    public = [
        "/indicateurs/",
        "/indicateurs/ALL-01/",
        "/territoires/departement/80/",
        "/publications/",
        "/observatoires/",
        "/api/v1/indicators/",
        "/api/v1/indicators/ALL-01/values/",
        "/api/v1/territories/",
        "/recherche/",
    ]
    client.raise_request_exception = False
    failures = []
    for url in public:
        for name in PARAMETERS:
            response = client.get(f"{url}?{name}={BAD[kind]}")
            if response.status_code >= 500:
                failures.append(f"{url}?{name}= → {response.status_code}")
    assert not failures, "\n".join(failures[:40])


def test_a_nul_character_in_a_form_is_refused(client, published):
    """Forms are posted urlencoded: a NUL in any field is refused at the door."""
    from urllib.parse import urlencode

    body = urlencode({"email": "a\x00@example.org", "login": "x\x00", "password": "p"})
    for url in ("/lettre/", "/compte/login/", "/bti/tableau/", "/evenements/journee/"):
        response = client.post(url, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, url
    # multipart outside the upload areas too (a script may send it)
    assert client.post("/lettre/", {"email": "a\x00@example.org", "consent": "on"}).status_code == 400


def test_a_nul_character_is_refused_with_its_reason(client, published):
    api = client.get("/api/v1/indicators/?category=a%00")
    assert api.status_code == 400 and api["Content-Type"].startswith("application/json")
    assert "Caractère nul" in api.json()["detail"]
    page = client.get("/indicateurs/a%00/")
    assert page.status_code == 400 and "Caractère nul interdit" in page.content.decode()
    assert client.get("/observatoires/?departement=%00").status_code == 400


def test_api_errors_are_json_even_when_csv_was_asked(client, published):
    response = client.get("/api/v1/indicators/ALL-01/values/?format=csv&level=nowhere")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] and "{" not in response.json()["detail"]
    missing = client.get("/api/v1/nowhere/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_requests_django_itself_refuses_answer_400_with_a_reason(client, published):
    too_many = "&".join(f"a{n}=1" for n in range(1100))  # beyond DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert client.get(f"/recherche/?{too_many}").status_code == 400
    assert "trop de champs" in client.get(f"/recherche/?{too_many}").content.decode()
