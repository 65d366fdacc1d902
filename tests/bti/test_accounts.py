"""Partner and staff accounts: login by email, TOTP required and enrolled,
recovery codes, rate limits, no enumeration, sessions ended on
deactivation, the admin behind the same login."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

from bti.models import Membership
from bti.services import membership_deactivate, organisation_deactivate, user_deactivate
from tests.personas import PASSWORD, mfa_login, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def new_member(personas, email="nina@example.org"):
    user = get_user_model().objects.create_user("nina", email, PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(user=user, organisation=personas.org_a, trained_on=dt.date(2026, 2, 1))
    return user


def test_a_partner_without_totp_must_enrol_before_anything_else(client, published, personas):
    new_member(personas)
    response = mfa_login(client, "nina@example.org")
    assert response.status_code == 302  # no second step yet: nothing enrolled
    bti = client.get("/bti/")
    assert bti.status_code == 302 and bti["Location"] == "/compte/2fa/totp/activate/"
    api = client.get("/api/v1/indicators/ALL-01/values/?level=commune")
    assert api.status_code == 403 and api.json()["code"] == "mfa_required"

    asked = client.get("/compte/2fa/totp/activate/")  # a sensitive step: the password again
    assert asked.status_code == 302 and asked["Location"].startswith("/compte/reauthenticate/")
    assert client.post(asked["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get("/compte/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)
    secret = secret or re.search(r'value="([A-Z2-7]{32})"[^>]*id="authenticator_secret"', page)
    assert secret, "the enrolment page shows the secret for the authenticator app"
    assert client.post("/compte/2fa/totp/activate/", {"code": "000000"}).status_code == 200  # wrong code
    enrolled = client.post("/compte/2fa/totp/activate/", {"code": totp_code(secret.group(1))})
    assert enrolled.status_code == 302
    assert client.get("/bti/").status_code == 200

    client.logout()
    cache.clear()
    first_step = client.post("/compte/login/", {"login": "nina@example.org", "password": PASSWORD})
    assert first_step["Location"].startswith("/compte/2fa/authenticate/")
    assert client.get("/bti/").status_code == 302  # a password alone is not a login
    assert mfa_login(client, "nina@example.org", secret=secret.group(1)).status_code == 302
    assert client.get("/bti/").status_code == 200


def test_a_wrong_totp_code_is_refused(client, published, personas):
    client.post("/compte/login/", {"login": personas.partner_a.email, "password": PASSWORD})
    response = client.post("/compte/2fa/authenticate/", {"code": "123456"})
    assert response.status_code == 200 and client.get("/bti/").status_code == 302


def test_a_recovery_code_replaces_the_app_once(client, published, personas):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(personas.partner_a).get_unused_codes()
    assert len(codes) == 10
    client.post("/compte/login/", {"login": personas.partner_a.email, "password": PASSWORD})
    assert client.post("/compte/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/bti/").status_code == 200
    client.logout()
    client.post("/compte/login/", {"login": personas.partner_a.email, "password": PASSWORD})
    assert client.post("/compte/2fa/authenticate/", {"code": codes[0]}).status_code == 200  # used
    assert client.get("/bti/").status_code == 302


def test_failed_logins_are_rate_limited(client, personas):
    for _ in range(5):
        wrong = client.post("/compte/login/", {"login": personas.partner_a.email, "password": "nope"})
        assert wrong.status_code == 200
    blocked = client.post("/compte/login/", {"login": personas.partner_a.email, "password": PASSWORD})
    assert blocked.status_code in {200, 429} and "2fa" not in blocked.get("Location", "")
    assert client.get("/bti/").status_code == 302  # even the right password waits


def test_the_admin_login_goes_through_the_platform_login(client, personas):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    assert mfa_login(client, personas.admin.email).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_password_reset_and_login_do_not_reveal_accounts(client, personas):
    known = client.post("/compte/password/reset/", {"email": personas.partner_a.email})
    unknown = client.post("/compte/password/reset/", {"email": "personne@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 2  # the unknown address is told it has no account, by mail only
    assert personas.partner_a.email in mail.outbox[0].to


def test_nobody_signs_up_alone(client):
    response = client.post(
        "/compte/signup/", {"email": "intrus@example.org", "password1": "x" * 12, "password2": "x" * 12}
    )
    assert not get_user_model().objects.filter(email="intrus@example.org").exists()
    assert response.status_code in {200, 403}


@pytest.mark.parametrize("deactivate", ["membership", "organisation", "user"])
def test_deactivation_ends_live_sessions_at_once(client, published, personas, deactivate):
    assert mfa_login(client, personas.partner_a.email).status_code == 302
    assert client.get("/bti/").status_code == 200
    if deactivate == "membership":
        ended = membership_deactivate(membership=personas.partner_a.membership)
    elif deactivate == "organisation":
        ended = organisation_deactivate(organisation=personas.org_a)
    else:
        ended = user_deactivate(user=personas.partner_a)
    assert ended == 1
    response = client.get("/bti/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    from django.contrib.sessions.models import Session

    assert not any(s.get_decoded().get("_auth_user_id") == str(personas.partner_a.pk) for s in Session.objects.all())
