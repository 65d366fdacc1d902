"""Conditional GET helpers shared by API responses (ETag / If-None-Match)."""

from __future__ import annotations

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.http import http_date

from pf2s.throttle import AnonymousRateThrottle


def etag_matches(request: HttpRequest, etag: str) -> bool:
    """Whether If-None-Match names `etag`, comparing weakly: compression
    turns our strong ETags into weak ones on the way out."""
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))


def too_many_requests(wait: float) -> HttpResponse:
    from pf2s.api import bilingual

    seconds = int(wait) + 1
    detail = bilingual(f"Trop de requêtes, réessayez dans {seconds} s.", f"Too many requests, retry in {seconds} s.")
    return JsonResponse({"detail": detail, "code": "throttled"}, status=429, headers={"Retry-After": str(seconds)})


ACCESS_VERSION_KEY = "pf2s:access-version"


def access_version() -> int:
    """Bumped whenever what someone may see changes without a new snapshot
    (an indicator's access, an organisation's grants, an own territory):
    cached answers name it, so none outlives the access it was given for."""
    return cache.get(ACCESS_VERSION_KEY) or 0


def access_changed(**kwargs) -> None:
    """Signal receiver: forget every cached answer (a new version)."""
    try:
        cache.incr(ACCESS_VERSION_KEY)
    except ValueError:  # not set yet (or the cache was flushed)
        cache.set(ACCESS_VERSION_KEY, access_version() + 1, None)


#: In front of the shared cache (Redis), the answers this process served last;
#: keys name the snapshot and the access version, so an entry is never stale.
_LOCAL: dict[str, tuple[bytes, str]] = {}
_LOCAL_SIZE = 256
#: Last-Modified of the snapshots this process has seen.
_DATES: dict[str, str] = {}


def _remember(key: str, value: tuple[bytes, str]) -> None:
    if key not in _LOCAL and len(_LOCAL) >= _LOCAL_SIZE:
        _LOCAL.pop(next(iter(_LOCAL)))
    _LOCAL[key] = value


def snapshot_cached(view):
    """For read-only views of the published snapshot: ETag and Last-Modified
    derived from the current snapshot and the caller's audience, 304 on a
    matching conditional request, and the body cached (Redis) per snapshot,
    so that a new publication invalidates everything at once."""
    from indicators.snapshot_store import current_snapshot

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        snapshot = current_snapshot()
        if snapshot is None or request.method != "GET":
            return view(request, *args, **kwargs)
        audience = request.reader.audience_key
        if audience == "public":
            throttle = AnonymousRateThrottle()
            if not throttle.allow_request(request):
                return too_many_requests(throttle.wait())
        key = hashlib.sha256(
            f"{snapshot.directory}|{access_version()}|{audience}|{request.get_full_path()}|"
            f"{request.META.get('HTTP_ACCEPT', '')}".encode()
        ).hexdigest()[:32]
        etag = f'"{key}"'
        headers = {
            "ETag": etag,
            "Vary": "Cookie, Authorization, Accept",
            "Cache-Control": "public, max-age=300" if audience == "public" else "private, max-age=0, must-revalidate",
        }
        if snapshot.published_at:
            if snapshot.directory not in _DATES:
                _DATES[snapshot.directory] = http_date(snapshot.published_at.timestamp())
            headers["Last-Modified"] = _DATES[snapshot.directory]
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
