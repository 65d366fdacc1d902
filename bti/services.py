"""Writes of the BTI app."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from pf2s.access import EDITOR_GROUP

from .choices import MemberRole
from .models import Membership, Organisation

DEMO_PASSWORD = "demo-pf2s-2026"


@transaction.atomic
def demo_accounts_create(*, password: str = DEMO_PASSWORD) -> list[tuple[str, str]]:
    """Create (or reset) the quick start's demonstration accounts and return
    (login, role) pairs. Idempotent."""
    User = get_user_model()
    editors, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    ars, _ = Organisation.objects.get_or_create(
        name="Agence régionale de santé Hauts-de-France",
        defaults={"short_name": "ARS", "charter_signed_on": dt.date(2018, 6, 12)},
    )
    accounts = [
        ("admin", "administrateur de la plateforme (staff)", {"is_staff": True, "is_superuser": True}),
        ("editrice", "éditrice des publications", {"is_staff": True}),
        ("partenaire", "membre formé de l'ARS", {}),
        ("partenaire-non-forme", "membre de l'ARS pas encore formé", {}),
    ]
    for username, _label, flags in accounts:
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.pf2s.invalid"})
        for name, value in flags.items():
            setattr(user, name, value)
        user.set_password(password)
        user.save()
    editor = User.objects.get(username="editrice")
    editor.groups.add(editors)
    for username, trained_on in (("partenaire", dt.date(2026, 3, 17)), ("partenaire-non-forme", None)):
        Membership.objects.update_or_create(
            user=User.objects.get(username=username),
            defaults={"organisation": ars, "role": MemberRole.ANALYST, "trained_on": trained_on, "is_active": True},
        )
    return [(username, label) for username, label, _ in accounts]
