"""Territory portraits (the seed's « dataviz » of the territoires
démonstrateurs): key figures by theme against comparison zones, age
structure, time series. Every figure comes through indicators.reading."""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators import reading, snapshot_store
from indicators.choices import AGE_BANDS, IndicatorKind, TerritoryLevel
from indicators.compute.rates import compare_to_reference
from indicators.models import Category, Territory, Variable
from indicators.readers import Reader, territory_levels
from indicators.selectors import territory_name
from pf2s.numbers import whole_number

from .selectors import own_territories_visible

THEMES = [
    (
        "socio-demographie",
        "Socio-démographie",
        [
            "demographie",
            "education",
            "emploi-revenus",
            "allocations",
            "logement",
            "handicap",
            "enfance-famille",
            "personnes-agees",
        ],
    ),
    ("offre-de-soins", "Offre de soins", ["offre-soins"]),
    ("etat-de-sante", "État de santé", ["mortalite", "mortalite-prematuree"]),
]
PER_CATEGORY = 3


class PortraitError(LookupError):
    """A territory the reader cannot have a portrait of (reason in French)."""


def territory_resolve(*, reader: Reader, key: str) -> dict:
    """`level:code` of a territory the reader may see, or `perso:<id>` of
    one of their organisation's own."""
    level, _, code = key.partition(":")
    if level == "perso":
        own = own_territories_visible(reader=reader).filter(pk=whole_number(code) or 0).first()
        if own is None:
            raise PortraitError("Territoire personnalisé inconnu.")
        return {
            "level": "perso",
            "code": own.code,
            "name": own.name,
            "own": own,
            "communes": list(own.version.communes.values_list("code", flat=True)),
        }
    territory = Territory.objects.filter(level=level, code=code).first()
    if territory is None:
        raise PortraitError(f"Territoire inconnu : {key}")
    if level not in territory_levels(reader):
        raise PortraitError("Ce niveau est réservé aux partenaires formés.")
    return {"level": level, "code": code, "name": territory.name, "own": None, "communes": _communes_of(territory)}


def _communes_of(territory: Territory) -> list[str] | None:
    communes = Territory.objects.filter(level=TerritoryLevel.COMMUNE)
    if territory.level == TerritoryLevel.COMMUNE:
        return [territory.code]
    if territory.level == TerritoryLevel.EPCI:
        return list(communes.filter(epci=territory).values_list("code", flat=True))
    if territory.level == TerritoryLevel.DEPARTEMENT:
        return list(communes.filter(departement=territory).values_list("code", flat=True))
    if territory.level == TerritoryLevel.REGION:
        return list(communes.values_list("code", flat=True))
    if territory.level == TerritoryLevel.FRANCE:
        return None
    return list(territory.members.values_list("code", flat=True))


def portrait_build(*, reader: Reader, territory: dict, comparisons: list[tuple[str, str]]) -> dict:
    """Themes of key figures (latest period), series and the age structure."""
    # comparison zones the reader may see, like the territory itself (communes: trained partners)
    levels = set(territory_levels(reader)) | {"france"}
    comparisons = [(level, code) for level, code in comparisons if level in levels]
    visible = list(reading.indicators_visible(reader).order_by("category__order", "code"))
    by_category: dict[str, list] = {}
    for indicator in visible:
        by_category.setdefault(indicator.category.code, []).append(indicator)
    names = dict(Category.objects.values_list("code", "name"))
    themes = []
    for slug, label, categories in THEMES:
        figures = []
        for category in categories:
            for indicator in by_category.get(category, [])[:PER_CATEGORY]:
                figure = _figure(reader, indicator, territory, comparisons)
                if figure:
                    figure["category"] = names.get(category, category)
                    figures.append(figure)
        if figures:
            themes.append({"slug": slug, "label": label, "figures": figures})
    return {
        "territory": territory,
        "themes": themes,
        "zones": [territory_name(level=lv, code=c) for lv, c in comparisons],
        "pyramid": _age_structure(territory, comparisons),
        "snapshot": snapshot_store.current_snapshot(),
    }


