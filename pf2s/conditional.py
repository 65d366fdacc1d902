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


#: In front of the shared cache (Redis), the answers this process served last;
#: keys name the snapshot, so an entry is never stale.
_LOCAL: dict[str, tuple[bytes, str]] = {}
_LOCAL_SIZE = 256


def _remember(key: str, value: tuple[bytes, str]) -> None:
    if key not in _LOCAL and len(_LOCAL) >= _LOCAL_SIZE:
        _LOCAL.pop(next(iter(_LOCAL)))
    _LOCAL[key] = value


def snapshot_cached(view):
    """For read-only views of the published snapshot: ETag and Last-Modified
    derived from the current snapshot and the caller's audience, 304 on a
    matching conditional request, and the body cached (Redis) per snapshot,
    so that a new publication invalidates everything at once."""
    import hashlib
    from functools import wraps

    from django.core.cache import cache
    from django.http import HttpResponse, HttpResponseNotModified
    from django.utils.http import http_date

    from indicators.published import current_snapshot
    from pf2s.access import is_partner

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        snapshot = current_snapshot()
        if snapshot is None or request.method != "GET":
            return view(request, *args, **kwargs)
        audience = "partner" if is_partner(request.user) else "public"
        key = hashlib.sha256(
            f"{snapshot.directory}|{audience}|{request.get_full_path()}|{request.headers.get('Accept', '')}".encode()
        ).hexdigest()[:32]
        etag = f'"{key}"'
        headers = {"ETag": etag, "Vary": "Cookie, Authorization, Accept",
                   "Cache-Control": "private, max-age=0, must-revalidate" if audience == "partner"
                   else "public, max-age=300"}
        if snapshot.published_at:
            headers["Last-Modified"] = http_date(snapshot.published_at.timestamp())
        if etag_matches(request, etag):
            return HttpResponseNotModified(headers=headers)
        cached = _LOCAL.get(key) or cache.get(f"api:{key}")
        if cached is not None:
            _remember(key, cached)
            body, content_type = cached
            return HttpResponse(body, content_type=content_type, headers=headers)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if response.status_code == 200:
            cache.set(f"api:{key}", (response.content, response["Content-Type"]), 3600)
            _remember(key, (response.content, response["Content-Type"]))
            for name, value in headers.items():
                response[name] = value
        return response

    return wrapper
