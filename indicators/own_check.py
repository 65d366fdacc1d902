"""Checking a partner's new own territory (or a new version of one) against
the current snapshot, between two publications: its cells are decided with
every public cell and every earlier own territory of every organisation
(retired ones included) fixed as they are, and its figures are written
beside the snapshot. One check at a time, platform-wide."""

from __future__ import annotations

import time

import numpy as np
from django.conf import settings

from . import own_territories as own
from . import services
from .compute.cells import FREE, INERT
from .models import Indicator, Snapshot, Variable
from .protection import Masks, OwnCells, protect_all, workers_available
from .publication import (
    geography_read,
    public_masks_read,
    published_indicators,
    relations_read,
    units_read,
    versions_read,
)


def own_version_check(*, version_id: int, job_id: int | None = None) -> dict:
    """Decide the cells of one version in the current snapshot and write its
    figures. Idempotent: a version already decided there is left as is."""
    started = time.perf_counter()

    def progress(step: str, percent: int) -> None:
        if job_id:
            services.job_progress(job_id=job_id, step=step, percent=percent)

    with own.own_lock():
        snapshot = Snapshot.objects.filter(is_current=True).first()
        if snapshot is None:
            return {"status": "no snapshot"}
        directory = snapshot.directory
        if own.figures_read(directory, version_id) is not None:
            return {"status": "already decided", "snapshot": snapshot.pk}
        progress("lecture de l'instantané", 10)
        geo = geography_read()
        indicators = list(Indicator.objects.select_related("numerator__source", "denominator__source"))
        variables = {v.pk: v for v in Variable.objects.select_related("source")}
        series = {}
        for variable in variables.values():
            loaded = units_read(directory, variable)
            if loaded is not None:
                series[variable.pk] = loaded[0]
        published = published_indicators(indicators)
        relations = relations_read(published)
        versions = versions_read()
        target = next((i for i, v in enumerate(versions) if v.pk == version_id), None)
        if target is None or versions[target].retired:
            return {"status": "retired"}
        prints = own.fingerprints_read(directory)
        # only the version checked is decided now; others keep what they have
        default = np.array([FREE if i == target else INERT for i in range(len(versions))], dtype=np.int8)
        states = own.states_for(versions, own.cells_read(directory), prints, prints, fresh={version_id},
                                withheld_stays=True, default=default)
        free = np.zeros(len(versions), dtype=bool)
        free[target] = True
        by_code = {v.code: pk for pk, v in variables.items()}
        public = Masks(public=public_masks_read(directory, geo, by_code))
        progress("secret statistique", 30)
        masks = protect_all(series, published, geo, relations, {}, OwnCells(own.own_rows(versions, geo), states),
                            workers_available(settings.PF2S_ENGINE_WORKERS), public=public, free_own=free)
        progress("écriture des chiffres", 90)
        codes = {pk: v.code for pk, v in variables.items()}
        mine = {vid: {k: v for k, v in mask.items() if k[0] == target} for vid, mask in masks.own.items()}
        folder = own.own_folder(directory)
        cells = own.cells_frame(mine, versions, codes)
        cells.to_parquet(folder / f"v{version_id}.cells.parquet", index=False)
        own.figures_write(folder.parent, versions, [target], series, [p.spec for p in published], masks.own, geo)
        own.figures_read.cache_clear()
    withheld = int(cells["suppressed"].sum()) if len(cells) else 0
    return {"status": "decided", "snapshot": snapshot.pk, "cells": len(cells), "withheld": withheld,
            "seconds": round(time.perf_counter() - started, 2), "audit": {k: v for k, v in masks.audit.items()},
            "unresolved": masks.failures[:20]}


def versions_pending(snapshot: Snapshot) -> list[int]:
    """Live versions without figures in `snapshot` (created while it was
    being published)."""
    return [v.pk for v in versions_read() if not v.retired and own.figures_read(snapshot.directory, v.pk) is None]


