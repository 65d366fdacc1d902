"""Mails leave through a Celery task, so that an SMTP server down or slow
never gives a visitor a 500 or makes a page wait: the page says the mail
will follow, and the task retries with growing pauses (about an hour in
all). If even queueing fails (Redis down), the mail is tried at once, and a
failure then is logged, not shown.

Production sets `EMAIL_BACKEND = "pf2s.mail.QueuedEmailBackend"` and the
real transport in `PF2S_EMAIL_TRANSPORT` (SMTP). The newsletter's campaign
job, already a task with its own per-recipient bookkeeping, uses the
transport directly (`transport_connection()`)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

log = logging.getLogger("pf2s.mail")


def transport_connection(**kwargs):
    """A connection of the real transport (SMTP in production)."""
    backend = getattr(settings, "PF2S_EMAIL_TRANSPORT", None)
    if not backend or backend == "pf2s.mail.QueuedEmailBackend":
        return get_connection(**kwargs)
    return get_connection(backend, **kwargs)


def message_dump(message: EmailMessage) -> dict:
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "content_subtype": message.content_subtype,
        "encoding": message.encoding,
    }


def message_load(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    message.content_subtype = data.get("content_subtype", "plain")
    message.encoding = data.get("encoding")
    return message


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        from .tasks import mail_send

        queued = 0
        for message in email_messages:
            if message.attachments:  # files do not travel through the queue's JSON: send at once
                queued += transport_connection(fail_silently=self.fail_silently).send_messages([message])
                continue
            data = message_dump(message)
            try:
                # ignore_result: the result store (Redis) is never touched on the way
                mail_send.apply_async(args=[data], retry=False, ignore_result=True)
            except Exception as exc:  # broker down: try at once rather than lose it
                log.error("Mail not queued (%s), sent directly: %s", exc.__class__.__name__, data["subject"])
                try:
                    transport_connection(fail_silently=False).send_messages([message_load(data)])
                except Exception as send_error:
                    log.error(
                        "Mail lost (%s: %s): %s to %s",
                        send_error.__class__.__name__,
                        send_error,
                        data["subject"],
                        ", ".join(data["to"]),
                    )
                    continue
            queued += 1
        return queued
