from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def articles_publish_due() -> int:
    return services.articles_publish_due()
