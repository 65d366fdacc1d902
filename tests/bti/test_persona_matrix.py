"""Every BTI page and partner-facing API endpoint, for every persona and
method: who gets in, who is sent to log in, who is refused. Never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bti.models import TrainingSession
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

MEMBERS = {"partner_a_untrained", "partner_a", "partner_b", "partner_a_admin"}


def partner_area(persona: str) -> int:
    """Pages of the BTI: members (trained or not) and superusers."""
    if persona == "anonymous":
        return 302
    return 200 if persona in MEMBERS | {"admin"} else 403


def staff_only(persona: str) -> int:
    return {"anonymous": 302, "admin": 200}.get(persona, 403)


def trained_data(persona: str) -> int:
    """Commune-level values: trained members and superusers; others get a reason (400)."""
    return 200 if persona in {"partner_a", "partner_b", "partner_a_admin", "admin"} else 400


PAGES = [
    ("/bti/", partner_area),
    ("/bti/formations/", partner_area),
    ("/bti/tableau/", partner_area),
    ("/bti/tableau/?indicators=ALL-01,SOI-01&level=departement", partner_area),
    ("/bti/tableau/export.xlsx?indicators=SOI-01&level=departement", partner_area),
    ("/bti/tableau/export.csv?indicators=SOI-01&level=departement", partner_area),
    ("/bti/requetes/", partner_area),
    ("/bti/territoires/", partner_area),
    ("/bti/portrait/?territoire=epci:248000531", partner_area),
    ("/bti/api/jetons/", partner_area),
    ("/bti/gestion/statistiques/", staff_only),
    ("/bti/gestion/formations/{session}/presences/", staff_only),
    ("/api/v1/indicators/ALL-01/values/?level=commune", trained_data),
    ("/api/v1/indicators/ALL-02/", lambda p: 200 if trained_data(p) == 200 else 404),
]


@pytest.fixture
def session_id(db):
    return TrainingSession.objects.create(starts_at=timezone.now() + dt.timedelta(days=7), place="Lille").pk


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_each_persona_as_it_should(client, published, personas, session_id, persona):
    personas.log_in(client, persona)
    for url, rule in PAGES:
        url = url.format(session=session_id)
        response = client.get(url)
        assert response.status_code == rule(persona), (persona, url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/compte/login/"), url
        if url.startswith("/bti/"):  # a partner's page or file stays in no cache (ASVS 8.2.1)
            assert response["Cache-Control"] == "private, no-store", (persona, url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_writes_need_the_right_persona_and_method(client, published, personas, session_id, persona):
    personas.log_in(client, persona)
    writes = [
        (f"/bti/formations/{session_id}/inscription/", partner_area),
        (f"/bti/formations/{session_id}/desinscription/", partner_area),
        ("/bti/requetes/", partner_area),
        ("/bti/territoires/", partner_area),
        ("/bti/api/jetons/", partner_area),
        (f"/bti/gestion/formations/{session_id}/presences/", staff_only),
    ]
    for url, rule in writes:
        response = client.post(url, {"name": "x"})
        expected = rule(persona)
        if expected == 200:
            # 400: the form is shown again with what was wrong (and what was typed)
            assert response.status_code in {200, 302, 400} and not response.get("Location", "").startswith(
                "/compte/"
            ), url
        else:
            assert response.status_code == expected, (persona, url, response.status_code)
    for url in ("/api/v1/indicators/ALL-01/values/", "/api/v1/indicators/", "/api/v1/territories/"):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url)
            assert response.status_code in {401, 403, 405}, (persona, method, url, response.status_code)
    for url in (f"/bti/formations/{session_id}/inscription/",):
        assert client.get(url).status_code in {302, 403, 405}
