"""The organisation admin manages its members: invites one (who chooses a
password from the mail), deactivates one (sessions end at once)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from bti.models import Membership
from tests.conftest import mfa_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_an_invited_member_chooses_a_password_and_logs_in(client, published, personas):
    client.force_login(personas.partner_a_admin)
    response = client.post("/bti/organisation/membres/", {"email": "Nouvelle@Example.org", "first_name": "Noé",
                                                           "last_name": "Vel", "role": "analyst"}, follow=True)
    assert "a reçu le lien" in response.content.decode()
    membership = Membership.objects.get(user__email="nouvelle@example.org")
    assert membership.organisation == personas.org_a and membership.trained_on is None
    assert not membership.user.has_usable_password()
    link = re.search(r"https?://testserver(/compte/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                {"password1": "Un-mot-de-passe-solide-2026", "password2": "Un-mot-de-passe-solide-2026"})
    response = client.post("/compte/login/", {"login": "nouvelle@example.org", "password": "Un-mot-de-passe-solide-2026"})
    assert response.status_code == 302 and "confirm-email" not in response["Location"]
    assert client.get("/bti/")["Location"] == "/compte/2fa/totp/activate/"  # then TOTP enrolment


def test_the_admin_deactivates_a_member_whose_sessions_end(client, published, personas):
    other = type(client)()
    assert mfa_login(other, personas.partner_a.email).status_code == 302
    assert other.get("/bti/").status_code == 200
    client.force_login(personas.partner_a_admin)
    target = personas.partner_a.membership
    client.post("/bti/organisation/membres/", {"deactivate": target.pk})
    target.refresh_from_db()
    assert not target.is_active
    assert other.get("/bti/")["Location"].startswith("/compte/login/")
    client.post("/bti/organisation/membres/", {"reactivate": target.pk})
    target.refresh_from_db()
    assert target.is_active


def test_nobody_else_manages_members(client, published, personas):
    for persona in (personas.partner_a, personas.partner_b, personas.editor):
        client.force_login(persona)
        assert client.get("/bti/organisation/membres/").status_code == 403
    client.force_login(personas.partner_a_admin)  # not another organisation's members
    client.post("/bti/organisation/membres/", {"deactivate": personas.partner_b.membership.pk})
    personas.partner_b.membership.refresh_from_db()
    assert personas.partner_b.membership.is_active
    taken = client.post("/bti/organisation/membres/", {"email": personas.partner_b.email}, follow=True)
    assert "existe déjà" in taken.content.decode()
    bad = client.post("/bti/organisation/membres/", {"email": "pas-une-adresse"}, follow=True)
    assert "invalide" in bad.content.decode()
