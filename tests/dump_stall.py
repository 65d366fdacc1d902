"""The Celery app of pf2s for a worker test, with an open-data dump that
stalls while its zip is being written: the test kills the worker then."""

from __future__ import annotations

import time

from celery.signals import task_prerun

from pf2s.celery import app

__all__ = ["app"]


@task_prerun.connect
def _stall_the_dump(sender=None, **kwargs) -> None:
    if getattr(sender, "name", "") != "opendata.tasks.opendata_dump":
        return
    from opendata import services

    if getattr(services._readme, "stalled", False):
        return
    readme = services._readme

    def stalled(snapshot):
        time.sleep(120)
        return readme(snapshot)

    stalled.stalled = True
    services._readme = stalled
