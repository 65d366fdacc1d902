"""Public pages of the open-data area."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt

from indicators import exports, reading, selectors, snapshot_store
from indicators.choices import COMPOSITE_LEVELS, TerritoryLevel
from indicators.compute import classes
from indicators.readers import indicator_levels
from pf2s.access import Audience, audience

from . import filters, maps
from .models import OpenDataDump

EXPORT_FORMATS = ("csv", "xlsx", "geojson", "svg")


@audience(Audience.PUBLIC)
def home(request: HttpRequest):
    return render(
        request,
        "opendata/home.html",
        {
            "levels": selectors.territory_levels_summary(),
            "categories": reading.categories_summary(reader=request.reader),
            "snapshot": snapshot_store.current_snapshot(),
        },
    )


@audience(Audience.PUBLIC)
def indicator_catalogue(request: HttpRequest):
    found = filters.catalogue(reader=request.reader, data=request.GET or None)
    snapshot = snapshot_store.current_snapshot()
    periods = snapshot.periods if snapshot else {}
    rows = [{"indicator": i, "latest": (periods.get(i.code) or [""])[-1]} for i in found.qs]
    return render(request, "opendata/catalogue.html", {"form": found.form, "rows": rows})


@audience(Audience.PUBLIC)
def indicator_detail(request: HttpRequest, code: str):
    try:
        view = indicator_view(request, code)
    except reading.AccessDenied as exc:
        raise Http404(str(exc)) from exc
    return render(request, "opendata/indicator.html", view)


@audience(Audience.PUBLIC)
def indicator_export(request: HttpRequest, code: str, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404("Format inconnu (csv, xlsx, geojson ou svg)")
    try:
        view = indicator_view(request, code)
    except reading.AccessDenied as exc:
        raise Http404(str(exc)) from exc
    indicator, frame = view["indicator"], view["all_rows"]
    name = f"pf2s-{indicator.code}-{view['level']}-{view['period']}"
    if fmt in ("geojson", "svg"):
        layer = selectors.geometry_layer_get(level=view["level"])
        if fmt == "geojson":
            body = json.dumps(maps.geojson(layer, view["map"], indicator, view["period"]), ensure_ascii=False).encode()
            kind = "application/geo+json"
        else:
            body = maps.svg(
                layer, view["map"], indicator, view["period"], TerritoryLevel(view["level"]).label, view["snapshot"]
            ).encode()
            kind = "image/svg+xml"
    elif fmt == "xlsx":
        body = exports.values_xlsx(frame, indicator, view["snapshot"])
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        sep = "," if request.GET.get("sep") == "," else ";"
        decimal = "." if request.GET.get("decimal") == "." else ","
        body = exports.values_csv(frame, indicator, sep=sep, decimal=decimal)
        kind = "text/csv; charset=utf-8"
    return HttpResponse(
        body, content_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )


def indicator_view(request: HttpRequest, code: str) -> dict:
    """Parse the view state from the URL and read the rows it shows."""
    indicator = reading.indicator_visible(request.reader, code)
    levels = [lv for lv in indicator_levels(request.reader, indicator.levels) if lv != "france"]
    if not levels:  # published only at levels this reader may not see
        raise reading.AccessDenied(f"Indicateur inconnu : {code}", f"Unknown indicator: {code}")
    level = (
        request.GET.get("level")
        if request.GET.get("level") in levels
        else ("departement" if "departement" in levels else levels[0])
    )
    periods = reading.indicator_periods(reader=request.reader, indicator=indicator)
    period = request.GET.get("period") if request.GET.get("period") in periods else (periods[-1] if periods else "")
    rows = (
        reading.indicator_values(reader=request.reader, indicator=indicator, level=level, period=period or None)
        if period
        else None
    )
    references = (
        reading.indicator_values(reader=request.reader, indicator=indicator, period=period or None) if period else None
    )
    if references is not None:
        references = references[references["level"].isin(["region", "france"])]
        all_rows = references if level == "region" else pd.concat([rows, references])
    else:
        all_rows = None
    method = request.GET.get("method") if request.GET.get("method") in classes.METHODS else "quantiles"
    try:
        count = int(request.GET.get("classes", 5))
    except ValueError:
        count = 5
    state = maps.map_state(rows, method, count) if rows is not None else None
    series_codes = [c for c in request.GET.get("territories", "").split(",") if c][:8]
    if not series_codes and rows is not None and len(rows):
        series_codes = list(rows["territory_code"][:2])
    series_codes += ["32", "FR"]
    chart = {
        "title": f"{indicator.short_label}, {period}",
        "unit": indicator.unit,
        "levelLabel": TerritoryLevel(level).label,
        "filename": f"pf2s-{indicator.code}",
        "rows": reading.records(rows) if rows is not None else [],
        "references": reading.records(references) if references is not None else [],
        "seriesTitle": f"{indicator.short_label} : évolution",
        "seriesCodes": series_codes,
        "seriesUrls": [
            f"/api/v1/indicators/{indicator.code}/values/?level={lv}"
            for lv in dict.fromkeys([level, "region", "france"])
        ],
    }
    return {
        "chart_json": chart,
        "series_codes": ",".join(series_codes[:-2]),
        "map": state,
        "method": method,
        "methods": list(classes.METHODS.items()),
        "class_count": state.count if state else count,
        "class_counts": range(3, 8),
        "legend": state.legend(indicator.unit) if state else [],
        "map_json": {
            **state.as_json(),
            "level": level,
            "unit": indicator.unit,
            "layer": f"/api/v1/territories/{level}/geometry/",
        }
        if state
        else None,
        "indicator": indicator,
        "levels": [(lv, TerritoryLevel(lv).label) for lv in levels],
        "level": level,
        "periods": periods,
        "period": period,
        "rows": reading.records(rows) if rows is not None else [],
        "references": reading.records(references) if references is not None else [],
        "all_rows": all_rows,
        "snapshot": snapshot_store.current_snapshot(),
    }


@audience(Audience.PUBLIC)
def territory_index(request: HttpRequest):
    composites = [
        {"level": level, "territories": list(selectors.territory_list(level=level))} for level in COMPOSITE_LEVELS
    ]
    return render(
        request,
        "territories/index.html",
        {
            "levels": selectors.territory_levels_summary(),
            "departements": selectors.territory_list(level=TerritoryLevel.DEPARTEMENT),
            "composites": composites,
        },
    )


@audience(Audience.PUBLIC)
def territory_level(request: HttpRequest, level: str):
    try:
        territories = list(selectors.territory_list(level=level))
    except selectors.UnknownLevel as exc:
        raise Http404(f"Niveau inconnu : {level}") from exc
    return render(
        request,
        "territories/level.html",
        {
            "level": TerritoryLevel(level),
            "territories": territories,
        },
    )


@audience(Audience.PUBLIC)
def territory_detail(request: HttpRequest, level: str, code: str):
    territory = selectors.territory_get(level=level, code=code)
    return render(
        request,
        "territories/detail.html",
        {
            "territory": territory,
            "composition": selectors.territory_composition(territory=territory),
        },
    )


@audience(Audience.PUBLIC)
def comparison(request: HttpRequest):
    """Several territories side by side for one or several indicators, at
    each indicator's latest period (state in the URL)."""
    visible = list(reading.indicators_visible(request.reader).order_by("category__order", "code"))
    codes = [c for c in request.GET.get("indicators", "").split(",") if c][:6]
    picks = [t for t in request.GET.get("territories", "").split(",") if ":" in t][:12]
    chosen = [i for i in visible if i.code in codes]
    table = reading.comparison(
        reader=request.reader, indicators=chosen, territories=[tuple(p.split(":", 1)) for p in picks]
    )
    return render(
        request,
        "opendata/comparison.html",
        {
            "indicators": visible,
            "chosen": chosen,
            "codes": codes,
            "territories_param": ",".join(picks),
            "table": table,
            "levels": [(lv.value, lv.label) for lv in TerritoryLevel],
        },
    )


