"""The quick start's demonstration accounts and training sessions (see
pf2s.demo: refused in production, and `check --deploy` fails while they exist)."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from pf2s.access import EDITOR_GROUP
from pf2s.demo import DEMO_EMAIL_DOMAIN, demo_email

from .choices import MemberRole
from .models import Membership, Organisation, TrainingSession
from .services import organisations_load

DEMO_PASSWORD = "demo-pf2s-2026"
#: TOTP secret of the demonstration partner and staff accounts (quick start
#: only): add it to an authenticator app, or `manage.py demo_totp`.
DEMO_TOTP_SECRET = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "demo_accounts_create",
    "demo_accounts_remove",
    "demo_email",
    "demo_trainings_create",
]


@transaction.atomic
def demo_accounts_create(*, password: str = DEMO_PASSWORD) -> list[tuple[str, str]]:
    """Create (or reset) the quick start's demonstration accounts and return
    (login, role) pairs. Idempotent."""
    User = get_user_model()
    editors, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    organisations_load()
    ars = Organisation.objects.get(short_name="ARS")
    accounts = [
        ("admin", "administrateur de la plateforme (staff)", {"is_staff": True, "is_superuser": True}),
        ("editrice", "éditrice des publications", {"is_staff": True}),
        ("partenaire", "membre formé de l'ARS", {}),
        ("partenaire-non-forme", "membre de l'ARS pas encore formé", {}),
        ("admin-ars", "administratrice de l'organisation ARS (invite et gère ses membres)", {}),
    ]
    for username, _label, flags in accounts:
        user, _ = User.objects.get_or_create(username=username)
        user.email = demo_email(username)
        for name, value in flags.items():
            setattr(user, name, value)
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
    editor = User.objects.get(username="editrice")
    editor.groups.add(editors)
    for username, trained_on, role in (
        ("partenaire", dt.date(2026, 3, 17), MemberRole.ANALYST),
        ("partenaire-non-forme", None, MemberRole.ANALYST),
        ("admin-ars", dt.date(2025, 11, 4), MemberRole.ORGANISATION_ADMIN),
    ):
        Membership.objects.update_or_create(
            user=User.objects.get(username=username),
            defaults={"organisation": ars, "role": role, "trained_on": trained_on, "is_active": True},
        )
    return [(demo_email(username), label) for username, label, _ in accounts]


def demo_trainings_create() -> int:
    """Two upcoming sessions for the quick start, when none is planned."""
    if TrainingSession.objects.filter(starts_at__gt=timezone.now()).exists():
        return 0
    today = timezone.localdate()
    first = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=21), dt.time(9, 0)))
    TrainingSession.objects.create(
        starts_at=first, place="Amiens, locaux de l'OR2S", capacity=12, notes="Apporter un ordinateur portable."
    )
    TrainingSession.objects.create(
        starts_at=first + dt.timedelta(days=35, hours=5),
        mode="remote",
        place="Visio (lien envoyé aux inscrits)",
        capacity=20,
    )
    return 2


@transaction.atomic
def demo_accounts_remove() -> int:
    """Delete every demonstration account (any address in the demo domain)."""
    accounts = get_user_model().objects.filter(email__iendswith="@" + DEMO_EMAIL_DOMAIN)
    count = accounts.count()
    accounts.delete()
    return count
