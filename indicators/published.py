"""Reads of the current published snapshot: the single place where what a
user may see of the indicators is decided (indicator access and levels).
Every channel (pages, API, exports, maps) reads through here."""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from pf2s.access import is_partner

from .choices import (
    MISSING_REASON,
    NOT_ADDITIVE_REASON,
    OWN_LEVEL,
    PENDING_REASON,
    PUBLIC_LEVELS,
    SECRET_REASON,
    TerritoryLevel,
    ValueStatus,
)
from .models import Indicator, Snapshot
from .snapshot_store import ROW_FIELDS, current_snapshot
from .snapshot_store import indicator_read as _read


class AccessDenied(LookupError):
    """The user may not see this (reason in French and English)."""

    def __init__(self, french: str, english: str):
        super().__init__(f"{french} / {english}")
        self.french, self.english = french, english


class UnknownPeriod(AccessDenied):
    """A period the current snapshot does not publish for this indicator."""


def indicators_visible(user) -> QuerySet[Indicator]:
    return Indicator.objects.visible_to(user).select_related("category")


def indicator_visible(user, code: str) -> Indicator:
    """One indicator the user may see; an indicator he may not see does not
    exist for him."""
    indicator = indicators_visible(user).filter(code=code).first()
    if indicator is None:
        raise AccessDenied(f"Indicateur inconnu : {code}", f"Unknown indicator: {code}")
    return indicator


def territory_levels_visible(user) -> list[str]:
    """Levels whose figures the user may see: the public ones for everybody
    (France, region, départements, EPCI), all of them for partners."""
    if is_partner(user):
        return list(TerritoryLevel.values)
    return list(PUBLIC_LEVELS)


def levels_visible(user, indicator: Indicator) -> list[str]:
    """Levels of an indicator the user may see (territory_levels_visible)."""
    allowed = territory_levels_visible(user)
    return [lv for lv in [TerritoryLevel.FRANCE.value, *indicator.levels] if lv in allowed]


def indicator_values(
    *,
    user,
    indicator: Indicator,
    level: str | None = None,
    period: str | None = None,
    territory: str | None = None,
    snapshot: Snapshot | None = None,
) -> pd.DataFrame:
    """Rows of the current snapshot for one indicator, restricted to what the
    user may see. Unknown or forbidden levels raise AccessDenied."""
    allowed = levels_visible(user, indicator)
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
    frame = _read(snapshot.directory, indicator.code)
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


def own_territories_visible(user):
    """The territories of the user's organisation (trained members only), in
    creation order; nobody else's, no deleted one."""
    from bti.models import OwnTerritory
    from bti.selectors import membership_for_user

    membership = membership_for_user(user=user) if is_partner(user) else None
    if membership is None:
        return OwnTerritory.objects.none()
    return (
        OwnTerritory.objects.filter(organisation_id=membership.organisation_id, deleted_at__isnull=True)
        .select_related("version__check_job")
        .order_by("created_at", "pk")
    )


def own_territory_values(
    *, user, indicator: Indicator, territory_ids: list[int] | None = None, period: str | None = None
) -> pd.DataFrame:
    """Figures of the organisation's own territories for one indicator (the
    caller got `indicator` through indicator_visible), as decided for the
    current snapshot. A withheld row says so in neutral words, whatever the
    reason; a territory still being checked says that."""
    from .own_territories import figures_read

    territories = list(own_territories_visible(user))
    if territory_ids is not None:
        if set(territory_ids) - {t.pk for t in territories}:
            raise AccessDenied("Territoire personnalisé inconnu", "Unknown own territory")
        territories = [t for t in territories if t.pk in set(territory_ids)]
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


def indicator_periods(*, user, indicator: Indicator) -> list[str]:
    frame = indicator_values(user=user, indicator=indicator)
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


def catalogue_search(
    *, user, query: str = "", category: str = "", source: str = "", level: str = "", period: str = ""
) -> QuerySet[Indicator]:
    """The catalogue a user may see, filtered (accent- and case-insensitive text)."""
    indicators = indicators_visible(user).prefetch_related("sources")
    if query:
        indicators = indicators.matching(query)
    if category:
        indicators = indicators.filter(category__code=category)
    if source:
        indicators = indicators.filter(sources__code=source)
    if level:
        allowed = [i.pk for i in indicators if level in levels_visible(user, i)]
        indicators = indicators.filter(pk__in=allowed)
    if period:
        snapshot = current_snapshot()
        published_periods = snapshot.periods if snapshot else {}
        indicators = indicators.filter(
            code__in=[code for code, periods in published_periods.items() if period in periods]
        )
    return indicators.order_by("category__order", "code").distinct()


def categories_summary(*, user) -> list[dict]:
    """The 11 categories with how many indicators the user may see and their
    latest periods in the current snapshot."""
    from .models import Category

    snapshot = current_snapshot()
    periods = snapshot.periods if snapshot else {}
    visible = list(indicators_visible(user).values_list("code", "category_id"))
    summary = []
    for category in Category.objects.all():
        codes = [code for code, cid in visible if cid == category.pk]
        latest = sorted({periods[c][-1] for c in codes if periods.get(c)})
        summary.append({"category": category, "count": len(codes), "latest": latest})
    return summary


def comparison(*, user, indicators: list[Indicator], territories: list[tuple[str, str]]) -> list[dict]:
    """Rows (one per territory the user may see, then region and France) of
    cells (one per indicator: latest period's record or None)."""
    rows: dict[tuple[str, str], dict] = {}
    wanted = [*territories, ("region", "32"), ("france", "FR")]
    for level, code in wanted:
        rows[(level, code)] = {"level": level, "code": code, "name": "", "cells": []}
    for indicator in indicators:
        periods = indicator_periods(user=user, indicator=indicator)
        allowed = levels_visible(user, indicator)
        for key, row in rows.items():
            level, code = key
            record = None
            if periods and level in allowed:
                frame = indicator_values(user=user, indicator=indicator, period=periods[-1])
                match = frame[(frame["level"] == level) & (frame["territory_code"] == code)]
                if len(match):
                    record = records(match)[0]
                    row["name"] = record["territory_name"]
            row["cells"].append({"indicator": indicator, "period": periods[-1] if periods else "", "record": record})
    return [row for row in rows.values() if row["name"]]
