"""Tables à la carte: indicators × territories × periods, each figure with its
interval and its significance against every comparison zone. Every figure
comes through indicators.reading, which asks indicators.readers (the one access rule); own territories
through its own-territory reader (secrecy by differencing)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.http import QueryDict

from indicators import reading, snapshot_store
from indicators.choices import TerritoryLevel
from indicators.compute.rates import compare_to_reference
from indicators.readers import Reader, indicator_levels, territory_levels
from indicators.selectors import territory_name
from pf2s.numbers import whole_number

from .selectors import own_territories_visible

MAX_INDICATORS = 20
MAX_TERRITORIES = 200
# in files: a cell starting with "=" would be taken for a formula (and escaped
# with a visible apostrophe)
SIGNIFICANCE_WORDS = {"higher": "▲ supérieur", "lower": "▼ inférieur", "similar": "≈ comparable", "": "—"}


@dataclass
class TableQuery:
    """What the reader asked for, parsed from the URL (the permalink)."""

    indicators: list[str] = field(default_factory=list)
    territories: list[tuple[str, str]] = field(default_factory=list)
    level: str = ""
    own: list[int] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    comparisons: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_querydict(cls, query: QueryDict) -> TableQuery:
        def get(key: str) -> str:  # `a,b` in a permalink, or repeated keys from the form
            return ",".join(query.getlist(key))

        q = cls()
        q.indicators = list(dict.fromkeys(_split(get("indicators"))))[:MAX_INDICATORS]
        q.territories = [tuple(t.split(":", 1)) for t in _split(get("territories")) if ":" in t]
        q.level = query.get("level", "") if query.get("level", "") in TerritoryLevel.values else ""
        q.own = [n for x in _split(get("own")) if (n := whole_number(x)) is not None]
        q.periods = _split(get("periods"))
        comparisons = _split(get("compare")) or ["region:32", "france:FR"]
        q.comparisons = [tuple(c.split(":", 1)) for c in comparisons if ":" in c][:6]
        return q

    def permalink(self) -> str:
        """The canonical query string of this table."""
        from urllib.parse import urlencode

        parts = {
            "indicators": ",".join(self.indicators),
            "territories": ",".join(f"{lv}:{c}" for lv, c in self.territories),
            "level": self.level,
            "own": ",".join(map(str, self.own)),
            "periods": ",".join(self.periods),
            "compare": ",".join(f"{lv}:{c}" for lv, c in self.comparisons),
        }
        return urlencode({k: v for k, v in parts.items() if v}, safe=",:")

    @property
    def is_empty(self) -> bool:
        return not self.indicators or not (self.territories or self.level or self.own)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def table_build(*, reader: Reader, query: TableQuery) -> dict:
    """Rows for the table (and its exports), the indicators' metadata, and
    the reasons of what could not be shown."""
    from .selectors import own_territories_chosen

    rows: list[dict] = []
    indicators, unknown = reading.indicators_chosen(reader, query.indicators)
    query.errors.extend(f"Indicateur inconnu ou non accessible : {code}" for code in unknown)
    own_chosen = []
    if query.own:
        try:
            own_chosen = own_territories_chosen(reader=reader, territory_ids=query.own)
        except reading.AccessDenied:
            query.errors.append("Territoire personnalisé inconnu.")
    for indicator in indicators:
        frame = reading.indicator_values(reader=reader, indicator=indicator)
        own = pd.DataFrame()
        if own_chosen:
            own = reading.own_territory_values(reader=reader, indicator=indicator, territories=own_chosen)
        periods = sorted(frame["period"].unique()) if len(frame) else []
        chosen = [p for p in query.periods if p in periods] or periods[-1:]
        allowed = indicator_levels(reader, indicator.levels)
        if query.level and query.level not in allowed:
            query.errors.append(f"{indicator.code} : niveau « {query.level} » non disponible pour cet indicateur.")
        for period in chosen:
            at = frame[frame["period"] == period]
            wanted = at[at["level"] == query.level] if query.level else at.iloc[0:0]
            picked = at.set_index(["level", "territory_code"])
            extra = [picked.loc[[key]].reset_index() for key in query.territories if key in picked.index]
            missing = [key for key in query.territories if key not in picked.index]
            for level, code in missing:
                query.errors.append(
                    f"{indicator.code} : pas de valeur pour {level} {code} "
                    "(territoire inconnu, niveau non disponible ou réservé)."
                )
            parts = [wanted, *extra]
            if len(own):
                parts.append(own[own["period"] == period])
            selected = (
                pd.concat([p for p in parts if len(p)], ignore_index=True)
                if any(len(p) for p in parts)
                else at.iloc[0:0]
            )
            selected = selected.drop_duplicates(subset=["level", "territory_code"]).head(MAX_TERRITORIES)
            references = {}
            for level, code in query.comparisons:
                match = at[(at["level"] == level) & (at["territory_code"] == code)]
                references[(level, code)] = match.iloc[0] if len(match) else None
            for record in reading.records(selected, [*snapshot_store.ROW_FIELDS, "reason"]):
                record["indicator"] = indicator
                record["versus"] = []
                for reference in references.values():
                    if reference is None or reference["status"] != "ok" or record["status"] != "ok":
                        word = ""
                    else:
                        word = str(
                            compare_to_reference(
                                np.array([record["ci_low"] if record["ci_low"] is not None else np.nan]),
                                np.array([record["ci_high"] if record["ci_high"] is not None else np.nan]),
                                float(reference["value"]),
                            )[0]
                        )
                    record["versus"].append(word)
                rows.append(record)
    zones = []
    for level, code in query.comparisons:
        name = next((r["territory_name"] for r in rows if (r["level"], r["territory_code"]) == (level, code)), None)
        zones.append({"key": f"{level}:{code}", "label": name or territory_name(level=level, code=code)})
    return {
        "rows": rows,
        "indicators": indicators,
        "zones": zones,
        "errors": query.errors,
        "snapshot": snapshot_store.current_snapshot(),
    }


def table_frame(table: dict) -> pd.DataFrame:
    """The table as a flat frame for CSV and XLSX (secret cells as the word)."""
    records = []
    for r in table["rows"]:
        row = {
            "indicateur": r["indicator"].code,
            "libellé": r["indicator"].short_label,
            "unité": r["indicator"].unit,
            "territoire": r["territory_name"],
            "code": r["territory_code"],
            "niveau": r["level"],
            "période": r["period"],
            "valeur": r["value"],
            "borne basse IC95": r["ci_low"],
            "borne haute IC95": r["ci_high"],
            "numérateur": r["numerator"],
            "dénominateur": r["denominator"],
            "statut": r["status"],
            "motif": r.get("reason") or "",
            "données de démonstration": "oui" if r.get("demo") else "non",
        }
        for zone, word in zip(table["zones"], r["versus"], strict=True):
            row[f"vs {zone['label']}"] = SIGNIFICANCE_WORDS.get(word, word)
        if r["status"] == "secret":
            for column in ("valeur", "borne basse IC95", "borne haute IC95", "numérateur", "dénominateur"):
                row[column] = "secret"
        records.append(row)
    return pd.DataFrame(records)


def builder_choices(*, reader: Reader, query: TableQuery) -> dict:
    """What the builder form offers this reader."""
    from indicators.models import Territory

    indicators = list(reading.indicators_visible(reader).order_by("category__order", "code"))
    groups: dict[str, list] = {}
    for indicator in indicators:
        groups.setdefault(indicator.category.name, []).append(indicator)
    allowed = territory_levels(reader)
    levels = [lv for lv in TerritoryLevel if lv != TerritoryLevel.FRANCE and lv.value in allowed]
    departements = list(Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT).order_by("code"))
    return {
        "indicator_groups": groups,
        "levels": [(lv.value, lv.label) for lv in levels],
        "own_territories": list(own_territories_visible(reader=reader)),
        "comparison_choices": [("region:32", "Hauts-de-France"), ("france:FR", "France")]
        + [(f"departement:{d.code}", d.name) for d in departements],
        "chosen_comparisons": {f"{lv}:{c}" for lv, c in query.comparisons},
        "territories_text": ",".join(f"{lv}:{c}" for lv, c in query.territories),
    }