@audience(Audience.PUBLIC)
@xframe_options_exempt
def indicator_embed(request: HttpRequest, code: str, kind: str):
    """The map or the ranked chart alone, for an iframe on a partner's site."""
    if kind not in ("carte", "graphique"):
        raise Http404("Vue inconnue (carte ou graphique)")
    try:
        view = indicator_view(request, code)
    except reading.AccessDenied as exc:
        raise Http404(str(exc)) from exc
    return render(request, "opendata/embed.html", {**view, "kind": kind})


@audience(Audience.PUBLIC)
def opendata_page(request: HttpRequest):
    """The open-data page: the full dump of the current snapshot, API, licence."""
    snapshot = snapshot_store.current_snapshot()
    dump = OpenDataDump.objects.filter(snapshot=snapshot).first() if snapshot else None
    return render(request, "opendata/opendata.html", {"snapshot": snapshot, "dump": dump})


@audience(Audience.PUBLIC)
def opendata_download(request: HttpRequest):
    snapshot = snapshot_store.current_snapshot()
    dump = OpenDataDump.objects.filter(snapshot=snapshot).first() if snapshot else None
    if dump is None or not Path(dump.path).exists():
        raise Http404("L'export complet est en cours de préparation.")
    return FileResponse(
        open(dump.path, "rb"), as_attachment=True, filename=Path(dump.path).name, content_type="application/zip"
    )
