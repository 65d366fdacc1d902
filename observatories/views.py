"""The directory of the region's observatories and the Club de l'observation."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render

from pf2s.access import Audience, audience


@audience(Audience.PUBLIC)
def observatory_index(request: HttpRequest):
    return render(request, "observatories/index.html")
