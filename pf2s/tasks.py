"""Tasks of the site itself."""

from __future__ import annotations

import smtplib

from celery import shared_task

from .mail import message_load, transport_connection


class MailServerDown(Exception):
    """The SMTP server did not take the mail for a reason that may pass."""


@shared_task(
    bind=True, autoretry_for=(MailServerDown,), retry_backoff=30, retry_backoff_max=900, max_retries=8, acks_late=True
)
def mail_send(self, data: dict) -> int:
    """Send one mail through the real transport; retried with growing pauses
    (30 s, 1 min, 2 min … 15 min) while the SMTP server is unreachable or
    busy, never for an address the server refuses for good."""
    try:
        return transport_connection(fail_silently=False).send_messages([message_load(data)])
    except smtplib.SMTPRecipientsRefused as exc:
        if all(code >= 500 for code, _ in exc.recipients.values()):
            raise  # refused for good (5xx): retrying would change nothing
        raise MailServerDown(str(exc)) from exc
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:
            raise
        raise MailServerDown(str(exc)) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailServerDown(str(exc)) from exc