def _frame_for(reader: Reader, indicator, territory) -> pd.DataFrame:
    if territory["own"] is not None:  # resolved for this reader by territory_resolve
        return reading.own_territory_values(reader=reader, indicator=indicator, territories=[territory["own"]])
    frame = reading.indicator_values(reader=reader, indicator=indicator)
    return frame[(frame["level"] == territory["level"]) & (frame["territory_code"] == territory["code"])]


def _figure(reader, indicator, territory, comparisons) -> dict | None:
    try:
        mine = _frame_for(reader, indicator, territory)
    except reading.AccessDenied:
        return None
    if not len(mine):
        return None
    mine = mine.sort_values("period")
    latest = mine.iloc[-1]
    everything = reading.indicator_values(reader=reader, indicator=indicator)
    zones = []
    for level, code in comparisons:
        rows = everything[(everything["level"] == level) & (everything["territory_code"] == code)]
        at = rows[rows["period"] == latest["period"]]
        value = float(at.iloc[0]["value"]) if len(at) and at.iloc[0]["status"] == "ok" else None
        word = ""
        if value is not None and latest["status"] == "ok" and indicator.kind != IndicatorKind.VALUE:
            word = str(
                compare_to_reference(
                    np.array([latest["ci_low"]], dtype=float), np.array([latest["ci_high"]], dtype=float), value
                )[0]
            )
        zones.append(
            {
                "value": value,
                "significance": word,
                "series": reading.records(rows.sort_values("period"), ["period", "value", "status"]),
            }
        )
    return {
        "code": indicator.code,
        "label": indicator.short_label,
        "unit": indicator.unit,
        "period": latest["period"],
        "status": latest["status"],
        "reason": latest.get("reason", "") or "",
        "value": None if latest["status"] != "ok" else float(latest["value"]),
        "ci_low": None if latest["status"] != "ok" or pd.isna(latest["ci_low"]) else float(latest["ci_low"]),
        "ci_high": None if latest["status"] != "ok" or pd.isna(latest["ci_high"]) else float(latest["ci_high"]),
        "zones": zones,
        "series": reading.records(mine, ["period", "value", "status"]),
    }


def _age_structure(territory: dict, comparisons: list[tuple[str, str]]) -> dict | None:
    """Shares of each five-year age band (population municipale, latest
    year) for the territory and each comparison zone. Population counts by
    age are public (Insee, no secrecy threshold)."""
    snapshot = snapshot_store.current_snapshot()
    variable = Variable.objects.select_related("source").filter(code="pop_age").first()
    if snapshot is None or variable is None or variable.source.secrecy_threshold > 1:
        return None
    loaded = snapshot_store.units_read(snapshot.directory, variable)
    if loaded is None:
        return None
    series, codes = loaded
    column = {str(c): i for i, c in enumerate(codes)}
    year = len(series.years) - 1

    def shares(communes: list[str] | None) -> list[float] | None:
        if communes is None:
            counts = series.france[year]
        else:
            index = [column[c] for c in communes if c in column]
            if not index:
                return None
            counts = series.units[index, year, :].sum(axis=0)
        total = counts.sum()
        return [round(float(c / total * 100), 2) for c in counts] if total else None

    zones = []
    for level, code in comparisons:
        zone = Territory.objects.filter(level=level, code=code).first()
        if zone is not None:
            zones.append({"label": zone.name, "shares": shares(_communes_of(zone))})
    mine = shares(territory["communes"])
    if mine is None:
        return None
    return {
        "year": series.years[year],
        "bands": list(AGE_BANDS),
        "territory": mine,
        "zones": [z for z in zones if z["shares"]],
    }


def chart_state(portrait: dict) -> dict:
    """What the portrait's charts draw (JSON for the page's script)."""
    return {
        "territory": portrait["territory"]["name"],
        "zones": portrait["zones"],
        "pyramid": portrait["pyramid"],
        "filename": f"pf2s-portrait-{portrait['territory']['code']}",
        "themes": [
            {
                "slug": t["slug"],
                "label": t["label"],
                "figures": [
                    {k: f[k] for k in ("code", "label", "unit", "value", "status", "series")}
                    | {"zones": [{"value": z["value"], "series": z["series"]} for z in f["zones"]]}
                    for f in t["figures"]
                ],
            }
            for t in portrait["themes"]
        ],
    }
