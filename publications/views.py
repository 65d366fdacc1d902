"""Publications: the quarterly revue and news articles."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render

from pf2s.access import Audience, audience


@audience(Audience.PUBLIC)
def publication_index(request: HttpRequest):
    return render(request, "publications/index.html")


@audience(Audience.EDITOR)
def editor_dashboard(request: HttpRequest):
    """The editors' entry point to the back office."""
    return render(request, "publications/editor_dashboard.html")
