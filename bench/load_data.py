"""The load bench's database, prepared in a child process on the bench's own
database and data directory (never the developer's): the real geography,
the demo catalogue published, the community pages (observatories,
articles), and partner accounts of the bench's own — trained members of
one organisation, with a production password hash and a TOTP authenticator
— so that `check --deploy` stays clean (no demo account). Idempotent: the
demo data are loaded and published only when no current snapshot is on
disk. Prints, as its last line, what the load run needs (JSON)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
from pathlib import Path

import django

#: the bench accounts' password and TOTP secret: bench database only
PASSWORD = "load-bench-partner-2026"
TOTP_SECRET = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"
ORGANISATION = "BENCHLOAD"


def partners_ensure(count: int) -> list[str]:
    """`count` trained partners of one organisation, each with its own
    session to open (a TOTP code is accepted once per account)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from bti.models import Membership, Organisation

    organisation, _ = Organisation.objects.get_or_create(
        short_name=ORGANISATION, defaults={"name": "Organisation de la mesure de charge"}
    )
    hashed = make_password(PASSWORD)  # the default hasher, as in production: no rehash at login
    emails = []
    for n in range(count):
        username = f"load-partner-{n:03d}"
        email = f"{username}@bench.invalid"
        user, _ = get_user_model().objects.update_or_create(
            username=username, defaults={"email": email, "password": hashed, "is_active": True}
        )
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        Membership.objects.update_or_create(
            user=user,
            defaults={
                "organisation": organisation,
                "role": "analyst",
                "trained_on": dt.date(2026, 1, 15),
                "is_active": True,
            },
        )
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, TOTP_SECRET)
        emails.append(email)
    return emails


def pools() -> dict:
    """What the simulated users pick from: published indicators by level,
    territories by level (a seeded sample of communes)."""
    from indicators.models import Indicator, Territory

    indicators = {
        code: levels
        for code, levels in Indicator.objects.filter(access="open").order_by("code").values_list("code", "levels")
    }
    territories = {
        level: list(Territory.objects.filter(level=level).order_by("code").values_list("code", flat=True))
        for level in ("departement", "epci", "commune")
    }
    territories["commune"] = sorted(random.Random(2026).sample(territories["commune"], 300))
    return {"indicators": indicators, "territories": territories}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pf2s.settings.local")
    django.setup()
    from django.core.management import call_command

    from indicators.models import Observation, Snapshot, Territory

    quiet = io.StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    if not Territory.objects.filter(level="commune").exists():
        call_command("load_geography", verbosity=0, stdout=quiet)
    snapshot = Snapshot.objects.filter(is_current=True).first()
    if snapshot is None or not Path(snapshot.directory).is_dir():
        call_command("load_demo_data", verbosity=0, stdout=quiet)
        snapshot = Snapshot.objects.get(is_current=True)
    call_command("load_community", verbosity=0, stdout=quiet)
    count = int(os.environ.get("BENCH_LOAD_PARTNERS", "50"))
    print(
        json.dumps(
            {
                "data": {
                    "observations": Observation.objects.count(),
                    "snapshot": snapshot.pk,
                    "published_values": snapshot.row_count,
                    "secret_values": snapshot.secret_count,
                },
                "partners": {"emails": partners_ensure(count), "password": PASSWORD, "totp_secret": TOTP_SECRET},
                **pools(),
            }
        )
    )


if __name__ == "__main__":
    main()
