"""Behind the reverse proxy, limits and records use the client's address,
never the proxy's (issue 11, finding 2): one person's wrong passwords lock
that person only; a consent proof records who consented; a client cannot
choose its address by writing X-Forwarded-For itself."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from newsletter.models import Subscriber
from pf2s.clientip import client_ip_resolve
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"  # every request reaches the app from the proxy


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.PF2S_TRUSTED_PROXIES = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "5/5m/ip"}
    cache.clear()
    yield
    cache.clear()


def via_proxy(client_address: str, sent_by_client: str = "") -> dict:
    """The headers the app receives: the proxy appends the address it saw."""
    chain = f"{sent_by_client}, {client_address}" if sent_by_client else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def test_five_wrong_passwords_lock_their_author_not_everybody(client, personas):
    mallory = {"login": "mallory@example.org", "password": "wrong-password-1"}
    for _ in range(5):
        client.post("/compte/login/", mallory, **via_proxy("203.0.113.66"))
    # from that address even a right password now waits...
    blocked = client.post(
        "/compte/login/", {"login": personas.partner_b.email, "password": PASSWORD}, **via_proxy("203.0.113.66")
    )
    assert blocked.status_code in {200, 429} and "2fa" not in blocked.get("Location", "")
    # ...while another person behind the same proxy still logs in
    alice = client.post(
        "/compte/login/", {"login": personas.partner_a.email, "password": PASSWORD}, **via_proxy("198.51.100.7")
    )
    assert alice.status_code == 302 and "/2fa/authenticate/" in alice["Location"]


def test_a_client_cannot_escape_its_lock_by_writing_x_forwarded_for(client, personas):
    mallory = {"login": "mallory@example.org", "password": "wrong-password-1"}
    for n in range(5):
        client.post("/compte/login/", mallory, **via_proxy("203.0.113.66", sent_by_client=f"192.0.2.{n}"))
    response = client.post(
        "/compte/login/",
        {"login": personas.partner_b.email, "password": PASSWORD},
        **via_proxy("203.0.113.66", sent_by_client="192.0.2.99"),
    )
    assert "2fa" not in response.get("Location", "")


def test_the_consent_proof_records_the_subscribers_address(client):
    client.post("/lettre/", {"email": "lea@example.org", "consent": "on"}, **via_proxy("198.51.100.23"))
    confirm = re.search(r"http://testserver(/lettre/confirmer/\S+)", mail.outbox[-1].body).group(1)
    client.post(confirm, **via_proxy("198.51.100.23", sent_by_client="1.2.3.4"))
    assert Subscriber.objects.get(email="lea@example.org").consent_ip == "198.51.100.23"


def test_the_api_throttle_counts_each_client_apart(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        codes = [
            client.get("/api/v1/territories/?level=departement", **via_proxy("203.0.113.66")).status_code
            for _ in range(4)
        ]
        assert codes[-1] == 429
        assert client.get("/api/v1/territories/?level=departement", **via_proxy("198.51.100.7")).status_code == 200
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}
        api_settings.reload()


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("203.0.113.5", 1, "203.0.113.5"),
        ("1.2.3.4, 203.0.113.5", 1, "203.0.113.5"),  # the client's own entry is ignored
        ("1.2.3.4, 203.0.113.5, 10.0.0.9", 2, "203.0.113.5"),
        ("", 1, PROXY),  # reached without the proxy: the connection's address
        ("not-an-address", 1, PROXY),
        ("[2001:db8::1]:4711", 1, "2001:db8::1"),
        ("203.0.113.5:4711", 1, "203.0.113.5"),
        ("203.0.113.5", 0, PROXY),  # no proxy trusted: the header is the client's to write
    ],
)
def test_the_client_address_rule(forwarded, proxies, expected):
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_ip_resolve(meta, trusted_proxies=proxies) == expected
