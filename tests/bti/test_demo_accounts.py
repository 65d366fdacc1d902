"""The quick start's demonstration accounts log in and land where they should."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from bti.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username):
    return client.post("/compte/connexion/", {"username": username, "password": DEMO_PASSWORD})


def test_it_creates_the_four_demo_accounts_idempotently(client):
    out = StringIO()
    call_command("load_demo_accounts", stdout=out)
    call_command("load_demo_accounts", stdout=StringIO())
    for username in ("admin", "editrice", "partenaire", "partenaire-non-forme"):
        assert username in out.getvalue()
        client.logout()
        assert login(client, username).status_code == 302, username


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
    response = client.post("/compte/connexion/", {"username": "partenaire", "password": "nope"})
    unknown = client.post("/compte/connexion/", {"username": "personne", "password": "nope"})
    assert response.status_code == unknown.status_code == 200
    assert "Saisissez un nom d" in response.content.decode()
