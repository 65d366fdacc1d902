"""The portal's URLs plus the baseline of the web benchmark: a bare Django
view returning, from memory, the same bytes as the values endpoint."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

from pf2s.access import Audience, audience

_BODIES: dict[str, bytes] = {}


@audience(Audience.PUBLIC)
def bare(request, code: str):
    key = request.get_full_path()
    if key not in _BODIES:  # filled once, from the real endpoint
        real = request.get_full_path().replace("/bench/bare/", "/api/v1/indicators/", 1)
        _BODIES[key] = Client(HTTP_HOST="127.0.0.1").get(real).content
    return HttpResponse(_BODIES[key], content_type="application/json")


urlpatterns = [
    path("bench/bare/<str:code>/values/", bare),
    path("", include("pf2s.urls")),
]
