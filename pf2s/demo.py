"""Demonstration content of the quick start, kept out of production.

The demo accounts' password and TOTP secret are printed in the README: such
an account on a public site is an open door. So every command that writes
demonstration content refuses to run unless the settings allow it
(`PF2S_DEMO_ALLOWED`: the quick start and the tests) or the operator forces
it, and `manage.py check --deploy` fails while a demo account exists."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand, CommandError

#: every demonstration account has an address in this reserved domain (RFC 2606)
DEMO_EMAIL_DOMAIN = "demo.pf2s.invalid"


def demo_allowed() -> bool:
    return bool(getattr(settings, "PF2S_DEMO_ALLOWED", False))


def demo_email(username: str) -> str:
    return f"{username}@{DEMO_EMAIL_DOMAIN}"


def is_demo_account(user) -> bool:
    return (getattr(user, "email", "") or "").lower().endswith("@" + DEMO_EMAIL_DOMAIN)


def demo_account_refused(user) -> bool:
    """A demonstration account (published password and TOTP secret) outside
    the quick start: refused on every way in (login form, API token)."""
    return is_demo_account(user) and not demo_allowed()


class DemoCommand(BaseCommand):
    """A management command that writes demonstration content: refused
    outside the quick start unless `--force-demo` is given."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--force-demo",
            action="store_true",
            help="Écrire des contenus de démonstration même hors du démarrage rapide (jamais sur un site public).",
        )
        return parser

    def execute(self, *args, **options):
        if not demo_allowed() and not options.get("force_demo"):
            raise CommandError(
                "Contenus de démonstration refusés : ces réglages ne sont pas ceux du démarrage rapide "
                f"({settings.SETTINGS_MODULE}). Sur un site public, les comptes de démonstration ouvriraient "
                "la plateforme à quiconque lit le README. Pour un site de test fermé seulement : --force-demo."
            )
        return super().execute(*args, **options)


def demo_accounts_present() -> list[str]:
    """Addresses of the active demonstration accounts in the database."""
    from django.contrib.auth import get_user_model

    return sorted(
        get_user_model()
        .objects.filter(is_active=True, email__iendswith="@" + DEMO_EMAIL_DOMAIN)
        .values_list("email", flat=True)
    )


@checks.register(checks.Tags.security, deploy=True)
def check_no_demo_accounts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy` fails while a demonstration account can log in."""
    from django.db import DatabaseError

    try:
        present = demo_accounts_present()
    except DatabaseError as exc:
        # before the first migrate, or without the database: say so, without failing the check
        return [
            checks.Info(
                f"Absence de comptes de démonstration non vérifiée ({exc.__class__.__name__}).",
                hint="Relancez la vérification quand la base de données répond.",
                id="pf2s.I001",
            )
        ]
    if not present:
        return []
    return [
        checks.Error(
            f"{len(present)} compte(s) de démonstration actif(s) : {', '.join(present)}. Leur mot de passe et leur "
            "clé TOTP sont publiés dans le README.",
            hint="Supprimez-les : python manage.py remove_demo_accounts",
            id="pf2s.E001",
        )
    ]
