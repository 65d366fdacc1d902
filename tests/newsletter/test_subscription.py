"""Newsletter (RGPD): double opt-in with proof of consent, the same answer
whether the address is known or not, one-click unsubscribe, one's data
downloaded and erased, unconfirmed subscriptions purged."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from newsletter.models import Campaign, Delivery, Subscriber
from newsletter.services import subscribers_purge_unconfirmed
from tests.environment import form_limits_clear

pytestmark = pytest.mark.django_db


def subscribe(client, email):
    return client.post("/lettre/", {"email": email, "consent": "on"}, follow=True)


def link(message, prefix):
    return re.search(rf"http://testserver({prefix}\S+)", message.body).group(1)


def test_double_opt_in_with_proof_of_consent(client):
    response = subscribe(client, "Lea@Example.org")
    assert "un message va lui être envoyé" in response.content.decode()
    subscriber = Subscriber.objects.get(email="lea@example.org")
    assert subscriber.status == "pending"
    confirm = link(mail.outbox[-1], "/lettre/confirmer/")
    assert "confirmer" in client.get(confirm).content.decode().lower()
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"  # opening the link (a mail scanner) is not consenting
    client.post(confirm, HTTP_USER_AGENT="Firefox de test", REMOTE_ADDR="192.0.2.9")
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and subscriber.confirmed_at is not None
    assert subscriber.consent_ip == "192.0.2.9" and subscriber.consent_user_agent == "Firefox de test"
    assert "J'accepte de recevoir" in subscriber.consent_text


def test_an_expired_or_forged_link_confirms_nothing(client):
    subscribe(client, "tom@example.org")
    confirm = link(mail.outbox[-1], "/lettre/confirmer/")
    assert client.post(confirm[:-3] + "abc/").status_code == 400
    from django.core import signing

    with pytest.MonkeyPatch.context() as patch:  # a link mailed four days ago
        patch.setattr("time.time", lambda: (timezone.now() - dt.timedelta(days=4)).timestamp())
        stale = signing.dumps(
            {"id": Subscriber.objects.get().pk, "email": "tom@example.org"}, salt="pf2s.newsletter.confirm"
        )
    expired = client.post(f"/lettre/confirmer/{stale}/")
    assert expired.status_code == 400 and "expiré" in expired.content.decode()
    assert Subscriber.objects.get().status == "pending"


def test_the_answer_is_the_same_whether_the_address_is_known(client):
    first = subscribe(client, "ana@example.org").content.decode()
    Subscriber.objects.filter(email="ana@example.org").update(status="confirmed")
    form_limits_clear()  # a quarter of an hour later (one mail per address per window)
    again = subscribe(client, "ana@example.org").content.decode()
    unknown = subscribe(client, "zoe@example.org").content.decode()

    def strip(html):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert strip(first) == strip(again) == strip(unknown)
    assert "déjà abonnée" in mail.outbox[1].body and "confirmer" not in mail.outbox[1].body.lower()
    assert client.post("/lettre/", {"email": "pas une adresse", "consent": "on"}).status_code == 400
    assert client.post("/lettre/", {"email": "x@example.org"}).status_code == 400  # no consent, no subscription


def test_one_click_unsubscribe_and_the_mail_headers(client, personas):
    subscriber = Subscriber.objects.create(email="sam@example.org", status="confirmed")
    campaign = Campaign.objects.create(subject="Lettre de novembre")
    from newsletter.services import campaign_message

    message = campaign_message(campaign=campaign, to=subscriber.email, token=subscriber.token)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>").replace("http://testserver", "")
    assert message.alternatives[0][1] == "text/html" and "Se désabonner" in message.body
    # what a mail client does for RFC 8058: a POST, no cookie, no CSRF token
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at is not None


def test_a_subscriber_downloads_then_erases_their_data(client):
    subscriber = Subscriber.objects.create(email="eva@example.org", status="confirmed", consent_text="texte")
    campaign = Campaign.objects.create(subject="Lettre")
    Delivery.objects.create(campaign=campaign, subscriber=subscriber, email=subscriber.email, status="sent")
    data = json.loads(client.get(f"/lettre/mes-donnees/{subscriber.token}/?format=json").content)
    assert data["adresse"] == "eva@example.org" and data["envois"][0]["lettre"] == "Lettre"
    client.post(f"/lettre/mes-donnees/{subscriber.token}/", {"erase": "1"})
    assert not Subscriber.objects.filter(email="eva@example.org").exists()
    delivery = Delivery.objects.get()
    assert delivery.email == "" and delivery.subscriber is None  # the count remains, not the address
    assert client.get(f"/lettre/mes-donnees/{subscriber.token}/").status_code == 404


def test_unconfirmed_subscriptions_are_purged(client):
    subscribe(client, "old@example.org")
    subscribe(client, "new@example.org")
    Subscriber.objects.filter(email="old@example.org").update(created_at=timezone.now() - dt.timedelta(days=8))
    assert subscribers_purge_unconfirmed(days=7) == 1
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["new@example.org"]


def test_a_recorded_bounce_counts_and_stops_the_address(client, personas):
    subscriber = Subscriber.objects.create(email="gone@example.org", status="confirmed")
    campaign = Campaign.objects.create(subject="Lettre", status="sent")
    delivery = Delivery.objects.create(campaign=campaign, subscriber=subscriber, email=subscriber.email, status="sent")
    client.force_login(personas.admin)
    client.post("/admin/newsletter/delivery/", {"action": "mark_bounced", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    subscriber.refresh_from_db()
    assert delivery.status == "bounced" and subscriber.status == "unsubscribed"
    client.force_login(personas.editor)
    page = client.get("/lettre/gestion/").content.decode()
    assert "1 rejet (bounces) enregistré" in page


def test_ten_requests_mail_a_victim_once_and_the_sender_is_slowed_down(client):
    answers = [
        client.post(
            "/lettre/", {"email": "victim@example.org", "consent": "on"}, REMOTE_ADDR=f"198.51.100.{n}", follow=True
        )
        for n in range(10)
    ]
    assert len([m for m in mail.outbox if "victim@example.org" in m.to]) == 1
    assert all("un message va lui être envoyé" in a.content.decode() for a in answers)  # the same answer
    # one client sending many requests is stopped, whatever the address; an IPv6 /64 is one client
    from newsletter.views import SUBSCRIPTIONS_PER_CLIENT as limit

    codes = [
        client.post(
            "/lettre/", {"email": f"x{n}@example.org", "consent": "on"}, REMOTE_ADDR=f"2001:db8:1:2::{n:x}"
        ).status_code
        for n in range(limit + 1)
    ]
    assert codes == [302] * limit + [429]
    assert (
        client.post("/lettre/", {"email": "z@example.org", "consent": "on"}, REMOTE_ADDR="2001:db8:1:3::1").status_code
        == 302
    )  # the next /64 is someone else

    assert (
        "Trop de demandes"
        in client.post(
            "/lettre/", {"email": "y@example.org", "consent": "on"}, REMOTE_ADDR="2001:db8:1:2::ffff"
        ).content.decode()
    )
