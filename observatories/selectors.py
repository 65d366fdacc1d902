"""Reads of the observatories app."""

from __future__ import annotations

from collections import Counter

from .choices import ObservatoryTheme
from .models import Observatory


def observatories_filtered(*, theme: str = "", departement: str = "", club_only: bool = False) -> list[Observatory]:
    observatories = Observatory.objects.select_related("departement", "commune")
    if theme in ObservatoryTheme.values:
        observatories = observatories.filter(theme=theme)
    if departement:
        observatories = observatories.filter(departement__code=departement)
    if club_only:
        observatories = observatories.filter(club_member=True)
    return list(observatories)


def directory_counts() -> dict:
    """The whole directory by theme and by département (most first)."""
    everything = list(Observatory.objects.select_related("departement"))
    return {
        "total": len(everything),
        "by_theme": Counter(o.get_theme_display() for o in everything).most_common(),
        "by_departement": Counter(o.departement.name for o in everything).most_common(),
        "departements": sorted({(o.departement.code, o.departement.name) for o in everything}),
    }


def map_points(observatories: list[Observatory]) -> list[dict]:
    return [
        {
            "name": o.name,
            "url": o.get_absolute_url(),
            "theme": o.get_theme_display(),
            "lat": o.latitude,
            "lon": o.longitude,
        }
        for o in observatories
        if o.latitude is not None
    ]
