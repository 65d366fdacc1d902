"""The partners' area (BTI)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from indicators import exports
from pf2s.access import Audience, audience
from pf2s.numbers import whole_number

from . import portraits, selectors, services, tables
from .selectors import (
    activity_by_organisation_month,
    membership_for_user,
    saved_queries_visible,
    training_session_with_registrations,
    training_sessions_upcoming,
)
from .tables import TableQuery


@audience(Audience.PARTNER)
def bti_home(request: HttpRequest):
    """Landing page of the BTI: the member's organisation and training status;
    an untrained member sees why and the next sessions to join."""
    membership = membership_for_user(user=request.user)
    return render(
        request,
        "bti/home.html",
        {
            "membership": membership,
            "sessions": training_sessions_upcoming(user=request.user, limit=3)
            if membership and not membership.is_trained
            else [],
        },
    )


@audience(Audience.PARTNER)
def training_list(request: HttpRequest):
    return render(
        request,
        "bti/trainings.html",
        {
            "membership": membership_for_user(user=request.user),
            "sessions": training_sessions_upcoming(user=request.user),
        },
    )


def _training_change(request: HttpRequest, change, session_id: int, done: str):
    try:
        change(session_id=session_id, user=request.user)
    except services.TrainingSession.DoesNotExist as exc:
        raise Http404("Session de formation inconnue") from exc
    except services.TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("bti-trainings")


@audience(Audience.PARTNER)
@require_POST
def training_register(request: HttpRequest, session_id: int):
    return _training_change(
        request,
        services.training_register,
        session_id,
        "Inscription enregistrée : vous recevrez les informations pratiques avant la session.",
    )


@audience(Audience.PARTNER)
@require_POST
def training_unregister(request: HttpRequest, session_id: int):
    return _training_change(request, services.training_unregister, session_id, "Inscription annulée.")


@audience(Audience.ADMIN)
def training_attendance(request: HttpRequest, session_id: int):
    """Staff record who attended a session (this opens the BTI to them).
    Editors are staff too, for publications only: the model permission
    decides."""
    if not request.user.has_perm("bti.change_trainingregistration"):
        raise PermissionDenied("Relever les présences est réservé aux administrateurs de la plateforme.")
    session, registrations = training_session_with_registrations(session_id=session_id)
    if request.method == "POST":
        present = {n for v in request.POST.getlist("present") if (n := whole_number(v)) is not None}
        attended = services.training_attendance_record(session_id=session.pk, present_user_ids=present)
        messages.success(
            request, f"Présences enregistrées : {attended} présent(s) sur {len(registrations)} inscrit(s)."
        )
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
                token = services.api_token_revoke(user=request.user, token_id=whole_number(token_id) or 0)
            except services.ApiToken.DoesNotExist:
                messages.error(request, "Jeton inconnu.")
            else:
                messages.success(request, f"Jeton « {token.name} » révoqué : il n'ouvre plus rien.")
            return redirect("bti-api-tokens")
        try:
            _token, new_key = services.api_token_create(reader=request.reader, name=request.POST.get("name", ""))
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("bti-api-tokens")
    return render(
        request,
        "bti/api_tokens.html",
        {
            "tokens": request.user.api_tokens.all(),
            "new_key": new_key,
            "may_create": request.reader.is_partner,
            "example_url": request.build_absolute_uri("/api/v1/indicators/"),
        },
    )


@audience(Audience.ADMIN)
def activity_statistics(request: HttpRequest):
    """Staff: logins, queries and exports per organisation and month."""
    if not request.user.has_perm("bti.view_activityevent"):
        raise PermissionDenied("Les statistiques de connexion sont réservées aux administrateurs de la plateforme.")
    from django.utils import timezone

    year_text = request.GET.get("year", "")
    year = whole_number(year_text)
    year = year if year and 2000 <= year <= 2100 else timezone.localdate().year
    rows = activity_by_organisation_month(year=year)
    totals = {k: sum(r[k] for r in rows) for k in ("logins", "queries", "exports")}
    return render(request, "bti/activity.html", {"rows": rows, "totals": totals, "year": year})


@audience(Audience.PARTNER)
def table(request: HttpRequest):
    """Tables à la carte: the builder form and, when asked, the table."""
    query = TableQuery.from_querydict(request.GET)
    result = None if query.is_empty else tables.table_build(reader=request.reader, query=query)
    return render(
        request,
        "bti/table.html",
        {
            "query": query,
            "result": result,
            "permalink": query.permalink(),
            **tables.builder_choices(reader=request.reader, query=query),
        },
    )


@audience(Audience.PARTNER)
def table_export(request: HttpRequest, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format inconnu (csv ou xlsx)")
    query = TableQuery.from_querydict(request.GET)
    if query.is_empty:
        return HttpResponse(
            "Choisissez au moins un indicateur et un territoire. / Choose at least one indicator and one territory.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    result = tables.table_build(reader=request.reader, query=query)
    frame = tables.table_frame(result)
    if fmt == "csv":
        body = exports.table_csv(
            frame,
            sep="," if request.GET.get("sep") == "," else ";",
            decimal="." if request.GET.get("decimal") == "." else ",",
        )
        kind = "text/csv; charset=utf-8"
    else:
        body = exports.table_xlsx(
            frame,
            result["indicators"],
            result["snapshot"],
            notes=[("Tableau à la carte", request.build_absolute_uri(f"/bti/tableau/?{query.permalink()}"))],
        )
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return HttpResponse(
        body, content_type=kind, headers={"Content-Disposition": f'attachment; filename="pf2s-tableau.{fmt}"'}
    )


@audience(Audience.PARTNER)
def saved_queries(request: HttpRequest):
    """The member's saved tables and those shared in their organisation."""
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                target = request.POST["delete"]
                services.saved_query_delete(user=request.user, query_id=whole_number(target) or 0)
                messages.success(request, "Requête supprimée.")
            else:
                saved = services.saved_query_create(
                    reader=request.reader,
                    name=request.POST.get("name", ""),
                    query=request.POST.get("query", ""),
                    shared=request.POST.get("shared") == "on",
                )
                messages.success(request, f"Requête « {saved.name} » enregistrée.")
        except ValueError as exc:
            messages.error(request, str(exc) or "Requête inconnue.")
        return redirect("bti-queries")
    return render(request, "bti/queries.html", {"queries": saved_queries_visible(reader=request.reader)})


