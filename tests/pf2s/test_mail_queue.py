"""Mails leave through a Celery task (pf2s.mail): the page never waits for
SMTP nor fails with it; a mail survives the round trip through the queue."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from pf2s.tasks import mail_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    settings.EMAIL_BACKEND = "pf2s.mail.QueuedEmailBackend"
    settings.PF2S_EMAIL_TRANSPORT = "django.core.mail.backends.locmem.EmailBackend"


def test_a_subscription_mail_goes_through_the_queue_whole(client, queued):
    response = client.post("/lettre/", {"email": "lea@example.org", "consent": "on"}, follow=True)
    assert "un message va lui être envoyé" in response.content.decode()
    assert len(mail.outbox) == 1  # the eager task sent it through the transport
    message = mail.outbox[0]
    assert message.to == ["lea@example.org"] and "/lettre/confirmer/" in message.body
    assert message.subject


def test_smtp_and_redis_down_never_give_a_500(client, queued, settings, monkeypatch, caplog):
    settings.PF2S_EMAIL_TRANSPORT = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis. Connection refused.")

    monkeypatch.setattr(mail_send, "apply_async", broker_down)
    with caplog.at_level(logging.ERROR, logger="pf2s.mail"):
        response = client.post("/lettre/", {"email": "lea@example.org", "consent": "on"})
    assert response.status_code == 302
    assert any("Mail lost" in r.getMessage() for r in caplog.records)


def test_a_mail_crosses_the_queue_whole():
    """What the task receives is JSON: every part that matters survives it."""
    import json

    from django.core.mail import EmailMultiAlternatives

    from pf2s.mail import message_dump, message_load

    message = EmailMultiAlternatives(
        "Sujet é",
        "Texte",
        "PF2S <a@example.org>",
        ["b@example.org"],
        headers={"List-Unsubscribe": "<https://x/y>"},
        reply_to=["c@example.org"],
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.content_subtype = "html"
    back = message_load(json.loads(json.dumps(message_dump(message))))
    for part in ("subject", "body", "from_email", "to", "reply_to", "extra_headers", "alternatives", "content_subtype"):
        assert getattr(back, part) == getattr(message, part), part
