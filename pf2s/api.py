"""API conventions shared by every endpoint: errors carry a reason in French
and English, never a bare 500; the OpenAPI schema says so, and says how to
authenticate."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, Throttled):
        wait = int(exc.wait or 0) + 1
        exc = Throttled(
            exc.wait,
            detail=bilingual(f"Trop de requêtes, réessayez dans {wait} s.", f"Too many requests, retry in {wait} s."),
        )
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if response is not None and request is not None and (renderer is None or renderer.format != "json"):
        # an error is never data: JSON even when CSV was asked for
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        if not isinstance(detail, dict):
            response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response


def api_error(french: str, english: str, *, code: str, status: int, headers: dict | None = None):
    """An API error outside DRF's views (middleware, error handlers): the
    same body as every other API error, {"detail": "<fr> / <en>", "code"}."""
    from django.http import JsonResponse

    return JsonResponse({"detail": bilingual(french, english), "code": code}, status=status, headers=headers)


def bilingual(french: str, english: str) -> str:
    """One error reason in both languages of the API."""
    return f"{french} / {english}"


class FormatNegotiation(DefaultContentNegotiation):
    """`?format=` names one of the view's formats, or the answer is a 400
    with the reason (DRF's default answers a bare 404)."""

    def filter_renderers(self, renderers, format):
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            formats = ", ".join(renderer.format for renderer in renderers)
            raise ValidationError(
                {
                    "detail": bilingual(
                        f"Format inconnu : {format} ({formats}).", f"Unknown format: {format} ({formats})."
                    )
                }
            )
        return found


# -- The contract, as the OpenAPI schema tells it -----------------------------


class ErrorSerializer(serializers.Serializer):
    """Every error of the API, whatever its status."""

    detail = serializers.CharField(help_text="Motif, en français puis en anglais (« … / … »)")
    code = serializers.CharField(
        help_text="Code stable de l'erreur : invalid, not_found, invalid_token, "
        "throttled, not_acceptable, bad_request, unavailable…"
    )


NOT_MODIFIED = OpenApiResponse(description="Non modifié depuis la version désignée par If-None-Match (ETag).")

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "pf2s_…",
    "description": (
        "Jeton personnel d'API (`Authorization: Bearer pf2s_…`), créé dans l'espace BTI par les membres "
        "formés d'un organisme partenaire : les réponses sont alors celles de son titulaire, avec ses "
        "droits. Facultatif : sans jeton, l'API répond à tous avec les données publiques."
    ),
}

_ERRORS = {
    "400": (
        "Paramètre invalide, inconnu ou hors de son énumération, ou requête refusée à l'entrée "
        "(caractère nul, paramètre trop long) : le motif est dans `detail`.",
        {},
    ),
    "401": (
        "Jeton inconnu ou révoqué, ou schéma d'autorisation autre que Bearer.",
        {"WWW-Authenticate": 'Bearer realm="pf2s"'},
    ),
    "404": ("Ressource inconnue, ou réservée à d'autres que l'appelant.", {}),
    "406": ("Aucun des formats demandés par l'en-tête Accept n'est servi ici.", {}),
    "429": (
        "Trop de requêtes sans authentification depuis cette adresse : réessayez après `Retry-After` secondes.",
        {"Retry-After": "secondes avant de réessayer"},
    ),
    "503": (
        "Base de données momentanément indisponible : réessayez après `Retry-After` secondes.",
        {"Retry-After": "secondes avant de réessayer"},
    ),
}


def schema_contract(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: what every operation shares,
    written once. Authentication is optional (Bearer token, session, or
    none) and every error an operation can give is listed with its body.
    404 only where the path names a resource; 401 only ever comes from
    bti.authentication.ApiTokenMiddleware; 400, 406, 429 and 503 can answer
    any request (pf2s.inputs, content negotiation, the throttle, a lost
    database). No operation answers 403: the API is read-only and refuses
    what a caller may not see with 404."""
    components = result.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearerAuth"] = BEARER_SCHEME
    components.setdefault("schemas", {})["Error"] = {
        "type": "object",
        "properties": {
            name: {"type": "string", "description": str(field.help_text)}
            for name, field in ErrorSerializer().fields.items()
        },
        "required": ["detail", "code"],
    }
    cookie = [name for name in components["securitySchemes"] if name != "bearerAuth"]
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            operation["security"] = [{"bearerAuth": []}, *({name: []} for name in cookie), {}]
            responses = operation.setdefault("responses", {})
            for status, (description, headers) in _ERRORS.items():
                if status == "404" and "{" not in path:
                    continue
                response = responses.setdefault(status, {"description": description})
                response["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                if headers:
                    response["headers"] = {
                        name: {"schema": {"type": "string"}, "required": True, "description": text}
                        for name, text in headers.items()
                    }
    return result
