"""Reads of the current published snapshot, for a reader: every channel
(pages, API, exports, maps, tables, portraits) reads the figures through
here, and what the reader may see is asked of `indicators.readers`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from .choices import (
    MISSING_REASON,
    NOT_ADDITIVE_REASON,
    OWN_LEVEL,
    PENDING_REASON,
    SECRET_REASON,
    TerritoryLevel,
    ValueStatus,
)
from .models import Indicator, Snapshot
from .readers import Reader, indicator_levels, own_territories_organisation
from .snapshot_store import ROW_FIELDS, current_snapshot, indicator_read


class AccessDenied(LookupError):
    """The reader may not see this (reason in French and English)."""

    def __init__(self, french: str, english: str):
        super().__init__(f"{french} / {english}")
        self.french, self.english = french, english


class UnknownPeriod(AccessDenied):
    """A period the current snapshot does not publish for this indicator."""


def indicators_visible(reader: Reader) -> QuerySet[Indicator]:
    return Indicator.objects.visible_to(reader).select_related("category")


def indicator_visible(reader: Reader, code: str) -> Indicator:
    """One indicator the reader may see; an indicator they may not see does
    not exist for them."""
    indicator = indicators_visible(reader).filter(code=code).first()
    if indicator is None:
        raise AccessDenied(f"Indicateur inconnu : {code}", f"Unknown indicator: {code}")
    return indicator


def indicators_chosen(reader: Reader, codes: list[str]) -> tuple[list[Indicator], list[str]]:
    """The indicators of these codes the reader may see, in the order asked
    (one query), and the codes that do not exist for them."""
    found = {i.code: i for i in indicators_visible(reader).filter(code__in=codes)}
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def indicator_values(
    *,
    reader: Reader,
    indicator: Indicator,
    level: str | None = None,
    period: str | None = None,
    territory: str | None = None,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Rows of the current snapshot for one indicator, restricted to what the
    reader may see. Unknown or forbidden levels raise AccessDenied."""
    allowed = indicator_levels(reader, indicator.levels)
    if level and level not in allowed:
        if level in [TerritoryLevel.FRANCE, *indicator.levels]:
            raise AccessDenied(
                f"Niveau « {level} » réservé aux partenaires formés",
                f"Level '{level}' is restricted to trained partners",
            )
        raise AccessDenied(
            f"Niveau « {level} » non disponible pour cet indicateur (niveaux : {', '.join(allowed)})",
            f"Level '{level}' not available for this indicator",
        )
    snapshot = snapshot or current_snapshot()
    if snapshot is None:
        return pd.DataFrame(columns=ROW_FIELDS)
    frame = indicator_read(snapshot.directory, indicator.code)
    frame = frame[frame["level"].isin([level] if level else allowed)]
    if period:
        if period not in set(frame["period"]):
            raise UnknownPeriod(f"Période inconnue : {period}", f"Unknown period: {period}")
        frame = frame[frame["period"] == period]
    if territory:
        frame = frame[frame["territory_code"] == territory]
        if frame.empty:
            raise AccessDenied(
                f"Territoire inconnu à ce niveau : {territory}", f"Unknown territory at this level: {territory}"
            )
    return frame


