"""Import of provider files (CSV or XLSX) into observations: validated
whole, applied atomically, with a report of every rejected row."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
from django.db import transaction
from django.db.models import Q

from pf2s.numbers import whole_number
from pf2s.spreadsheet import escape

from .choices import AGE_BANDS, BatchStatus, IndicatorKind, TerritoryLevel
from .models import ImportBatch, Indicator, Observation, Source, Territory, Variable
from .observation_store import observations_write

#: Accepted column names (accents, case and spaces ignored) for each field.
COLUMN_ALIASES = {
    "variable": ("variable", "var", "code_variable"),
    "code": ("code", "code_territoire", "territoire", "codgeo", "code_commune", "depcom", "code_insee"),
    "level": ("niveau", "level", "niveau_geographique"),
    "period": ("periode", "annee", "period", "year", "millesime"),
    "age_band": ("tranche_age", "age", "classe_age", "tranche_d_age"),
    "value": ("valeur", "value", "effectif", "nombre"),
}
REQUIRED = ("variable", "code", "period", "value")
#: Secrecy markers providers already put in their files.
MARKERS = {"s", "nd", "secret", "c", "ns"}
FIRST_YEAR = 1990


@dataclass
class Rejection:
    row: int
    column: str
    reason: str
    value: str = ""


@dataclass
class ImportReport:
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    batch: ImportBatch | None = None

    @property
    def rows_rejected(self) -> int:
        return len({r.row for r in self.rejections})

    def rejections_csv(self) -> str:
        return rejections_csv([r.__dict__ for r in self.rejections])


def rejections_csv(rows: list[dict]) -> str:
    """The downloadable report: one line per rejected cell, `;` separated."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["ligne", "colonne", "motif", "valeur"])
    for r in rows:  # the values are the provider's, as typed: escaped
        writer.writerow([r["row"], escape(r["column"]), r["reason"], escape(r["value"])])
    return "\ufeff" + out.getvalue()


