"""Reads of the BTI app."""

from __future__ import annotations

from django.db import models

from indicators.readers import Reader, own_territories_organisation

from .models import Invitation, Membership


def organisation_members(*, organisation) -> tuple[list[Membership], list[Invitation]]:
    """The organisation's members, and its pending invitations: an invited
    person who has not logged in yet shows as an invitation, the same way
    whether an account was created for them or existed already."""
    invitations = {i.email: i for i in organisation.invitations.filter(accepted_at__isnull=True)}
    members = []
    for membership in organisation.members.select_related("user").order_by("user__last_name", "user__email"):
        email = (membership.user.email or "").lower()
        if email in invitations and membership.user.last_login is None:
            continue
        invitations.pop(email, None)  # logged in since: a member, no longer an invitation
        members.append(membership)
    return members, sorted(invitations.values(), key=lambda i: i.created_at, reverse=True)


def membership_for_user(*, user) -> Membership | None:
    """The active membership of an active user in an active organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        Membership.objects.select_related("organisation")
        .filter(user=user, is_active=True, organisation__is_active=True)
        .first()
    )


def training_sessions_upcoming(*, user=None, limit: int | None = None) -> list[dict]:
    """Sessions still to come, with seats left and whether `user` is registered."""
    from django.db.models import Count
    from django.utils import timezone

    from .models import TrainingSession

    sessions = (
        TrainingSession.objects.filter(starts_at__gt=timezone.now())
        .annotate(registered=Count("registrations"))
        .order_by("starts_at")
    )
    if limit:
        sessions = sessions[:limit]
    mine = set()
    if user is not None and user.is_authenticated:
        mine = set(user.training_registrations.values_list("session_id", flat=True))
    return [
        {"session": s, "seats_left": max(0, s.capacity - s.registered), "registered": s.pk in mine} for s in sessions
    ]


def training_session_with_registrations(*, session_id: int):
    from django.shortcuts import get_object_or_404

    from .models import TrainingSession

    session = get_object_or_404(TrainingSession, pk=session_id)
    registrations = session.registrations.select_related("user", "user__membership__organisation").order_by(
        "user__last_name", "user__email"
    )
    return session, list(registrations)


def api_token_user(*, key: str):
    """The active owner of an unrevoked token, or None. Records the use
    (at most once a minute)."""
    import datetime as dt

    from django.utils import timezone

    from .models import ApiToken
    from .services import api_token_hash

    token = (
        ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(key), revoked_at__isnull=True).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def activity_by_organisation_month(*, year: int) -> list[dict]:
    """Logins, queries and exports per organisation and month of one year."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncMonth

    from .choices import ActivityKind
    from .models import ActivityEvent

    rows = (
        ActivityEvent.objects.filter(at__year=year)
        .annotate(month=TruncMonth("at"))
        .values("organisation__short_name", "organisation__name", "month")
        .annotate(
            logins=Count("id", filter=Q(kind=ActivityKind.LOGIN)),
            queries=Count("id", filter=Q(kind=ActivityKind.QUERY)),
            exports=Count("id", filter=Q(kind=ActivityKind.EXPORT)),
        )
        .order_by("organisation__name", "month")
    )
    return [
        {
            "organisation": r["organisation__name"] or "organisation supprimée",
            "month": r["month"],
            "logins": r["logins"],
            "queries": r["queries"],
            "exports": r["exports"],
        }
        for r in rows
    ]


def saved_queries_visible(*, reader: Reader):
    """The member's own queries and those shared within their organisation."""
    from django.db.models import Q

    from .models import SavedQuery

    if not reader.is_member:
        return SavedQuery.objects.none()
    return (
        SavedQuery.objects.filter(organisation_id=reader.organisation_id)
        .filter(Q(owner_id=reader.user_id) | Q(shared=True))
        .select_related("owner")
    )


def own_territory_status(*, territory) -> dict:
    """Where the check of a territory's figures stands, in words: done for
    the current snapshot, running (step, percent), queued, or failed."""
    from indicators.choices import JobState
    from indicators.snapshot_store import current_snapshot, figures_read

    snapshot = current_snapshot()
    figures = figures_read(snapshot.directory, territory.version_id) if snapshot is not None else None
    if figures is not None:
        withheld = int((figures["status"] == "secret").sum())
        return {"state": "done", "label": "Chiffres disponibles", "rows": len(figures), "withheld": withheld}
    job = territory.version.check_job
    if job is None or job.state == JobState.QUEUED:
        return {"state": "queued", "label": "Vérification en attente", "percent": 0}
    if job.state == JobState.RUNNING:
        return {"state": "running", "label": f"Vérification en cours : {job.step}", "percent": job.percent}
    if job.state == JobState.FAILED:
        return {"state": "failed", "label": "La vérification a échoué : l'équipe de la plateforme est prévenue."}
    return {"state": "queued", "label": "Vérification en attente", "percent": 0}


def own_territories_visible(*, reader: Reader):
    """The territories of the reader's organisation (trained members only),
    in creation order; nobody else's, no deleted one."""
    from .models import OwnTerritory

    organisation_id = own_territories_organisation(reader)
    if organisation_id is None:
        return OwnTerritory.objects.none()
    return (
        OwnTerritory.objects.filter(organisation_id=organisation_id, deleted_at__isnull=True)
        .select_related("version__check_job")
        .order_by("created_at", "pk")
    )


def own_territories_chosen(*, reader: Reader, territory_ids: list[int]) -> list:
    """The reader's own territories of these ids; another organisation's, a
    deleted or an unknown one does not exist for them (AccessDenied)."""
    from indicators.reading import AccessDenied

    territories = [t for t in own_territories_visible(reader=reader) if t.pk in set(territory_ids)]
    if len(territories) != len(set(territory_ids)):
        raise AccessDenied("Territoire personnalisé inconnu", "Unknown own territory")
    return territories


def own_territories_page(*, reader: Reader) -> dict:
    """What the territories page shows a member: the organisation's
    territories with their status, and whether they may build one."""
    territories = list(own_territories_visible(reader=reader).annotate(n_communes=models.Count("version__communes")))
    rows = [{"territory": t, "status": own_territory_status(territory=t)} for t in territories]
    return {
        "territories": rows,
        "member": reader.is_member,
        "may_build": reader.is_partner,
        "pending": any(row["status"]["state"] in ("queued", "running") for row in rows),
    }


def own_territory_page(*, territory) -> dict:
    communes = list(
        territory.version.communes.select_related("epci").order_by("name").values_list("code", "name", "epci__name")
    )
    status = own_territory_status(territory=territory)
    return {
        "territory": territory,
        "status": status,
        "communes": communes,
        "commune_codes": ", ".join(code for code, _, _ in communes),
        "pending": status["state"] in ("queued", "running"),
    }
