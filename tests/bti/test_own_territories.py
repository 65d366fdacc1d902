"""Own territories: built from communes or EPCI, computed with the engine's
formulas from the snapshot's counts, and refused when they would give a
secret commune value away by differencing."""

from __future__ import annotations

import pandas as pd
import pytest

from bti.services import OwnTerritoryError, own_territory_create
from indicators import published as data
from indicators.models import Indicator, Territory

pytestmark = pytest.mark.django_db


def commune_rows(user, code="ALL-01", period="2021"):
    indicator = Indicator.objects.get(code=code)
    return data.indicator_values(user=user, indicator=indicator, level="commune", period=period)


def own_rows(user, code="ALL-01", period="2021"):
    indicator = data.indicator_visible(user, code)
    return data.own_territory_values(user=user, indicator=indicator, period=period)


def test_a_territory_of_ok_communes_adds_up_like_the_published_figures(published, personas):
    user = personas.partner_a
    rows = commune_rows(user)
    amiens_epci = Territory.objects.get(level="commune", code="80021").epci
    communes = rows[(rows["status"] == "ok")
                    & rows["territory_code"].isin(amiens_epci.epci_communes.values_list("code", flat=True))]
    chosen = communes.head(6)
    territory = own_territory_create(user=user, name="Six communes", commune_codes=list(chosen["territory_code"]))
    row = own_rows(user).set_index("territory_code").loc[f"perso-{territory.pk}"]
    assert row["status"] == "ok"
    assert row["numerator"] == chosen["numerator"].sum() and row["denominator"] == chosen["denominator"].sum()
    assert row["value"] == pytest.approx(row["numerator"] / row["denominator"] * 100)
    assert row["ci_low"] < row["value"] < row["ci_high"]


def test_a_whole_epci_gives_the_published_epci_figure(published, personas):
    user = personas.partner_a
    epci = Territory.objects.filter(level="epci", partly_outside_region=False).order_by("code").first()
    territory = own_territory_create(user=user, name="Mon EPCI", commune_codes=[], epci_codes=[epci.code])
    mine = own_rows(user).set_index("territory_code").loc[f"perso-{territory.pk}"]
    indicator = Indicator.objects.get(code="ALL-01")
    official = data.indicator_values(user=user, indicator=indicator, level="epci", period="2021",
                                          territory=epci.code).iloc[0]
    if official["status"] == "ok":
        assert mine["value"] == pytest.approx(official["value"])
        assert mine["numerator"] == official["numerator"]


def test_a_territory_and_the_same_plus_a_secret_commune_cannot_both_be_shown(published, personas):
    user = personas.partner_a
    rows = commune_rows(user)
    secret = rows[rows["status"] == "secret"].iloc[0]
    commune = Territory.objects.get(level="commune", code=secret["territory_code"])
    neighbours = rows[(rows["status"] == "ok") & rows["territory_code"].isin(
        commune.epci.epci_communes.values_list("code", flat=True))]["territory_code"].head(12).tolist()
    assert len(neighbours) >= 5
    first = own_territory_create(user=user, name="Bassin", commune_codes=neighbours)
    second = own_territory_create(user=user, name="Bassin et une commune",
                                  commune_codes=[*neighbours, commune.code])
    figures = own_rows(user).set_index("territory_code")
    assert figures.loc[f"perso-{first.pk}", "status"] == "ok"
    refused = figures.loc[f"perso-{second.pk}"]
    assert refused["status"] == "secret" and pd.isna(refused["numerator"]) and pd.isna(refused["value"])
    assert commune.name in refused["reason"] and "par différence" in refused["reason"]


def test_organisations_never_see_each_others_territories(published, personas):
    territory = own_territory_create(user=personas.partner_a, name="A seulement",
                                     commune_codes=["80021", "80001", "80002"])
    assert not len(own_rows(personas.partner_b))
    indicator = data.indicator_visible(personas.partner_b, "ALL-01")
    with pytest.raises(data.AccessDenied):
        data.own_territory_values(user=personas.partner_b, indicator=indicator, territory_ids=[territory.pk])
    assert not len(own_rows(personas.partner_a_admin).query("territory_code == 'nothing'"))
    assert f"perso-{territory.pk}" in set(own_rows(personas.partner_a_admin)["territory_code"])  # same organisation


def test_bad_territories_are_refused_with_a_reason(published, personas):
    with pytest.raises(OwnTerritoryError, match="inconnu"):
        own_territory_create(user=personas.partner_a, name="X", commune_codes=["99999", "80021"])
    with pytest.raises(OwnTerritoryError, match="deux communes"):
        own_territory_create(user=personas.partner_a, name="X", commune_codes=["80021"])
    with pytest.raises(OwnTerritoryError, match="membres"):
        own_territory_create(user=personas.editor, name="X", commune_codes=["80021", "80001"])


def test_a_non_additive_indicator_says_so(published, personas):
    own_territory_create(user=personas.partner_a, name="Deux", commune_codes=["80021", "80001"])
    rows = own_rows(personas.partner_a, code="EMP-01", period=None)
    assert len(rows) and set(rows["status"]) == {"missing"} and "non additif" in rows["reason"].iloc[0]