@audience(Audience.PARTNER)
def own_territories(request: HttpRequest):
    """The organisation's own territories; build a new one (a trained member)."""
    if request.method == "POST":
        try:
            territory = services.own_territory_create(
                reader=request.reader,
                name=request.POST.get("name", ""),
                commune_codes=request.POST.get("communes", ""),
                epci_codes=request.POST.get("epci", ""),
                description=request.POST.get("description", ""),
                check=False,
            )
        except services.OwnTerritoryError as exc:
            messages.error(request, str(exc))
            return render(
                request,
                "bti/own_territories.html",
                {**selectors.own_territories_page(reader=request.reader), "form": request.POST},
                status=400,
            )
        done = selectors.own_territory_status(territory=territory)["state"] == "done"
        messages.success(
            request,
            f"Territoire « {territory.name} » créé"
            + (
                " : ses chiffres sont prêts."
                if done
                else " : le secret statistique est vérifié, ses chiffres s'affichent dès que c'est fait."
            ),
        )
        return redirect("bti-own-territory", territory_id=territory.pk)
    return render(request, "bti/own_territories.html", selectors.own_territories_page(reader=request.reader))


@audience(Audience.PARTNER)
def own_territory(request: HttpRequest, territory_id: int):
    """One territory: its check's progress, its communes; rename, change its
    communes, delete it. Another organisation's answers 404."""
    try:
        territory = services.own_territory_get(reader=request.reader, territory_id=territory_id)
    except (services.OwnTerritory.DoesNotExist, services.OwnTerritoryError) as exc:
        raise Http404("Territoire personnalisé inconnu") from exc
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rename":
                services.own_territory_rename(
                    reader=request.reader,
                    territory_id=territory.pk,
                    name=request.POST.get("name", ""),
                    description=request.POST.get("description", ""),
                )
                messages.success(request, "Territoire renommé.")
            elif action == "edit":
                services.own_territory_edit(
                    reader=request.reader,
                    territory_id=territory.pk,
                    commune_codes=request.POST.get("communes", ""),
                    epci_codes=request.POST.get("epci", ""),
                    check=False,
                )
                messages.success(request, "Communes enregistrées : le secret statistique est vérifié à nouveau.")
            elif action == "delete":
                services.own_territory_delete(reader=request.reader, territory_id=territory.pk)
                messages.success(request, f"Territoire « {territory.name} » supprimé.")
                return redirect("bti-own-territories")
        except services.OwnTerritoryError as exc:
            messages.error(request, str(exc))
        return redirect("bti-own-territory", territory_id=territory.pk)
    return render(request, "bti/own_territory.html", selectors.own_territory_page(territory=territory))


