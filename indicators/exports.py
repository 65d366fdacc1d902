"""Export files of published values: CSV (French Excel by default) and XLSX
with a metadata sheet. Secret cells are written as the word `secret`, never
a number; text cells that a spreadsheet would run as a formula are escaped."""

from __future__ import annotations

import csv
import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from indicators.models import Indicator, Snapshot
from pf2s.spreadsheet import escape

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
STATUS_LABELS = {"ok": "publié", "secret": "secret", "missing": "non disponible"}
SIGNIFICANCE_LABELS = {
    "higher": "supérieur à la France",
    "lower": "inférieur à la France",
    "similar": "non différent de la France",
    "": "",
}


def columns(indicator: Indicator) -> list[tuple[str, str]]:
    unit = indicator.unit
    return [
        ("territory_code", "Code territoire"),
        ("territory_name", "Territoire"),
        ("level", "Niveau"),
        ("period", "Période"),
        ("value", f"Valeur ({unit})"),
        ("numerator", "Numérateur"),
        ("denominator", "Dénominateur"),
        ("ci_low", f"IC 95 % borne basse ({unit})"),
        ("ci_high", f"IC 95 % borne haute ({unit})"),
        ("significance", "Comparaison à la France"),
        ("status", "Statut"),
        ("demo", "Données de démonstration"),
    ]


def _rows(frame: pd.DataFrame, indicator: Indicator, *, reason: bool = False):
    for record in frame.to_dict("records"):
        secret = record["status"] == "secret"
        row = []
        for key, _ in columns(indicator):
            value = record.get(key)
            if key in ("value", "numerator", "denominator", "ci_low", "ci_high"):
                value = "secret" if secret else (None if pd.isna(value) else float(value))
            elif key == "significance":
                value = SIGNIFICANCE_LABELS.get(value or "", value)
            elif key == "status":
                value = STATUS_LABELS.get(value, value)
            elif key == "demo":
                value = "oui" if value else "non"
            row.append(escape(value))
        if reason:
            row.append(escape("" if pd.isna(record.get("reason")) else record["reason"]))
        yield row


def values_csv(frame: pd.DataFrame, indicator: Indicator, *, sep: str = ";", decimal: str = ",") -> bytes:
    """UTF-8 with BOM, `;` and decimal comma by default (French Excel). Rows
    of own territories add the reason a row has no value (column `Motif`)."""
    reason = "reason" in frame.columns
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow([label for _, label in columns(indicator)] + (["Motif"] if reason else []))
    for row in _rows(frame, indicator, reason=reason):
        writer.writerow(["" if v is None else _number(v, decimal) if isinstance(v, float) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _number(value: float, decimal: str) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return text.replace(".", decimal)


def metadata(indicator: Indicator, snapshot: Snapshot | None) -> list[tuple[str, str]]:
    sources = ", ".join(s.name for s in indicator.sources.all())
    return [
        ("Code", indicator.code),
        ("Indicateur", indicator.label),
        ("Catégorie", indicator.category.name),
        ("Définition", indicator.definition),
        ("Méthode", indicator.method),
        ("Unité", indicator.unit),
        ("Sources", sources),
        ("Précautions", indicator.caveats),
        (
            "Secret statistique",
            "Les effectifs de 1 au seuil de la source moins 1, et ce qui en "
            "dérive ou permettrait de les retrouver, sont marqués « secret » sans valeur.",
        ),
        ("Instantané", str(snapshot.pk) if snapshot else ""),
        ("Date de publication", snapshot.published_at.isoformat() if snapshot and snapshot.published_at else ""),
        ("Licence", LICENCE),
        (
            "Données de démonstration",
            "oui — valeurs générées, ne décrivent pas la réalité" if snapshot and snapshot.is_demo else "non",
        ),
    ]


def values_xlsx(frame: pd.DataFrame, indicator: Indicator, snapshot: Snapshot | None) -> bytes:
    """A data sheet (numbers stored as numbers) and a metadata sheet."""
    book = Workbook()
    data = book.active
    data.title = "Données"
    data.append([label for _, label in columns(indicator)])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for row in _rows(frame, indicator):
        data.append(row)
    data.freeze_panes = "A2"
    meta = book.create_sheet("Métadonnées")
    for key, value in metadata(indicator, snapshot):
        meta.append([key, escape(value)])
    meta.column_dimensions["A"].width = 28
    meta.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return escape(str(value))


def table_csv(frame: pd.DataFrame, *, sep: str = ";", decimal: str = ",") -> bytes:
    """Any table of figures (a table à la carte) as the export CSV."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow([escape(c) for c in frame.columns])
    for record in frame.itertuples(index=False):
        writer.writerow(
            [
                "" if v is None else _number(v, decimal) if isinstance(v, float) else v
                for v in (_cell(x) for x in record)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(
    frame: pd.DataFrame, indicators: list[Indicator], snapshot: Snapshot | None, notes: list[tuple[str, str]] = ()
) -> bytes:
    """A data sheet and a metadata sheet with every indicator's metadata."""
    book = Workbook()
    data = book.active
    data.title = "Données"
    data.append([escape(c) for c in frame.columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for record in frame.itertuples(index=False):
        data.append([_cell(x) for x in record])
    data.freeze_panes = "A2"
    meta = book.create_sheet("Métadonnées")
    for key, value in notes:
        meta.append([key, escape(value)])
    for indicator in indicators:
        meta.append([])
        for key, value in metadata(indicator, snapshot):
            meta.append([key, escape(value)])
    meta.column_dimensions["A"].width = 28
    meta.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
