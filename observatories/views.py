"""The observatories directory, the Club de l'observation, working groups
and the annual day."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render

from pf2s import ratelimit
from pf2s.access import Audience, audience
from pf2s.clientip import client_ip
from publications.uploads import safe_file_response

from . import selectors, services
from .choices import ObservatoryTheme
from .models import ClubMeeting, Event, GroupDocument, Observatory, SharedSource, WorkingGroup


@audience(Audience.PUBLIC)
def observatory_index(request: HttpRequest):
    """The directory with filters, counts and a map."""
    filters = {key: request.GET.get(key, "") for key in ("theme", "departement", "club")}
    observatories = selectors.observatories_filtered(
        theme=filters["theme"], departement=filters["departement"], club_only=filters["club"] == "1"
    )
    return render(
        request,
        "observatories/index.html",
        {
            "observatories": observatories,
            "filters": filters,
            "themes": ObservatoryTheme.choices,
            **selectors.directory_counts(),
            "points": selectors.map_points(observatories),
            "any_demo": any(o.is_demo for o in observatories),
        },
    )


@audience(Audience.PUBLIC)
def observatory_detail(request: HttpRequest, slug: str):
    observatory = get_object_or_404(Observatory.objects.select_related("departement", "commune"), slug=slug)
    return render(request, "observatories/detail.html", {"observatory": observatory})


@audience(Audience.PUBLIC)
def club(request: HttpRequest):
    return render(
        request,
        "observatories/club.html",
        {
            "meetings": ClubMeeting.objects.all(),
            "sources": SharedSource.objects.all(),
            "members": Observatory.objects.filter(club_member=True),
        },
    )


@audience(Audience.PUBLIC)
def working_groups(request: HttpRequest):
    return render(
        request, "observatories/groups.html", {"groups": WorkingGroup.objects.prefetch_related("organisations")}
    )


@audience(Audience.PUBLIC)
def working_group_detail(request: HttpRequest, slug: str):
    group = get_object_or_404(WorkingGroup.objects.prefetch_related("organisations", "documents"), slug=slug)
    return render(request, "observatories/group.html", {"group": group})


@audience(Audience.PUBLIC)
def group_document(request: HttpRequest, slug: str, document_id: int):
    document = get_object_or_404(GroupDocument, pk=document_id, group__slug=slug)
    return safe_file_response(document.file, f"{slug}-{document.pk}.pdf", inline=True)


#: registrations per client (an IPv4 address, an IPv6 /64) per hour: a team registers together,
#: a script cannot fill an event
REGISTRATIONS_PER_CLIENT = 20


@audience(Audience.PUBLIC)
def event_detail(request: HttpRequest, slug: str):
    """An event's programme and its registration form."""
    event = get_object_or_404(Event, slug=slug)
    if request.method == "POST":
        if not ratelimit.allow(
            "event-registration", ratelimit.client_key(client_ip(request)), limit=REGISTRATIONS_PER_CLIENT, window=3600
        ):
            messages.error(
                request,
                "Trop d'inscriptions depuis votre connexion : réessayez dans une heure ou écrivez aux organisateurs.",
            )
            return redirect("event-detail", slug=event.slug)
        try:
            services.event_register(
                event_id=event.pk,
                name=request.POST.get("name", ""),
                email=request.POST.get("email", ""),
                organisation=request.POST.get("organisation", ""),
            )
        except services.RegistrationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Inscription enregistrée. À bientôt !")
        return redirect("event-detail", slug=event.slug)
    return render(
        request,
        "observatories/event.html",
        {"event": event, "seats_left": max(0, event.capacity - event.registrations.count())},
    )
