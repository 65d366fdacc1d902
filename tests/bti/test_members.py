"""The organisation admin manages its members: invites one (who chooses a
password from the mail), deactivates one (sessions end at once)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from bti.models import Invitation, Membership
from tests.environment import form_limits_clear
from tests.personas import mfa_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture(autouse=True)
def mails_after_commit(monkeypatch):
    """Mails leave once the transaction commits; a test's transaction never
    commits, so run them as its commit would, at once."""
    from bti import services

    monkeypatch.setattr(services.transaction, "on_commit", lambda callback, **kwargs: callback())


def test_an_invited_member_chooses_a_password_and_logs_in(client, published, personas):
    client.force_login(personas.partner_a_admin)
    response = client.post(
        "/bti/organisation/membres/",
        {"email": "Nouvelle@Example.org", "first_name": "Noé", "last_name": "Vel", "role": "analyst"},
        follow=True,
    )
    assert "Invitation envoyée à nouvelle@example.org" in response.content.decode()
    membership = Membership.objects.get(user__email="nouvelle@example.org")
    assert membership.organisation == personas.org_a and membership.trained_on is None
    assert not membership.user.has_usable_password()
    link = re.search(r"https?://testserver(/compte/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": "Un-mot-de-passe-solide-2026", "password2": "Un-mot-de-passe-solide-2026"},
    )
    response = client.post(
        "/compte/login/", {"login": "nouvelle@example.org", "password": "Un-mot-de-passe-solide-2026"}
    )
    assert response.status_code == 302 and "confirm-email" not in response["Location"]
    assert client.get("/bti/")["Location"] == "/compte/2fa/totp/activate/"  # then TOTP enrolment
    assert Invitation.objects.get(email="nouvelle@example.org").accepted_at is not None


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
        refused = client.get("/bti/organisation/membres/")
        assert refused.status_code == 403
        assert "réservée à l&#x27;administrateur ou l&#x27;administratrice de votre organisation" in refused.text
    client.force_login(personas.partner_a_admin)  # not another organisation's members
    client.post("/bti/organisation/membres/", {"deactivate": personas.partner_b.membership.pk})
    personas.partner_b.membership.refresh_from_db()
    assert personas.partner_b.membership.is_active
    bad = client.post("/bti/organisation/membres/", {"email": "pas-une-adresse"}, follow=True)
    assert "invalide" in bad.content.decode()


def test_inviting_reveals_nothing_about_addresses_outside_the_organisation(client, published, personas):
    """An address with an account elsewhere and a new one: the same answer, the
    same pending row; only the address's owner learns more, by mail."""
    client.force_login(personas.partner_a_admin)
    pages = {}
    for email in (personas.partner_b.email, "inconnue@example.org"):
        response = client.post("/bti/organisation/membres/", {"email": email, "role": "analyst"}, follow=True)
        pages[email] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    page_b, page_new = pages[personas.partner_b.email], pages["inconnue@example.org"]
    assert "Invitation envoyée à" in page_b and "Invitation envoyée à" in page_new
    assert "existe" not in page_b.split("Invitations en attente")[0]

    def row(page, email):
        found = re.search(rf"<tr><th scope=\"row\">{re.escape(email)}</th>.*?</tr>", page, flags=re.S).group(0)
        return re.sub(r'value="\d+"', "", found.replace(email, "X"))  # the same but for the address and its id

    final = client.get("/bti/organisation/membres/").content.decode()
    assert row(final, personas.partner_b.email) == row(final, "inconnue@example.org")
    personas.partner_b.membership.refresh_from_db()
    assert personas.partner_b.membership.organisation == personas.org_b  # not moved
    told = [m for m in mail.outbox if personas.partner_b.email in m.to]
    assert len(told) == 1 and "Un compte existe déjà" in told[0].body
    # inviting again sends nothing more and gives the same answer
    before = len(mail.outbox)
    again = client.post("/bti/organisation/membres/", {"email": personas.partner_b.email}, follow=True)
    assert "Invitation envoyée à" in again.content.decode() and len(mail.outbox) == before
    # a member of one's own organisation: saying so reveals nothing outside it
    mfa_login(type(client)(), personas.partner_a.email)
    own = client.post("/bti/organisation/membres/", {"email": personas.partner_a.email}, follow=True)
    assert "déjà membre de votre organisation" in own.content.decode()


def test_a_pending_invitation_is_withdrawn_and_hidden_accounts_stay_unknown(client, published, personas):
    client.force_login(personas.partner_a_admin)
    for email in ("faute.de.frappe@example.org", personas.partner_b.email):
        client.post("/bti/organisation/membres/", {"email": email, "role": "analyst"})
    told = next(m for m in mail.outbox if personas.partner_b.email in m.to)
    assert told.reply_to and "&#x27;" not in told.subject + told.body
    hidden = Membership.objects.get(user__email="faute.de.frappe@example.org")
    # the account created for the invitation is not a member yet: as unknown as any other id
    probe = client.post("/bti/organisation/membres/", {"deactivate": hidden.pk}, follow=True).content.decode()
    unknown = client.post("/bti/organisation/membres/", {"deactivate": 999999}, follow=True).content.decode()
    assert "Membre inconnu" in probe and "Membre inconnu" in unknown
    for invitation in Invitation.objects.filter(organisation=personas.org_a):
        answer = client.post("/bti/organisation/membres/", {"withdraw": invitation.pk}, follow=True)
        assert "Invitation retirée" in answer.content.decode()
    assert not Invitation.objects.filter(organisation=personas.org_a).exists()
    assert not Membership.objects.filter(user__email="faute.de.frappe@example.org").exists()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="faute.de.frappe@example.org").exists()
    personas.partner_b.refresh_from_db()  # an account of someone else is never touched
    assert personas.partner_b.membership.organisation == personas.org_b


def test_an_address_can_be_invited_again_once_its_invitation_closed(client, published, personas):
    from django.utils import timezone

    client.force_login(personas.partner_a_admin)
    client.post("/bti/organisation/membres/", {"email": personas.partner_b.email})
    Invitation.objects.filter(email=personas.partner_b.email).update(accepted_at=timezone.now())
    form_limits_clear()  # a day later: one invitation mail per address per day
    before = len(mail.outbox)
    client.post("/bti/organisation/membres/", {"email": personas.partner_b.email})
    assert Invitation.objects.filter(email=personas.partner_b.email).count() == 2
    assert len(mail.outbox) == before + 1


def test_invite_withdraw_invite_again_never_floods_a_mailbox(client, published, personas):
    client.force_login(personas.partner_a_admin)
    for _ in range(5):
        client.post("/bti/organisation/membres/", {"email": "cible+essai@example.org"})
        client.post("/bti/organisation/membres/", {"email": "cible@example.org"})
        for invitation in Invitation.objects.filter(organisation=personas.org_a):
            client.post("/bti/organisation/membres/", {"withdraw": invitation.pk})
    assert len([m for m in mail.outbox if any("cible" in to for to in m.to)]) == 1
