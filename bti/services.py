"""Writes of the BTI app."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from pf2s.access import EDITOR_GROUP

from .choices import MemberRole
from .models import Membership, Organisation

DEMO_PASSWORD = "demo-pf2s-2026"
#: TOTP secret of the demonstration partner and staff accounts (quick start
#: only): add it to an authenticator app, or `manage.py demo_totp`.
DEMO_TOTP_SECRET = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"
ORGANISATIONS_FIXTURE = settings.BASE_DIR / "fixtures" / "organisations.json"


@transaction.atomic
def organisations_load(*, path=ORGANISATIONS_FIXTURE) -> int:
    """Create or update the partner organisations of the fixture (by sigle)."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))["organisations"]
    for row in rows:
        Organisation.objects.update_or_create(short_name=row["short_name"], defaults={
            "name": row["name"], "family": row["family"],
            "charter_signed_on": dt.date.fromisoformat(row["charter_signed_on"]) if row["charter_signed_on"] else None,
        })
    return len(rows)


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
    ]
    for username, _label, flags in accounts:
        user, _ = User.objects.get_or_create(username=username)
        user.email = demo_email(username)
        for name, value in flags.items():
            setattr(user, name, value)
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=user.email,
                                              defaults={"verified": True, "primary": True})
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
    editor = User.objects.get(username="editrice")
    editor.groups.add(editors)
    for username, trained_on in (("partenaire", dt.date(2026, 3, 17)), ("partenaire-non-forme", None)):
        Membership.objects.update_or_create(
            user=User.objects.get(username=username),
            defaults={"organisation": ars, "role": MemberRole.ANALYST, "trained_on": trained_on, "is_active": True},
        )
    return [(demo_email(username), label) for username, label, _ in accounts]


def demo_email(username: str) -> str:
    return f"{username}@demo.pf2s.invalid"
