"""API conventions shared by every endpoint: errors carry a reason in French
and English, never a bare 500."""

from __future__ import annotations

from rest_framework.exceptions import Throttled
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, Throttled):
        wait = int(exc.wait or 0) + 1
        exc = Throttled(exc.wait, detail=bilingual(f"Trop de requêtes, réessayez dans {wait} s.",
                                                   f"Too many requests, retry in {wait} s."))
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


def bilingual(french: str, english: str) -> str:
    """One error reason in both languages of the API."""
    return f"{french} / {english}"
