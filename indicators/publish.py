"""The publication run: recompute every indicator at every level from the
commune counts, enforce statistical secrecy (public cells and the partners'
own territories, with the relations between variables), audit it, and
publish an immutable snapshot that becomes current atomically; then what
follows every publication. Orchestration: the geography and provenance
reads are selectors, the figures compute/ and protection.py, the files
snapshot_store.py, the catalogue read and the switch of the current
snapshot selectors.py and services.py: this module only orders them.

Order (selector → compute → save): observations and geography are read once;
pure functions aggregate, suppress, audit and compute rates; Parquet files
are written under a new snapshot directory; only then, in one transaction,
the snapshot becomes current. A run that fails removes its files and marks
its snapshot failed; a run killed midway leaves the current snapshot
untouched, and the sweeper (services.jobs_abandon_dead, at the worker's
restart and every few minutes) does the same for it."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.utils import module_loading

from . import own_territories as own
from . import selectors, services
from . import snapshot_store as store
from .choices import AGE_BANDS, ValueStatus
from .compute.frames import IndicatorSpec
from .compute.snapshot import indicators_sharing, public_frame, series_build, value_release_check
from .models import Snapshot
from .observation_store import observations_read
from .own_check import versions_pending
from .protection import engine_pool, protect_all, published_indicators, workers_available

log = logging.getLogger(__name__)


def snapshot_publish(*, job_id: int | None = None, indicator_codes: list[str] | None = None) -> Snapshot:
    """Recompute, protect, audit and publish every indicator (see module doc).
    With `indicator_codes`, only those (and the indicators sharing their
    variables) are recomputed; the others are carried over from the current
    snapshot into the new one."""
    services.snapshots_abandon_stale()
    snapshot = Snapshot.objects.create(job_id=job_id)
    try:
        directory = store.snapshot_directory_new(snapshot.pk)
        snapshot.directory = str(directory)
        snapshot.save(update_fields=["directory"])
        directory.mkdir(parents=True)
        return _snapshot_build(snapshot, directory, job_id=job_id, indicator_codes=indicator_codes)
    except BaseException:
        # a failed run cleans up after itself: no partial files, no snapshot left 'building'
        services.snapshot_abandon(snapshot_id=snapshot.pk)
        raise


def _snapshot_build(
    snapshot: Snapshot, directory: Path, *, job_id: int | None, indicator_codes: list[str] | None
) -> Snapshot:
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str, percent: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        if job_id:
            services.job_progress(job_id=job_id, step=name, percent=percent)

    geo = selectors.geography_read()
    everything, variables, current = selectors.catalogue_read()
    indicators = everything
    codes = {pk: v.code for pk, v in variables.items()}
    by_code = {v.code: pk for pk, v in variables.items()}
    carried: list[str] = []
    if indicator_codes and current is not None:
        recomputed = indicators_sharing(everything, indicator_codes)
        carried = [i.code for i in everything if i not in recomputed]
        indicators = recomputed
    # every variable is read: the relations between them bound the recomputed ones
    observations = observations_read()
    lap("lecture", 10)
    series = {
        vid: series_build(group, variables[vid], geo, AGE_BANDS) for vid, group in observations.groupby("variable_id")
    }
    published = published_indicators(everything)
    relations = selectors.relations_read(published)
    lap("agrégation", 20)
    previous_dir = current.directory if current else None
    previous = store.masks_read(previous_dir, geo, by_code)
    kept = {}
    if carried:
        recomputed_variables = {
            v for i in indicators for v in (i.numerator_id, i.denominator_id, i.release_base_id) if v
        }
        kept = {
            vid: mask
            for vid, mask in store.public_masks_read(previous_dir, geo, by_code).items()
            if vid not in recomputed_variables
        }
    with engine_pool(workers_available(settings.PF2S_ENGINE_WORKERS)) as pool:
        masks = protect_all(series, published, geo, relations, previous, 1, carried=kept, pool=pool)
        lap("secret statistique et audit", 70)
        # the own territories' figures, in the pool while the public ones are written
        known = {codes[vid]: tables for vid, tables in masks.known.items()}
        # nothing secret in them nor under them: own territories read them freely
        free = [codes[vid] for vid, s in series.items() if vid not in masks.known and not s.is_value]
        live = [v for v in selectors.own_versions_read() if not v.retired]
        own_args = (geo.commune_codes, series, [p.spec for p in published], known, frozenset(free))
        own_jobs = (
            []
            if pool is None or len(live) < 2 or masks.failures
            else [pool.submit(own.figures_write, directory, live[i::2], *own_args) for i in range(2)]
        )
        audit = dict(masks.audit)
        row_count = secret_count = written = 0
        periods: dict[str, list[str]] = {}
        frames: dict[str, pd.DataFrame] = {}
        for indicator in indicators:
            if indicator.numerator_id not in series or (
                indicator.denominator_id and indicator.denominator_id not in series
            ):
                continue
            frame = public_frame(IndicatorSpec.of(indicator), indicator.levels, series, geo, masks.public)
            frames[indicator.code] = frame
            store.indicator_write(directory, indicator.code, frame)
            periods[indicator.code] = sorted(frame["period"].unique().tolist()) if len(frame) else []
            row_count += len(frame)
            secret_count += int((frame["status"] == ValueStatus.SECRET).sum())
            written += 1
        failures = list(masks.failures) + value_release_check(
            frames, [IndicatorSpec.of(i) for i in indicators], series, geo
        )
        audit["failures"] = failures
        audit["ok"] = not failures
        audit["variables"] = sum(1 for m in masks.public.values() if m)
        if failures:
            for job in own_jobs:
                job.cancel()  # those already running end with the pool
            return services.snapshot_refuse(snapshot=snapshot, audit=audit)
        lap("calcul et écriture", 85)
        store.units_write(directory, series, geo)
        store.secrecy_write(directory, masks.public, geo, codes)
        if carried:
            for code in carried:
                status = store.indicator_link(previous_dir, directory, code)
                if status is not None:
                    periods[code] = current.periods.get(code, [])
                    row_count += len(status)
                    secret_count += int((status == ValueStatus.SECRET).sum())
                    written += 1
            audit["carried_over_from"] = current.pk
            audit["recomputed"] = sorted(i.code for i in indicators)
        store.known_write(directory, masks.known, codes, free)
        if own_jobs:
            for job in own_jobs:
                job.result()
        else:
            own.figures_write(directory, live, *own_args)
        store.own_caches_clear()
    audit["own_territories"] = len(live)
    lap("territoires personnalisés", 95)
    services.snapshot_make_current(
        snapshot=snapshot,
        indicator_count=written,
        row_count=row_count,
        secret_count=secret_count,
        audit=audit,
        is_demo=any(s.demo for s in series.values()),
        provenance=selectors.snapshot_provenance(),
        periods=periods,
        timings=timings,
    )
    store.current_snapshot_forget()
    lap("bascule", 100)
    snapshot.timings = timings
    Snapshot.objects.filter(pk=snapshot.pk).update(timings=timings)
    return snapshot


def snapshot_published(*, snapshot_id: int) -> None:
    """What follows the publication of a current snapshot: each hook of
    PF2S_AFTER_PUBLICATION (dotted paths, the open-data dump by default) is
    called with `snapshot_id=`, then the own territories not decided in it
    are queued for their check. The publication stands whatever happens
    here: a failing hook does not stop the others nor the checks, and its
    error is raised once they are all queued."""
    failure: Exception | None = None
    for path in settings.PF2S_AFTER_PUBLICATION:
        try:
            module_loading.import_string(path)(snapshot_id=snapshot_id)
        except Exception as exc:
            log.exception("After the publication of snapshot %s, %s failed", snapshot_id, path)
            failure = failure or exc
    for version_id in versions_pending(Snapshot.objects.get(pk=snapshot_id)):
        services.own_version_check_queue(version_id=version_id)
    if failure is not None:
        raise failure
