"""The partners' area (BTI)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pf2s.access import Audience, audience

from . import services
from .selectors import (
    activity_by_organisation_month,
    membership_for_user,
    training_session_with_registrations,
    training_sessions_upcoming,
)


@audience(Audience.PARTNER)
def bti_home(request: HttpRequest):
    """Landing page of the BTI: the member's organisation and training status;
    an untrained member sees why and the next sessions to join."""
    membership = membership_for_user(user=request.user)
    return render(request, "bti/home.html", {
        "membership": membership,
        "sessions": training_sessions_upcoming(user=request.user, limit=3) if membership and not membership.is_trained else [],
    })


@audience(Audience.PARTNER)
def training_list(request: HttpRequest):
    return render(request, "bti/trainings.html", {
        "membership": membership_for_user(user=request.user),
        "sessions": training_sessions_upcoming(user=request.user),
    })


@audience(Audience.PARTNER)
@require_POST
def training_register(request: HttpRequest, session_id: int):
    try:
        services.training_register(session_id=session_id, user=request.user)
    except services.TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Inscription enregistrée : vous recevrez les informations pratiques avant la session.")
    return redirect("bti-trainings")


@audience(Audience.PARTNER)
@require_POST
def training_unregister(request: HttpRequest, session_id: int):
    try:
        services.training_unregister(session_id=session_id, user=request.user)
    except services.TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Inscription annulée.")
    return redirect("bti-trainings")


@audience(Audience.ADMIN)
def training_attendance(request: HttpRequest, session_id: int):
    """Staff record who attended a session (this opens the BTI to them).
    Editors are staff too, for publications only: the model permission
    decides."""
    if not request.user.has_perm("bti.change_trainingregistration"):
        raise PermissionDenied("Relever les présences est réservé aux administrateurs de la plateforme.")
    session, registrations = training_session_with_registrations(session_id=session_id)
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        attended = services.training_attendance_record(session_id=session.pk, present_user_ids=present)
        messages.success(request, f"Présences enregistrées : {attended} présent(s) sur {len(registrations)} inscrit(s).")
        return redirect("bti-training-attendance", session_id=session.pk)
    return render(request, "bti/training_attendance.html", {"session": session, "registrations": registrations})


@audience(Audience.PARTNER)
def api_tokens(request: HttpRequest):
    """A member's personal API tokens: create (the key is shown once), revoke."""
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token_id = request.POST["revoke"]
            try:
                token = services.api_token_revoke(user=request.user, token_id=int(token_id) if token_id.isdigit() else 0)
            except services.ApiToken.DoesNotExist:
                messages.error(request, "Jeton inconnu.")
            else:
                messages.success(request, f"Jeton « {token.name} » révoqué : il n'ouvre plus rien.")
            return redirect("bti-api-tokens")
        try:
            _token, new_key = services.api_token_create(user=request.user, name=request.POST.get("name", ""))
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("bti-api-tokens")
    return render(request, "bti/api_tokens.html", {
        "tokens": request.user.api_tokens.all(), "new_key": new_key,
        "example_url": request.build_absolute_uri("/api/v1/indicators/"),
    })


@audience(Audience.ADMIN)
def activity_statistics(request: HttpRequest):
    """Staff: logins, queries and exports per organisation and month."""
    if not request.user.has_perm("bti.view_activityevent"):
        raise PermissionDenied("Les statistiques de connexion sont réservées aux administrateurs de la plateforme.")
    from django.utils import timezone

    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else timezone.localdate().year
    rows = activity_by_organisation_month(year=year)
    totals = {k: sum(r[k] for r in rows) for k in ("logins", "queries", "exports")}
    return render(request, "bti/activity.html", {"rows": rows, "totals": totals, "year": year})
