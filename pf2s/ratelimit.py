"""Limits on public forms, per client address and per target address, on the
shared cache (which fails open when Redis is down: pf2s.cache).

`allow("newsletter", client=ip, limit=5, window=600)` counts one attempt
and says whether it is within the limit."""

from __future__ import annotations

import hashlib
import ipaddress
import time

from django.core.cache import cache


def _key(scope: str, subject: str, window: int) -> str:
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]  # no address in Redis
    return f"ratelimit:{scope}:{digest}:{int(time.time() // window)}"


def client_key(address: str) -> str:
    """What counts as one client: an IPv4 address, or an IPv6 /64 (one
    household or office gets a whole /64 and can pick any address in it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def mailbox(email: str) -> str:
    """The mailbox an address reaches, for per-address limits: case, quotes
    and a "+tag" do not make another mailbox."""
    local, _, domain = (email or "").strip().lower().rpartition("@")
    local = local.strip('"').split("+", 1)[0]
    return f"{local}@{domain}"


def allow(scope: str, subject: str, *, limit: int, window: int) -> bool:
    """Count one attempt of `subject` (a client address, an e-mail address)
    in `scope`; False once more than `limit` were made in the window."""
    key = _key(scope, subject, window)
    cache.add(key, 0, window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired in between, or the cache is down
        cache.set(key, 1, window + 1)
        count = 1
    return count <= limit


def first_in_window(scope: str, subject: str, *, window: int) -> bool:
    """True for the first call about `subject` in the window (e.g. one mail
    per address per quarter of an hour), False for the next ones."""
    return cache.add(_key(scope, subject, window), 1, window + 1)
