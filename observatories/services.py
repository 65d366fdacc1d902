"""Writes of the observatories app: the directory and community fixtures,
registrations to the annual day."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from .models import ClubMeeting, Event, EventRegistration, Observatory, SharedSource, WorkingGroup

FIXTURES = settings.BASE_DIR / "fixtures"


def _point(commune) -> tuple[float | None, float | None]:
    if commune is None or not commune.geometry:
        return None, None
    from shapely.geometry import shape

    point = shape(commune.geometry).representative_point()
    return round(point.y, 5), round(point.x, 5)


@transaction.atomic
def community_load() -> dict:
    """Observatories (demonstration directory), working groups, the Club's
    meetings and sources, events. Idempotent."""
    from bti.models import Organisation
    from indicators.models import Territory

    directory = json.loads((FIXTURES / "observatories.json").read_text(encoding="utf-8"))["observatories"]
    departements = {t.code: t for t in Territory.objects.filter(level="departement")}
    communes = {
        t.code: t for t in Territory.objects.filter(level="commune", code__in=[r["commune"] for r in directory])
    }
    for row in directory:
        commune = communes.get(row["commune"])
        latitude, longitude = _point(commune)
        Observatory.objects.update_or_create(
            slug=slugify(row["name"])[:120],
            defaults={
                "name": row["name"],
                "theme": row["theme"],
                "departement": departements[row["departement"]],
                "commune": commune,
                "host": row["host"],
                "website": row["website"],
                "description": row["description"],
                "club_member": row["club_member"],
                "latitude": latitude,
                "longitude": longitude,
                "is_demo": "OR2S" not in row["name"],
            },
        )
    community = json.loads((FIXTURES / "community.json").read_text(encoding="utf-8"))
    organisations = {o.short_name: o for o in Organisation.objects.all()}
    for row in community["working_groups"]:
        group, _ = WorkingGroup.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "theme": row["theme"],
                "launched_on": dt.date.fromisoformat(row["launched_on"]),
                "status": row["status"],
                "description": row["description"],
            },
        )
        group.organisations.set([organisations[s] for s in row["organisations"] if s in organisations])
    for row in community["club_meetings"]:
        ClubMeeting.objects.update_or_create(
            date=dt.date.fromisoformat(row["date"]),
            topic=row["topic"],
            defaults={"place": row["place"], "summary": row["summary"]},
        )
    for row in community["shared_sources"]:
        SharedSource.objects.update_or_create(
            name=row["name"],
            defaults={"provider": row["provider"], "url": row["url"], "description": row["description"]},
        )
    for row in community["events"]:
        Event.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "title": row["title"],
                "date": dt.date.fromisoformat(row["date"]),
                "place": row["place"],
                "capacity": row["capacity"],
                "registration_open": row["registration_open"],
                "programme": row["programme"],
            },
        )
    return {"observatories": len(directory), "working_groups": len(community["working_groups"])}


class RegistrationError(ValueError):
    """A registration refused, with the reason in French."""


@transaction.atomic
def event_register(*, event_id: int, name: str, email: str, organisation: str = "") -> EventRegistration:
    from django.core.validators import validate_email

    event = Event.objects.select_for_update().get(pk=event_id)
    if not event.registration_open:
        raise RegistrationError("Les inscriptions à cet événement sont closes.")
    name = " ".join((name or "").split())[:150]
    email = (email or "").strip().lower()
    if not name:
        raise RegistrationError("Indiquez votre nom.")
    try:
        validate_email(email)
    except Exception as exc:
        raise RegistrationError("Adresse électronique invalide.") from exc
    if event.registrations.count() >= event.capacity:
        raise RegistrationError("L'événement est complet.")
    existing = event.registrations.filter(email=email).first()
    if existing is not None:
        return existing  # the same answer as a new registration: who is registered stays private
    try:
        with transaction.atomic():
            return EventRegistration.objects.create(
                event=event, name=name, email=email, organisation=organisation[:200]
            )
    except IntegrityError:  # registered by a concurrent request meanwhile
        return event.registrations.get(email=email)
