"""The newsletter (subscription with double opt-in comes with the editorial issue)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render

from pf2s.access import Audience, audience


@audience(Audience.PUBLIC)
def newsletter_index(request: HttpRequest):
    return render(request, "newsletter/index.html")
