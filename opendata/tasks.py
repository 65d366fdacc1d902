"""Celery tasks of the open-data app."""

from __future__ import annotations

from celery import shared_task

from .services import opendata_dump_build


@shared_task(acks_late=True)
def opendata_dump(snapshot_id: int) -> int:
    """Build the full open-data dump of a snapshot (idempotent)."""
    return opendata_dump_build(snapshot_id=snapshot_id).pk
