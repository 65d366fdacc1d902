"""The partners' area (BTI)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render

from pf2s.access import Audience, audience

from .selectors import membership_for_user


@audience(Audience.PARTNER)
def bti_home(request: HttpRequest):
    """Landing page of the BTI: the member's organisation and training status."""
    return render(request, "bti/home.html", {"membership": membership_for_user(user=request.user)})
