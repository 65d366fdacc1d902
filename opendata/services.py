"""Writes of the open-data app."""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction

from indicators import exports, reading
from indicators.choices import JobState
from indicators.models import JobRun, Snapshot
from indicators.readers import ANONYMOUS
from indicators.services import job_enqueue, job_progress

from .models import OpenDataDump

DUMP_DIR = "opendata"


def dump_directory() -> Path:
    return Path(settings.MEDIA_ROOT) / DUMP_DIR


def dump_job_name(snapshot_id: int) -> str:
    return f"opendata_dump {snapshot_id}"


def opendata_dump_build(*, snapshot_id: int, job_id: int | None = None, force: bool = False) -> OpenDataDump:
    """Every indicator an anonymous reader may see, at every level and period
    he may see, from one snapshot, as CSV and XLSX in a zip. Idempotent (an
    existing file is kept unless `force`). The zip is written under a name
    of its own and renamed when complete: a half-written file is never
    served, and one left by a failed run is removed."""
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    existing = OpenDataDump.objects.filter(snapshot=snapshot).first()
    if existing and Path(existing.path).exists() and not force:
        return existing
    target = dump_directory() / f"pf2s-donnees-ouvertes-{snapshot.pk}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    # the job's id in the name: opendata_dump_ensure removes the file of a run that died
    partial = target.with_name(f"{target.name}.{f'job{job_id}' if job_id else uuid.uuid4().hex[:12]}.part")
    try:
        rows = _dump_write(snapshot, partial, job_id)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    with transaction.atomic():
        dump, _ = OpenDataDump.objects.update_or_create(
            snapshot=snapshot, defaults={"path": str(target), "size": target.stat().st_size, "rows": rows}
        )
    return dump


def _dump_write(snapshot: Snapshot, path: Path, job_id: int | None) -> int:
    """Write the zip of a snapshot's open data to `path`; its row count."""
    reader = ANONYMOUS
    frames, metadata = [], []
    indicators = list(reading.indicators_visible(reader).prefetch_related("sources").order_by("code"))
    for done, indicator in enumerate(indicators):
        if job_id:  # also the job's heartbeat
            job_progress(job_id=job_id, step=f"indicateur {indicator.code}", percent=80 * done // len(indicators))
        rows = reading.indicator_values(reader=reader, indicator=indicator, snapshot=snapshot)
        if rows.empty:
            continue
        rows = rows.assign(indicator=indicator.code, label=indicator.label, unit=indicator.unit)
        frames.append(rows)
        metadata.append({key: value for key, value in exports.metadata(indicator, snapshot)})
    data = pd.concat(frames, ignore_index=True)
    order = ["indicator", "label", "unit", *reading.ROW_FIELDS]
    data = data[order]
    secret = data["status"] == "secret"
    numbers = ["value", "numerator", "denominator", "ci_low", "ci_high"]
    table = data.astype({c: object for c in numbers})
    table.loc[secret, numbers] = "secret"
    for column in ("label", "territory_name"):
        table[column] = table[column].map(exports.escape)
    csv_bytes = "\ufeff" + table.to_csv(sep=";", decimal=",", index=False)
    if job_id:
        job_progress(job_id=job_id, step="écriture du fichier", percent=90)
    xlsx = io.BytesIO()
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="Données", index=False)
        pd.DataFrame(metadata).map(exports.escape).to_excel(writer, sheet_name="Métadonnées", index=False)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pf2s-donnees-ouvertes.csv", csv_bytes.encode("utf-8"))
        archive.writestr("pf2s-donnees-ouvertes.xlsx", xlsx.getvalue())
        archive.writestr("LISEZMOI.txt", _readme(snapshot))
    return len(table)


def opendata_dump_queue(*, snapshot_id: int, force: bool = False) -> JobRun:
    """Record the build of a snapshot's dump and queue it once the
    transaction commits (at once where tasks run in-process)."""
    from .tasks import opendata_dump

    job = JobRun.objects.create(name=dump_job_name(snapshot_id))
    job_enqueue(job, opendata_dump, job.pk, snapshot_id, force)
    return job


def opendata_dump_ensure() -> JobRun | None:
    """The current snapshot's dump exists or is on its way: otherwise (its
    build died, its file was lost) queue it. Removes the partial files of
    runs that are over. Returns the job queued, if any. Run by beat and at
    every worker start, after the sweeper."""
    partials = list(dump_directory().glob("*.part"))  # before the live jobs: a newer one is not listed
    live = set(
        JobRun.objects.filter(
            name__startswith="opendata_dump ", state__in=[JobState.QUEUED, JobState.RUNNING]
        ).values_list("pk", flat=True)
    )
    for partial in partials:
        owner = partial.name.rsplit(".", 2)[-2]
        if owner.startswith("job") and owner[3:].isdigit():
            if int(owner[3:]) not in live:
                partial.unlink(missing_ok=True)
        elif partial.stat().st_mtime < time.time() - 86400:  # a build without a job (shell), killed
            partial.unlink(missing_ok=True)
    snapshot = Snapshot.objects.filter(is_current=True).first()
    if snapshot is None:
        return None
    dump = OpenDataDump.objects.filter(snapshot=snapshot).first()
    if dump is not None and Path(dump.path).exists():
        return None
    if JobRun.objects.filter(name=dump_job_name(snapshot.pk), pk__in=live).exists():
        return None
    return opendata_dump_queue(snapshot_id=snapshot.pk)


def _readme(snapshot: Snapshot) -> str:
    demo = (
        "\nATTENTION : données de démonstration, générées, qui ne décrivent pas la réalité.\n"
        if snapshot.is_demo
        else ""
    )
    return (
        f"Plateforme sanitaire et sociale Hauts-de-France — données ouvertes\n"
        f"Instantané {snapshot.pk} publié le {snapshot.published_at:%d/%m/%Y %H:%M}.\n"
        f"Indicateurs ouverts, niveaux France, région, départements et EPCI, toutes périodes.\n"
        f"« secret » : valeur non diffusée au titre du secret statistique.\n"
        f"Licence : {exports.LICENCE}.\n{demo}"
    )
