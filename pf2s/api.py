"""API conventions shared by every endpoint: errors carry a reason in French
and English, never a bare 500."""

from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        if not isinstance(detail, dict):
            response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response


def bilingual(french: str, english: str) -> str:
    """One error reason in both languages of the API."""
    return f"{french} / {english}"
