"""Reads of the indicators app: territories and map layers, and what a
publication run reads (the geography as matrices, the relations between
variables, the own territories' versions, the provenance). The engine's
modules are imported where used: the pages read territories here without
loading the engine."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.http import Http404

from .choices import COMPOSITE_LEVELS, BatchStatus, TerritoryLevel
from .models import GeometryLayer, ImportBatch, Indicator, OwnTerritoryVersion, Snapshot, Territory, Variable

if TYPE_CHECKING:
    from .compute.cells import Geography
    from .own_territories import Version
    from .protection import Published, Relations


class UnknownLevel(ValueError):
    pass


def level_check(*, level: str) -> TerritoryLevel:
    try:
        return TerritoryLevel(level)
    except ValueError as exc:
        raise UnknownLevel(level) from exc


def territory_list(*, level: str) -> QuerySet[Territory]:
    """Every territory of one level, with its parents, ordered by code."""
    return (
        Territory.objects.filter(level=level_check(level=level))
        .select_related("region", "departement", "epci")
        .defer("geometry", "region__geometry", "departement__geometry", "epci__geometry")
        .order_by("code")
    )


def territory_get(*, level: str, code: str) -> Territory:
    """One territory by level and official code; Http404 when unknown."""
    try:
        return Territory.objects.select_related("region", "departement", "epci").get(
            level=level_check(level=level), code=code
        )
    except (Territory.DoesNotExist, UnknownLevel) as exc:
        raise Http404(f"Territoire inconnu : {level} {code}") from exc


def territory_name(*, level: str, code: str) -> str:
    """A territory's name, or its level and code when there is none."""
    territory = Territory.objects.filter(level=level, code=code).only("name").first()
    return territory.name if territory else f"{level} {code}"


def territory_member_codes(*, territory: Territory) -> list[str]:
    return sorted(territory.members.values_list("code", flat=True))


def territory_composition(*, territory: Territory) -> list[dict]:
    """What a territory is made of, grouped for display: communes by EPCI for
    composites and départements, communes of an EPCI by département."""
    if territory.level in COMPOSITE_LEVELS:
        communes = territory.members.all()
    elif territory.level == TerritoryLevel.DEPARTEMENT:
        communes = Territory.objects.filter(departement=territory)
    elif territory.level == TerritoryLevel.EPCI:
        communes = Territory.objects.filter(epci=territory)
    elif territory.level == TerritoryLevel.REGION:
        return [
            {
                "group": None,
                "territories": list(Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT).defer("geometry")),
            }
        ]
    else:
        return []
    group_by = "departement" if territory.level == TerritoryLevel.EPCI else "epci"
    groups: dict[Territory, list[Territory]] = defaultdict(list)
    for commune in communes.select_related(group_by).defer("geometry", f"{group_by}__geometry").order_by("name"):
        groups[getattr(commune, group_by)].append(commune)
    return [
        {"group": group, "territories": members}
        for group, members in sorted(groups.items(), key=lambda item: item[0].name)
    ]


