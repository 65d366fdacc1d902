"""Tasks of the site itself."""

from __future__ import annotations

import smtplib

from celery import shared_task

from .mail import message_load, transport_connection


@shared_task(bind=True, autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, retry_backoff_max=900,
             max_retries=8, acks_late=True)
def mail_send(self, data: dict) -> int:
    """Send one mail through the real transport; retried with growing pauses
    (30 s, 1 min, 2 min … 15 min) while the SMTP server is unreachable."""
    return transport_connection(fail_silently=False).send_messages([message_load(data)])
