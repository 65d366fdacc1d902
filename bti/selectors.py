"""Reads of the BTI app."""

from __future__ import annotations

from .models import Membership


def membership_for_user(*, user) -> Membership | None:
    """The active membership of an active user in an active organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        Membership.objects.select_related("organisation")
        .filter(user=user, is_active=True, organisation__is_active=True)
        .first()
    )
