"""Writes the demonstration observations: every variable of the catalogue for
every commune (and France, and for supplied values every level), flagged
as demonstration data."""

from __future__ import annotations

import hashlib
from graphlib import TopologicalSorter

import numpy as np
import pandas as pd
from django.db import transaction

from .choices import BatchStatus, TerritoryLevel
from .compute import demo
from .models import ImportBatch, Observation, Territory, Variable
from .observation_store import observations_write
from .selectors import membership_matrix


def _ordered(variables: list[Variable]) -> list[Variable]:
    """Parents (share_of) before children."""
    by_code = {v.code: v for v in variables}
    graph = {v.code: {v.demo["share_of"]} if "share_of" in v.demo else set() for v in variables}
    for v in variables:
        if v.demo.get("age_profile") == "deaths":
            graph[v.code].add("pop_age")  # deaths follow the population by age
    return [by_code[code] for code in TopologicalSorter(graph).static_order() if code in by_code]


def _france_counts(variable: Variable, population: float, years: list[int], parents: dict) -> np.ndarray:
    """France reference values as a provider publishes them (expected values)."""
    spec = variable.demo
    trend = demo.year_trend(years, demo.seed_for(variable.code, "trend"))
    if spec.get("age_profile") == "population":
        return np.rint(population * trend[:, None] * demo.POPULATION_PROFILE[None, :])[None]
    if spec.get("age_profile") == "deaths":
        return np.rint(parents["pop_age"] * demo.DEATH_RATES[None, None, :])
    if "share_of" in spec:
        return np.rint(parents[spec["share_of"]] * spec["share"])
    return np.rint(population * spec["per_inhabitant"] * trend)[None, :]


@transaction.atomic
def demo_data_load(*, codes: list[str] | None = None) -> dict[str, int]:
    """Generate and store demonstration observations for the catalogue's
    variables (all, or `codes`). Idempotent: a variable whose demo values are
    already stored unchanged is skipped."""
    variables = list(Variable.objects.select_related("source"))
    communes = list(
        Territory.objects.filter(level=TerritoryLevel.COMMUNE).order_by("code").values_list("id", "population")
    )
    commune_ids = np.array([c[0] for c in communes])
    population = np.array([c[1] or 0 for c in communes], dtype=np.float64)
    france = Territory.objects.get(level=TerritoryLevel.FRANCE)
    aggregates, membership = membership_matrix(commune_ids)
    arrays: dict[str, np.ndarray] = {}
    france_arrays: dict[str, np.ndarray] = {}
    written: dict[str, int] = {}
    for variable in _ordered(variables):
        spec = variable.demo
        years = demo.YEARS[variable.history]
        parent = arrays.get(spec.get("share_of"))
        if variable.is_value:
            values = demo.generate_values(len(commune_ids), spec, years, variable.code)
            others = demo.weighted_means(values, population, membership)
            frame = pd.concat(
                [
                    demo.long_frame(values, commune_ids, years, False, False),
                    demo.long_frame(others, aggregates, years, False, False),
                    demo.long_frame(
                        np.full((1, len(years)), float(spec["value_mean"])), np.array([france.pk]), years, False, False
                    ),
                ]
            )
        else:
            if spec.get("age_profile") == "population":
                counts = demo.generate_population_by_age(population, years, variable.code)
            elif spec.get("age_profile") == "deaths":
                counts = demo.generate_deaths_by_age(arrays["pop_age"], spec, variable.code)
            elif variable.by_age:
                counts = demo.generate_share_by_age(parent, spec, variable.code)
            else:
                counts = demo.generate_counts(population, spec, years, variable.code, parent)
            arrays[variable.code] = counts
            france_arrays[variable.code] = _france_counts(variable, float(france.population or 0), years, france_arrays)
            frame = pd.concat(
                [
                    demo.long_frame(counts, commune_ids, years, variable.by_age, variable.by_age),
                    demo.long_frame(
                        france_arrays[variable.code], np.array([france.pk]), years, variable.by_age, variable.by_age
                    ),
                ]
            )
        written[variable.code] = _store(variable, frame)
    return written


def _store(variable: Variable, frame: pd.DataFrame) -> int:
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()
    if ImportBatch.objects.filter(sha256=digest, is_demo=True).exists():
        return 0
    Observation.objects.filter(variable=variable).delete()
    batch = ImportBatch.objects.create(
        file_name=f"démonstration : {variable.code}",
        sha256=digest,
        source=variable.source,
        status=BatchStatus.LOADED,
        rows_read=len(frame),
        rows_loaded=len(frame),
        is_demo=True,
    )
    frame = frame.assign(variable_id=variable.pk, marker="", batch_id=batch.pk, is_demo=True)
    return observations_write(frame)
