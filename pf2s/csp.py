"""Content-Security-Policy and Permissions-Policy on every answer: pages,
API, exports, errors, admin. The policy is strict — scripts and styles come
from our own files only, no inline script, no style attribute, no eval — so
that markup slipped into a page (a name, an article) cannot run or restyle
anything. Templates keep to it: behaviour lives in static/js, looks in
static/css, a data colour is an SVG ``fill``, never ``style="…"``."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

#: Browser features no page of the portal uses: refused to the page and to
#: anything it frames. Only names Chromium recognises (an unknown name is a
#: console error on every page).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def tile_source(template: str) -> str | None:
    """The CSP source of a map base layer's XYZ URL template: its scheme and
    host, a ``{s}``-style placeholder in the host becoming ``*.`` (CSP allows
    a wildcard as the leftmost label only). None for a template on our own
    site (a relative URL), which 'self' already covers."""
    if not template:
        return None
    parts = urlsplit(template)
    if not parts.netloc:
        return None
    if parts.scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"PF2S_MAP_BASE_LAYER must be an http(s) URL, not {template!r}.")
    host, _, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        labels = ["*", *labels[templated[-1] + 1 :]]
    origin = f"{parts.scheme}://{'.'.join(labels)}"
    return f"{origin}:{port}" if port and "{" not in port else origin


#: The two <style> elements the vendored Plotly (static/vendor/plotly-2.35.3)
#: adds, admitted by the hash of their exact text; any other style element,
#: and every style attribute, is still refused.
PLOTLY_STYLE_ELEMENTS = (
    # empty, then filled through the CSSOM (insertRule), which the CSP does
    # not govern: refused, its sheet is null and no chart draws
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    # the MapLibre rules the bundle injects on load (we draw no map trace:
    # admitted so that a refusal does not report on every chart page)
    "'sha256-gG0b4ixT/IQUp7JJLbyKcpYcYDjq2Wp8NGv3f+aasqo='",
)


@lru_cache(maxsize=8)
def content_security_policy(base_layer: str, *, frameable: bool) -> str:
    """The policy, the map's tile host added to img-src when configured.
    ``frameable``: the page is meant for other sites' iframes (embeds)."""
    tiles = tile_source(base_layer)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": " ".join(("'self'", *PLOTLY_STYLE_ELEMENTS)),
        # blob: Plotly draws a chart's PNG through an image of its SVG
        "img-src": f"'self' data: blob: {tiles}" if tiles else "'self' data: blob:",
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "*" if frameable else "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityPolicyMiddleware:
    """Sets both headers on every response. A response that already carries
    its own (stricter) CSP keeps it: uploaded files answer ``default-src
    'none'; sandbox``. Views marked ``@xframe_options_exempt`` (the embeds)
    may be framed by any site, as X-Frame-Options already lets them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        tile_source(settings.PF2S_MAP_BASE_LAYER)  # a bad setting fails at start, not per request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(
                settings.PF2S_MAP_BASE_LAYER, frameable=getattr(response, "xframe_options_exempt", False)
            )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
