"""Public pages of the open-data area."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import render

from indicators import selectors
from indicators.choices import COMPOSITE_LEVELS, TerritoryLevel
from pf2s.access import Audience, audience


@audience(Audience.PUBLIC)
def home(request: HttpRequest):
    return render(request, "opendata/home.html", {"levels": selectors.territory_levels_summary()})


@audience(Audience.PUBLIC)
def territory_index(request: HttpRequest):
    composites = [
        {"level": level, "territories": list(selectors.territory_list(level=level))}
        for level in COMPOSITE_LEVELS
    ]
    return render(request, "territories/index.html", {
        "levels": selectors.territory_levels_summary(),
        "departements": selectors.territory_list(level=TerritoryLevel.DEPARTEMENT),
        "composites": composites,
    })


@audience(Audience.PUBLIC)
def territory_level(request: HttpRequest, level: str):
    try:
        territories = list(selectors.territory_list(level=level))
    except selectors.UnknownLevel as exc:
        raise Http404(f"Niveau inconnu : {level}") from exc
    return render(request, "territories/level.html", {
        "level": TerritoryLevel(level), "territories": territories,
    })


@audience(Audience.PUBLIC)
def territory_detail(request: HttpRequest, level: str, code: str):
    territory = selectors.territory_get(level=level, code=code)
    return render(request, "territories/detail.html", {
        "territory": territory,
        "composition": selectors.territory_composition(territory=territory),
    })