def territory_levels_summary() -> list[dict]:
    counts = dict(Territory.objects.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    return [{"level": level, "label": level.label, "count": counts.get(level.value, 0)} for level in TerritoryLevel]


def geometry_layer_get(*, level: str) -> GeometryLayer:
    try:
        return GeometryLayer.objects.get(level=level_check(level=level))
    except (GeometryLayer.DoesNotExist, UnknownLevel) as exc:
        raise Http404(f"Pas de couche cartographique pour le niveau {level}") from exc


def geography_integrity() -> dict:
    """Counts per level and the invariants of the commune tree: every commune
    has one EPCI and one département, and population sums agree."""
    communes = Territory.objects.filter(level=TerritoryLevel.COMMUNE)
    region = Territory.objects.filter(level=TerritoryLevel.REGION).first()
    commune_population = sum(p or 0 for p in communes.values_list("population", flat=True))
    return {
        "counts": {item["level"]: item["count"] for item in territory_levels_summary()},
        "communes_without_epci": communes.filter(epci__isnull=True).count(),
        "communes_without_departement": communes.filter(departement__isnull=True).count(),
        "commune_population": commune_population,
        "region_population": region.population if region else None,
        "consistent": bool(region)
        and region.population == commune_population
        and not communes.filter(epci__isnull=True).exists()
        and not communes.filter(departement__isnull=True).exists(),
    }


def membership_matrix(commune_ids):
    """(aggregate ids, sparse matrix aggregates × communes) for every territory
    made of communes: EPCI, départements, the region and composites. Columns
    follow `commune_ids`."""
    import numpy as np
    import scipy.sparse as sp

    column = {cid: i for i, cid in enumerate(commune_ids)}
    pairs: list[tuple[int, int]] = []
    communes = Territory.objects.filter(level=TerritoryLevel.COMMUNE).values_list(
        "id", "epci_id", "departement_id", "region_id"
    )
    for cid, epci, dep, region in communes:
        if cid in column:
            pairs += [(epci, column[cid]), (dep, column[cid]), (region, column[cid])]
    through = Territory.members.through.objects.values_list("from_territory_id", "to_territory_id")
    pairs += [(composite, column[cid]) for composite, cid in through if cid in column]
    aggregate_ids = np.array(sorted({p[0] for p in pairs}))
    row = {tid: i for i, tid in enumerate(aggregate_ids)}
    matrix = sp.csr_matrix(
        (np.ones(len(pairs)), ([row[p[0]] for p in pairs], [p[1] for p in pairs])),
        shape=(len(aggregate_ids), len(commune_ids)),
    )
    return aggregate_ids, matrix


def geography_read() -> Geography:
    """Every territory in matrix order (communes by code, then every
    aggregate) with the matrix of their communes."""
    import numpy as np
    import scipy.sparse as sp

    from .compute.cells import Geography

    communes = list(
        Territory.objects.filter(level=TerritoryLevel.COMMUNE).order_by("code").values_list("id", flat=True)
    )
    commune_ids = np.array(communes)
    aggregate_ids, M = membership_matrix(commune_ids)
    ids = np.concatenate([commune_ids, aggregate_ids])
    info = {pk: (lv, code, name) for pk, lv, code, name in Territory.objects.values_list("id", "level", "code", "name")}
    G = sp.vstack([sp.identity(len(commune_ids), format="csr"), M], format="csr")
    france = Territory.objects.get(level=TerritoryLevel.FRANCE)
    geo = Geography(
        ids=ids,
        levels=np.array([info[i][0] for i in ids], dtype=object),
        codes=np.array([info[i][1] for i in ids], dtype=object),
        names=np.array([info[i][2] for i in ids], dtype=object),
        G=G,
        n_communes=len(commune_ids),
        france_id=france.pk,
    )
    geo.row_of = {int(t): i for i, t in enumerate(ids)}
    return geo


def relations_read(indicators: list[Published]) -> Relations:
    """The declared relations between variables (parts and wholes), with
    their secrecy thresholds."""
    from .protection import Relations

    declared = list(Variable.wholes.through.objects.values_list("from_variable_id", "to_variable_id"))
    thresholds = dict(Variable.objects.values_list("pk", "source__secrecy_threshold"))
    return Relations.build(declared, indicators, thresholds)


def own_versions_read() -> list[Version]:
    """Every own-territory version (live and retired), in creation order."""
    from .own_territories import Version

    through = OwnTerritoryVersion.communes.through.objects.values_list("ownterritoryversion_id", "territory__code")
    communes: dict[int, list[str]] = defaultdict(list)
    for version_id, code in through:
        communes[version_id].append(code)
    return [
        Version(pk=pk, communes=tuple(sorted(communes.get(pk, []))), retired=retired is not None)
        for pk, retired in OwnTerritoryVersion.objects.order_by("created_at", "pk").values_list("pk", "retired_at")
    ]


def catalogue_read() -> tuple[list[Indicator], dict[int, Variable], Snapshot | None]:
    """What a publication run computes: every indicator (with its variables'
    sources), every variable by id, and the current snapshot it may carry
    figures over from. Three queries."""
    indicators = list(Indicator.objects.select_related("numerator__source", "denominator__source"))
    variables = {v.pk: v for v in Variable.objects.select_related("source")}
    return indicators, variables, Snapshot.objects.filter(is_current=True).first()


def snapshot_provenance() -> dict:
    """What a snapshot is computed from: every loaded import batch."""
    batches = ImportBatch.objects.filter(status__in=[BatchStatus.LOADED, BatchStatus.PARTIAL])
    return {
        "batches": [
            {
                "id": b.pk,
                "file": b.file_name,
                "sha256": b.sha256,
                "source": b.source.code,
                "loaded_at": b.created_at.isoformat(),
                "rows": b.rows_loaded,
                "demo": b.is_demo,
            }
            for b in batches.select_related("source")
        ]
    }