@audience(Audience.PARTNER)
def portrait(request: HttpRequest):
    """A territory's portrait against comparison zones (permalink: the URL)."""
    key = request.GET.get("territoire", "").strip()
    compare = [tuple(c.split(":", 1)) for c in ",".join(request.GET.getlist("compare")).split(",") if ":" in c][:4]
    compare = compare or [("region", "32"), ("france", "FR")]
    context = {"key": key, "compare": ",".join(f"{lv}:{c}" for lv, c in compare), "result": None, "error": ""}
    if key:
        try:
            territory = portraits.territory_resolve(reader=request.reader, key=key)
        except portraits.PortraitError as exc:
            context["error"] = str(exc)
        else:
            context["result"] = portraits.portrait_build(
                reader=request.reader, territory=territory, comparisons=compare
            )
            context["chart_state"] = portraits.chart_state(context["result"])
    context["own_territories"] = list(selectors.own_territories_visible(reader=request.reader))
    return render(request, "bti/portrait.html", context, status=404 if context["error"] else 200)


@audience(Audience.ORGANISATION_ADMIN)
def organisation_members(request: HttpRequest):
    """The organisation admin's page: its members, inviting one, deactivating one."""
    if request.method == "POST":
        try:
            if "deactivate" in request.POST or "reactivate" in request.POST:
                target = request.POST.get("deactivate") or request.POST.get("reactivate")
                services.member_set_active(
                    by=request.user, membership_id=whole_number(target) or 0, active="reactivate" in request.POST
                )
                messages.success(request, "Membre mis à jour.")
            elif "withdraw" in request.POST:
                services.invitation_withdraw(by=request.user, invitation_id=whole_number(request.POST["withdraw"]) or 0)
                messages.success(request, "Invitation retirée.")
            else:
                invited = services.member_invite(
                    by=request.user,
                    email=request.POST.get("email", ""),
                    first_name=request.POST.get("first_name", ""),
                    last_name=request.POST.get("last_name", ""),
                    role=request.POST.get("role", "analyst"),
                    request=request,
                )
                messages.success(
                    request,
                    f"Invitation envoyée à {invited.email}. Elle reste en attente jusqu'à "
                    "la première connexion de la personne.",
                )
        except (ValueError, services.Membership.DoesNotExist, services.Invitation.DoesNotExist) as exc:
            messages.error(request, str(exc) if isinstance(exc, ValueError) else "Membre inconnu.")
        return redirect("bti-members")
    organisation = get_object_or_404(services.Organisation, pk=request.reader.organisation_id)
    members, pending = selectors.organisation_members(organisation=organisation)
    return render(request, "bti/members.html", {"organisation": organisation, "members": members, "pending": pending})
