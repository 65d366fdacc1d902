"""The catalogue fixture: the seed's 128 indicators in 11 categories."""

from __future__ import annotations

from collections import Counter

import pytest

from indicators.catalogue import catalogue_load, catalogue_read
from indicators.models import Category, Indicator, Variable

pytestmark = pytest.mark.django_db

SEED_COUNTS = {
    "demographie": 17,
    "education": 8,
    "emploi-revenus": 25,
    "allocations": 16,
    "logement": 8,
    "handicap": 4,
    "enfance-famille": 12,
    "personnes-agees": 12,
    "offre-soins": 8,
    "mortalite": 12,
    "mortalite-prematuree": 6,
}


def test_it_loads_128_indicators_in_the_seed_categories():
    counts = catalogue_load(data=catalogue_read())
    assert counts["indicators"] == 128
    per_category = Counter(
        Indicator.objects.filter(code__regex=r"^[A-Z]{3}-\d\d$").values_list("category__code", flat=True)
    )
    assert dict(per_category) == SEED_COUNTS
    assert list(Category.objects.filter(code__in=SEED_COUNTS).values_list("name", flat=True))[:2] == [
        "Démographie",
        "Éducation, scolarité",
    ]


def test_its_indicators_are_consistent():
    catalogue_load(data=catalogue_read())
    indicators = Indicator.objects.filter(code__in=[i["code"] for i in catalogue_read()["indicators"]])
    assert indicators.filter(access="partners").count() >= 10
    for indicator in indicators.select_related("numerator", "denominator"):
        assert "region" in indicator.levels and "departement" in indicator.levels
        if indicator.kind in ("standardised_rate", "icm"):
            assert indicator.numerator.by_age and indicator.denominator.code == "pop_age"
            assert indicator.period_kind == "pooled" and "commune" not in indicator.levels
        if indicator.kind == "proportion":
            # the numerator is generated (and must be imported) within its denominator
            chain, variable = [], indicator.numerator
            while variable.demo.get("share_of"):
                chain.append(variable.demo["share_of"])
                variable = Variable.objects.get(code=variable.demo["share_of"])
            assert indicator.denominator.code in chain, indicator.code
    assert Indicator.objects.get(code="MPR-01").ages == "0-64"


def test_loading_it_twice_changes_nothing():
    catalogue_load(data=catalogue_read())
    before = list(Indicator.objects.order_by("code").values())
    catalogue_load(data=catalogue_read())
    assert list(Indicator.objects.order_by("code").values()) == before
