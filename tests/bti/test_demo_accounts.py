"""The quick start's demonstration accounts log in (email, password, TOTP)
and land where they should."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from bti.services import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_email
from tests.conftest import mfa_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # used TOTP codes and rate limits of earlier tests
    yield
    cache.clear()


def login(client, username):
    client.logout()
    return mfa_login(client, demo_email(username), DEMO_PASSWORD, DEMO_TOTP_SECRET)


def test_it_creates_the_four_demo_accounts_idempotently(client):
    out = StringIO()
    call_command("load_demo_accounts", stdout=out)
    call_command("load_demo_accounts", stdout=StringIO())
    assert DEMO_TOTP_SECRET in out.getvalue()
    for username in ("admin", "editrice", "partenaire", "partenaire-non-forme"):
        assert demo_email(username) in out.getvalue()
        response = login(client, username)
        assert response.status_code == 302 and "/2fa/" not in response["Location"], username


def test_each_demo_account_reaches_its_area(client):
    call_command("load_demo_accounts", stdout=StringIO())
    login(client, "partenaire")
    page = client.get("/bti/").content.decode()
    assert "Formation suivie le" in page
    login(client, "partenaire-non-forme")
    assert "pas encore enregistrée" in client.get("/bti/").content.decode()
    login(client, "editrice")
    assert client.get("/publications/gestion/").status_code == 200
    login(client, "admin")
    assert client.get("/admin/").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_is_wrong(client):
    call_command("load_demo_accounts", stdout=StringIO())
    response = client.post("/compte/login/", {"login": demo_email("partenaire"), "password": "nope"})
    unknown = client.post("/compte/login/", {"login": "personne@demo.pf2s.invalid", "password": "nope"})
    assert response.status_code == unknown.status_code == 200
    def page(r, email):  # the same page but for the address typed and the CSRF token
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode().replace(email, "X"))

    wrong, nobody = page(response, demo_email("partenaire")), page(unknown, "personne@demo.pf2s.invalid")
    assert "incorrect" in wrong
    assert wrong == nobody
