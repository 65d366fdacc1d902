from __future__ import annotations

from django.core.management.base import BaseCommand

from bti.services import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    demo_accounts_create,
    demo_trainings_create,
)


class Command(BaseCommand):
    help = "Crée les comptes de démonstration (administrateur, éditrice, partenaires)."

    def handle(self, *args, **options):
        demo_trainings_create()
        for email, label in demo_accounts_create():
            self.stdout.write(f"  {email:<40} / {DEMO_PASSWORD}   {label}")
        self.stdout.write(
            f"  Double authentification : clé TOTP {DEMO_TOTP_SECRET} (à saisir dans une application "
            "d'authentification), ou code du moment : python manage.py demo_totp")