def _normalise(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return "_".join(text.strip().lower().replace("'", " ").replace("-", " ").split())


def read_table(content: bytes, file_name: str) -> pd.DataFrame:
    """Parse CSV (`;` or `,`, UTF-8 or Latin-1) or XLSX into strings."""
    if content[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        frame = pd.read_excel(io.BytesIO(content), dtype=str, keep_default_na=False)
        return frame.fillna("")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    header = text.splitlines()[0] if text else ""
    separator = ";" if header.count(";") >= header.count(",") else ","
    return pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)


def _columns(frame: pd.DataFrame) -> tuple[dict[str, str], list[Rejection]]:
    found = {}
    normalised = {_normalise(c): c for c in frame.columns}
    for key, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in normalised:
                found[key] = normalised[alias]
                break
    missing = [key for key in REQUIRED if key not in found]
    return found, [
        Rejection(1, key, f"colonne manquante : {key} (attendu : {', '.join(COLUMN_ALIASES[key])})") for key in missing
    ]


def _territory_code(code: str, level: str) -> str:
    code = code.strip().upper()
    if code.endswith(".0"):
        code = code[:-2]  # a spreadsheet turned the code into a number
    if level == TerritoryLevel.COMMUNE and code.isdigit() and len(code) == 4:
        return code.zfill(5)
    if level == TerritoryLevel.DEPARTEMENT and code.isdigit() and len(code) == 1:
        return code.zfill(2)
    return code


def _age_band(text: str) -> str | None:
    text = text.strip().replace(" ", "")
    if not text:
        return ""
    if text in AGE_BANDS:
        return text
    if "-" in text:
        low, _, high = text.partition("-")
        low, high = whole_number(low), whole_number(high)
        candidate = f"{low:02d}-{high:02d}" if low is not None and high is not None else ""
        return candidate if candidate in AGE_BANDS else None
    return "90+" if text in {"90+", "90etplus", "90ouplus"} else None


def _number(text: str) -> float | None:
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def observations_import(
    *, file_name: str, content: bytes, source: Source, user=None, load_valid_rows: bool = False
) -> ImportReport:
    """Validate a provider file whole; load it atomically if it has no error
    (or, when asked, its valid rows only). A file already loaded (same
    sha256) changes nothing."""
    digest = hashlib.sha256(content).hexdigest()
    already = ImportBatch.objects.filter(sha256=digest, status__in=[BatchStatus.LOADED, BatchStatus.PARTIAL]).first()
    if already:
        return ImportReport(status=BatchStatus.DUPLICATE, batch=already)
    try:
        frame = read_table(content, file_name)
    except Exception as exc:  # unreadable file: say why, load nothing
        report = ImportReport(status=BatchStatus.REJECTED, rejections=[Rejection(0, "", f"fichier illisible : {exc}")])
        report.batch = _record(report, file_name, digest, source, user)
        return report
    rows, rejections = _validate(frame, source)
    report = ImportReport(status=BatchStatus.LOADED, rows_read=len(frame), rejections=rejections)
    bad_rows = {r.row for r in rejections}
    if rejections and (not load_valid_rows or any(r.row <= 1 and r.column in REQUIRED for r in rejections)):
        report.status = BatchStatus.REJECTED
        report.batch = _record(report, file_name, digest, source, user)
        return report
    good = rows[~rows["row"].isin(bad_rows)]
    with transaction.atomic():
        if rejections:
            report.status = BatchStatus.PARTIAL
        report.rows_loaded = len(good)
        report.batch = _record(report, file_name, digest, source, user)
        _replace(good, report.batch)
    return report


def _record(report: ImportReport, file_name, digest, source, user) -> ImportBatch:
    return ImportBatch.objects.create(
        file_name=file_name,
        sha256=digest,
        source=source,
        user=user,
        status=report.status,
        rows_read=report.rows_read,
        rows_loaded=report.rows_loaded,
        rows_rejected=report.rows_rejected,
        rejections=[r.__dict__ for r in report.rejections],
    )


def _replace(rows: pd.DataFrame, batch: ImportBatch) -> None:
    """Upsert: rows with the same key are replaced by the file's values."""
    keys = Q()
    for (variable_id, period), group in rows.groupby(["variable_id", "period"]):
        keys |= Q(variable_id=variable_id, period=period, territory_id__in=list(group["territory_id"]))
    if len(rows):
        candidates = Observation.objects.filter(keys).values_list(
            "id", "variable_id", "territory_id", "period", "age_band"
        )
        wanted = set(zip(rows["variable_id"], rows["territory_id"], rows["period"], rows["age_band"], strict=True))
        stale = [pk for pk, *key in candidates if tuple(key) in wanted]
        Observation.objects.filter(pk__in=stale).delete()
    observations_write(
        rows.assign(batch_id=batch.pk, is_demo=False)[
            ["variable_id", "territory_id", "period", "age_band", "value", "marker", "batch_id", "is_demo"]
        ]
    )


def _validate(frame: pd.DataFrame, source: Source) -> tuple[pd.DataFrame, list[Rejection]]:
    columns, rejections = _columns(frame)
    if rejections:
        return pd.DataFrame(columns=["row"]), rejections
    variables = {v.code: v for v in Variable.objects.all()}
    territories = {(lv, code): pk for pk, lv, code in Territory.objects.values_list("id", "level", "code")}
    last_year = dt.date.today().year
    parsed, seen = [], {}
    for index, record in enumerate(frame.to_dict("records")):
        row = index + 2  # header is line 1
        errors = []

        def reject(column: str, reason: str, value: str = "", errors=errors, row=row) -> None:
            errors.append(Rejection(row, column, reason, str(value)))

        code_var = str(record[columns["variable"]]).strip()
        variable = variables.get(code_var)
        if variable is None:
            reject("variable", "variable inconnue", code_var)
        elif variable.source_id != source.pk:
            reject("variable", f"variable de la source « {variable.source.name} », pas de celle-ci", code_var)
        level = str(record.get(columns.get("level", ""), "") or TerritoryLevel.COMMUNE).strip().lower()
        raw_code = str(record[columns["code"]])
        territory_id = None
        if level not in TerritoryLevel.values:
            reject("niveau", "niveau géographique inconnu", level)
        else:
            code = _territory_code(raw_code, level)
            territory_id = territories.get((level, code))
            if territory_id is None:
                reason = (
                    "code commune inconnu, fusion de communes ?"
                    if level == TerritoryLevel.COMMUNE
                    else "code territoire inconnu"
                )
                reject("code", reason, raw_code)
        raw_period = str(record[columns["period"]]).strip().removesuffix(".0")
        period = whole_number(raw_period)
        if period is None or not FIRST_YEAR <= period <= last_year:
            reject("periode", f"période inconnue (une année de {FIRST_YEAR} à {last_year})", raw_period)
        raw_age = str(record.get(columns.get("age_band", ""), "") or "")
        age = _age_band(raw_age)
        if age is None:
            reject("tranche_age", "tranche d'âge inconnue", raw_age)
        elif variable is not None and variable.by_age and not age:
            reject("tranche_age", "tranche d'âge requise pour cette variable", raw_age)
        elif variable is not None and not variable.by_age and age:
            reject("tranche_age", "cette variable n'est pas ventilée par âge", raw_age)
        raw_value = str(record[columns["value"]])
        marked = raw_value.strip().lower() in MARKERS | {""}
        value = None
        if not marked:
            value = _number(raw_value)
            if value is None:
                reject("valeur", "valeur non numérique", raw_value)
            elif value < 0:
                reject("valeur", "effectif négatif", raw_value)
            elif variable is not None and not variable.is_value and value != int(value):
                reject("valeur", "effectif non entier", raw_value)
        key = (code_var, territory_id, period, age)
        if not errors and key in seen:
            reject("code", f"doublon de la ligne {seen[key]} (même variable, territoire, période, âge)", raw_code)
        if not errors:
            seen[key] = row
            parsed.append(
                {
                    "row": row,
                    "variable_id": variable.pk,
                    "territory_id": territory_id,
                    "period": period,
                    "age_band": age,
                    "value": value,
                    "marker": "secret" if marked else "",
                }
            )
        rejections += errors
    rows = pd.DataFrame(parsed, columns=["row", "variable_id", "territory_id", "period", "age_band", "value", "marker"])
    rejections += _check_numerators(rows)
    return rows, sorted(rejections, key=lambda r: (r.row, r.column))


def _check_numerators(rows: pd.DataFrame) -> list[Rejection]:
    """A proportion's numerator may not exceed its denominator, compared with
    the file's own denominator or else the one already stored."""
    if rows.empty:
        return []
    pairs = set(Indicator.objects.filter(kind=IndicatorKind.PROPORTION).values_list("numerator_id", "denominator_id"))
    rejections = []
    key = ["territory_id", "period", "age_band"]
    for numerator_id, denominator_id in pairs:
        numerators = rows[rows["variable_id"] == numerator_id]
        if numerators.empty:
            continue
        in_file = rows[rows["variable_id"] == denominator_id].set_index(key)["value"]
        stored = pd.DataFrame(
            Observation.objects.filter(
                variable_id=denominator_id,
                territory_id__in=list(numerators["territory_id"].unique()),
                period__in=list(numerators["period"].unique()),
            ).values_list(*key, "value"),
            columns=[*key, "value"],
        ).set_index(key)["value"]
        denominators = in_file.combine_first(stored) if len(stored) else in_file
        code = Variable.objects.get(pk=denominator_id).code
        for record in numerators.itertuples():
            denominator = denominators.get((record.territory_id, record.period, record.age_band))
            if (
                record.value is not None
                and pd.notna(record.value)
                and denominator is not None
                and pd.notna(denominator)
                and record.value > denominator
            ):
                rejections.append(
                    Rejection(
                        record.row,
                        "valeur",
                        f"numérateur supérieur au dénominateur {code} ({record.value:g} > {denominator:g})",
                        f"{record.value:g}",
                    )
                )
    return rejections
