"""Writes of the open-data app."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from indicators import published
from indicators.models import Snapshot

from . import exports
from .models import OpenDataDump


def opendata_dump_build(*, snapshot_id: int) -> OpenDataDump:
    """Every indicator an anonymous reader may see, at every level and period
    he may see, from one snapshot, as CSV and XLSX in a zip. Idempotent."""
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    existing = OpenDataDump.objects.filter(snapshot=snapshot).first()
    if existing and Path(existing.path).exists():
        return existing
    reader = AnonymousUser()
    frames, metadata = [], []
    for indicator in published.indicators_visible(reader).prefetch_related("sources").order_by("code"):
        rows = published.indicator_values(user=reader, indicator=indicator, snapshot=snapshot)
        if rows.empty:
            continue
        rows = rows.assign(indicator=indicator.code, label=indicator.label, unit=indicator.unit)
        frames.append(rows)
        metadata.append({key: value for key, value in exports.metadata(indicator, snapshot)})
    data = pd.concat(frames, ignore_index=True)
    order = ["indicator", "label", "unit", *published.ROW_FIELDS]
    data = data[order]
    secret = data["status"] == "secret"
    numbers = ["value", "numerator", "denominator", "ci_low", "ci_high"]
    table = data.astype({c: object for c in numbers})
    table.loc[secret, numbers] = "secret"
    for column in ("label", "territory_name"):
        table[column] = table[column].map(exports.escape)
    csv_bytes = "\ufeff" + table.to_csv(sep=";", decimal=",", index=False)
    xlsx = io.BytesIO()
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="Données", index=False)
        pd.DataFrame(metadata).map(exports.escape).to_excel(writer, sheet_name="Métadonnées", index=False)
    target = Path(settings.MEDIA_ROOT) / "opendata" / f"pf2s-donnees-ouvertes-{snapshot.pk}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pf2s-donnees-ouvertes.csv", csv_bytes.encode("utf-8"))
        archive.writestr("pf2s-donnees-ouvertes.xlsx", xlsx.getvalue())
        archive.writestr("LISEZMOI.txt", _readme(snapshot))
    partial.replace(target)  # a half-written file is never served
    with transaction.atomic():
        dump, _ = OpenDataDump.objects.update_or_create(
            snapshot=snapshot, defaults={"path": str(target), "size": target.stat().st_size,
                                         "rows": len(table)})
    return dump


def _readme(snapshot: Snapshot) -> str:
    demo = ("\nATTENTION : données de démonstration, générées, qui ne décrivent pas la réalité.\n"
            if snapshot.is_demo else "")
    return (f"Plateforme sanitaire et sociale Hauts-de-France — données ouvertes\n"
            f"Instantané {snapshot.pk} publié le {snapshot.published_at:%d/%m/%Y %H:%M}.\n"
            f"Indicateurs ouverts, niveaux France, région, départements et EPCI, toutes périodes.\n"
            f"« secret » : valeur non diffusée au titre du secret statistique.\n"
            f"Licence : {exports.LICENCE}.\n{demo}")
