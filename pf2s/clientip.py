"""The client's address, decided once per request.

Behind the reverse proxy every connection comes from the proxy: REMOTE_ADDR
is the proxy's address, and the client's is the last entry the trusted
proxies appended to X-Forwarded-For. `ClientIpMiddleware`, first in the
chain, puts the client's address in REMOTE_ADDR (the proxy's is kept in
`PF2S_PROXY_ADDR`), so allauth's login rate limits and recorded sessions,
DRF's throttle, our own limits and consent proofs all read the same value.
Entries a client writes itself (left of the trusted ones) are never used."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [IPv6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # IPv4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip_resolve(meta: dict, *, trusted_proxies: int) -> str:
    """The client's address from a request's META (pure): with N trusted
    proxies, the N-th address from the right of X-Forwarded-For; the
    connection's address when no proxy is trusted or the header is short
    or malformed (a client reaching the app without the proxy)."""
    remote = meta.get("REMOTE_ADDR", "") or ""
    if trusted_proxies <= 0:
        return remote
    forwarded = [part for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    if len(forwarded) < trusted_proxies:
        return remote
    return _address(forwarded[-trusted_proxies]) or remote


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


class ClientIpMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        trusted = settings.PF2S_TRUSTED_PROXIES
        if trusted and "PF2S_PROXY_ADDR" not in request.META:
            request.META["PF2S_PROXY_ADDR"] = request.META.get("REMOTE_ADDR", "")
            request.META["REMOTE_ADDR"] = client_ip_resolve(request.META, trusted_proxies=trusted)
        return self.get_response(request)
