"""Every URL of the site, walked from the resolver, with a concrete sample
path for each: shared by the tests that go over every URL (audiences, the
persona matrix, the fuzz test)."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def walk(patterns, prefix="", namespace=""):
    """Yield (route, name, namespace, callback, sample_path) for every URL."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace])) if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield route, name, namespace, entry.callback, sample_path(route)


def sample_path(route: str) -> str | None:
    """A concrete path for a route, or None for regex routes we cannot fill."""
    if route.startswith("^") or "(?P" in route:
        return None
    filled = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    return "/" + filled


ROUTES = list(walk(get_resolver().url_patterns))
