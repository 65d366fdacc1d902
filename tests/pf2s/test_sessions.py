"""Partner and staff sessions end after 30 minutes without activity (ASVS
3.3.2); activity is written once a minute, not on every request."""

from __future__ import annotations

import time

import pytest
from allauth.usersessions.models import UserSession

from pf2s.sessions import SEEN_KEY
from tests.personas import mfa_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def age_session(client, seconds: int) -> None:
    session = client.session
    session[SEEN_KEY] = int(time.time()) - seconds
    session.save()


def test_an_idle_partner_session_ends_and_says_why(client, personas):
    assert mfa_login(client, personas.partner_a.email).status_code == 302
    assert client.get("/bti/").status_code == 200
    age_session(client, 31 * 60)
    response = client.get("/bti/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    page = client.get(response["Location"]).content.decode()
    assert "Votre session a pris fin après 30 minutes sans activité" in page
    assert client.get("/bti/").status_code == 302  # really ended, not only redirected once


def test_an_active_session_goes_on(client, personas):
    mfa_login(client, personas.editor.email)
    age_session(client, 29 * 60)
    assert client.get("/publications/gestion/").status_code == 200
    assert time.time() - client.session[SEEN_KEY] < 5  # the clock restarted


def test_activity_is_written_once_a_minute_not_on_every_request(client, personas):
    mfa_login(client, personas.partner_a.email)
    client.get("/bti/")
    seen = UserSession.objects.get(user=personas.partner_a).last_seen_at
    for _ in range(3):
        client.get("/bti/")
    assert UserSession.objects.get(user=personas.partner_a).last_seen_at == seen
    age_session(client, 61)
    client.get("/bti/")
    assert UserSession.objects.get(user=personas.partner_a).last_seen_at > seen


def test_a_new_login_starts_the_idle_clock_afresh(client, personas):
    mfa_login(client, personas.partner_a.email)
    age_session(client, 31 * 60)
    client.force_login(personas.partner_a)  # a login in the same browser session (e.g. reauthentication)
    assert client.get("/bti/").status_code == 200


def test_a_session_ends_twelve_hours_after_login_however_active(client, personas):
    import datetime as dt

    from django.utils import timezone

    mfa_login(client, personas.partner_a.email)
    end = client.session.get_expiry_date()
    assert abs((end - timezone.now()) - dt.timedelta(hours=12)) < dt.timedelta(minutes=1)
    age_session(client, 61)
    client.get("/bti/")  # an activity write...
    assert client.session.get_expiry_date() == end  # ...does not push the end back


def test_an_authorization_header_does_not_stop_the_idle_clock(client, personas):
    mfa_login(client, personas.partner_a.email)
    age_session(client, 31 * 60)
    response = client.get("/bti/", HTTP_AUTHORIZATION="Basic eDp5")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
