"""Deciding a partner's new own territory (or a new version of one) in the
current snapshot, between two publications: what the published cells
determine is read from the snapshot, the territory's figures are computed
and written beside it. Nothing here depends on another territory: each
shows only what the public snapshot already says."""

from __future__ import annotations

import time
from pathlib import Path

from . import own_territories as own
from . import services
from . import snapshot_store as store
from .models import Indicator, OwnTerritoryVersion, Snapshot, Variable
from .protection import published_indicators


def own_version_check(*, version_id: int, job_id: int | None = None) -> dict:
    """Write the figures of one version in the current snapshot.
    Idempotent: a version already decided there is left as is."""
    started = time.perf_counter()

    def progress(step: str, percent: int) -> None:
        if job_id:
            services.job_progress(job_id=job_id, step=step, percent=percent)

    snapshot = Snapshot.objects.filter(is_current=True).first()
    if snapshot is None:
        return {"status": "no snapshot"}
    directory = snapshot.directory
    if store.figures_read(directory, version_id) is not None:
        return {"status": "already decided", "snapshot": snapshot.pk}
    version = OwnTerritoryVersion.objects.filter(pk=version_id, retired_at__isnull=True).first()
    if version is None:
        return {"status": "retired"}
    progress("lecture de l'instantané", 10)
    series, codes = {}, None
    for variable in Variable.objects.select_related("source"):
        loaded = store.units_read(directory, variable)
        if loaded is not None:
            series[variable.pk], codes = loaded
    indicators = list(Indicator.objects.all())
    progress("calcul des chiffres", 50)
    written = own.figures_write(
        Path(directory),
        [own.Version(pk=version.pk, communes=tuple(version.communes.values_list("code", flat=True)))],
        codes,
        series,
        [p.spec for p in published_indicators(indicators)],
        store.known_read(directory),
        store.free_read(directory),
    )
    figures = store.figures_read(directory, version_id)
    withheld = int((figures["status"] == "secret").sum()) if figures is not None else 0
    return {
        "status": "decided",
        "snapshot": snapshot.pk,
        "files": written,
        "withheld": withheld,
        "rows": 0 if figures is None else len(figures),
        "seconds": round(time.perf_counter() - started, 2),
    }


def versions_pending(snapshot: Snapshot) -> list[int]:
    """Live versions without figures in `snapshot`."""
    return [
        pk
        for pk in OwnTerritoryVersion.objects.filter(retired_at__isnull=True).values_list("pk", flat=True)
        if store.figures_read(snapshot.directory, pk) is None
    ]