def own_territory_values(
    *, reader: Reader, indicator: Indicator, territories: list, period: str | None = None
) -> pd.DataFrame:
    """Figures of own territories for one indicator, as decided for the
    current snapshot. The caller got `indicator` through indicator_visible
    and `territories` (code, name, version_id) from the partner side's
    own_territories_visible, for the same reader. A withheld row says so in
    neutral words, whatever the reason; a territory still being checked
    says that."""
    from .snapshot_store import figures_read

    mine = own_territories_organisation(reader)
    if any(mine is None or territory.organisation_id != mine for territory in territories):
        raise AccessDenied("Territoire personnalisé inconnu", "Unknown own territory")
    snapshot = current_snapshot()
    if snapshot is not None and period and period not in snapshot.periods.get(indicator.code, []):
        raise UnknownPeriod(f"Période inconnue : {period}", f"Unknown period: {period}")
    if snapshot is None or not territories:
        return pd.DataFrame(columns=[*ROW_FIELDS, "reason"])
    frames = []
    periods = [period] if period else snapshot.periods.get(indicator.code, [])
    for territory in territories:
        head = {"territory_code": territory.code, "territory_name": territory.name, "level": OWN_LEVEL}
        figures = None if indicator.kind == "value" else figures_read(snapshot.directory, territory.version_id)
        if figures is None:
            # a median does not add up over communes; else the check is still running
            reason = NOT_ADDITIVE_REASON if indicator.kind == "value" else PENDING_REASON
            frames.append(
                pd.DataFrame(
                    [
                        {
                            **head,
                            "period": p,
                            "status": ValueStatus.MISSING,
                            "significance": "",
                            "demo": snapshot.is_demo,
                            "reason": reason,
                        }
                        for p in periods
                    ]
                )
            )
            continue
        rows = figures[figures["indicator"] == indicator.code]
        if period:
            rows = rows[rows["period"] == period]
        rows = rows.drop(columns="indicator").assign(**head)
        rows["reason"] = np.where(
            rows["status"] == ValueStatus.SECRET,
            SECRET_REASON,
            np.where(
                rows["status"] == ValueStatus.MISSING,
                NOT_ADDITIVE_REASON if indicator.kind == "value" else MISSING_REASON,
                "",
            ),
        )
        frames.append(rows)
    frame = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else pd.DataFrame(columns=[*ROW_FIELDS, "reason"])
    )
    for column in ROW_FIELDS:
        if column not in frame:
            frame[column] = np.nan
    return frame[[*ROW_FIELDS, "reason"]].reset_index(drop=True)


def indicator_periods(*, reader: Reader, indicator: Indicator) -> list[str]:
    frame = indicator_values(reader=reader, indicator=indicator)
    return sorted(frame["period"].unique().tolist())


def records(frame: pd.DataFrame, fields: list[str] = ROW_FIELDS) -> list[dict]:
    """JSON-ready rows: NaN becomes None."""
    subset = frame[[f for f in fields if f in frame.columns]]
    clean = subset.astype(object).where(subset.notna(), None)
    out = clean.to_dict("records")
    for row in out:
        for key in ("value", "numerator", "denominator", "ci_low", "ci_high"):
            if isinstance(row.get(key), float | np.floating):
                row[key] = float(row[key])
    return out


def categories_summary(*, reader: Reader) -> list[dict]:
    """The 11 categories with how many indicators the reader may see and their
    latest periods in the current snapshot."""
    from .models import Category

    snapshot = current_snapshot()
    periods = snapshot.periods if snapshot else {}
    visible = list(indicators_visible(reader).values_list("code", "category_id"))
    summary = []
    for category in Category.objects.all():
        codes = [code for code, cid in visible if cid == category.pk]
        latest = sorted({periods[c][-1] for c in codes if periods.get(c)})
        summary.append({"category": category, "count": len(codes), "latest": latest})
    return summary


def comparison(*, reader: Reader, indicators: list[Indicator], territories: list[tuple[str, str]]) -> list[dict]:
    """Rows (one per territory the reader may see, then region and France) of
    cells (one per indicator: latest period's record or None)."""
    rows: dict[tuple[str, str], dict] = {}
    wanted = [*territories, ("region", "32"), ("france", "FR")]
    for level, code in wanted:
        rows[(level, code)] = {"level": level, "code": code, "name": "", "cells": []}
    for indicator in indicators:
        periods = indicator_periods(reader=reader, indicator=indicator)
        allowed = indicator_levels(reader, indicator.levels)
        for key, row in rows.items():
            level, code = key
            record = None
            if periods and level in allowed:
                frame = indicator_values(reader=reader, indicator=indicator, period=periods[-1])
                match = frame[(frame["level"] == level) & (frame["territory_code"] == code)]
                if len(match):
                    record = records(match)[0]
                    row["name"] = record["territory_name"]
            row["cells"].append({"indicator": indicator, "period": periods[-1] if periods else "", "record": record})
    return [row for row in rows.values() if row["name"]]
