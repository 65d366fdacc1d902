from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def campaign_send(campaign_id: int) -> dict:
    """Send a campaign (safe to run twice: see services.campaign_deliver)."""
    return services.campaign_deliver(campaign_id=campaign_id)


@shared_task
def subscribers_purge() -> int:
    return services.subscribers_purge_unconfirmed()
