"""Conditional GET helpers shared by API responses (ETag / If-None-Match)."""

from __future__ import annotations

from django.http import HttpRequest


def etag_matches(request: HttpRequest, etag: str) -> bool:
    """Whether If-None-Match names `etag`, comparing weakly: compression
    turns our strong ETags into weak ones on the way out."""
    header = request.headers.get("If-None-Match", "")
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))
