from __future__ import annotations

from bti.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_accounts_create, demo_trainings_create
from pf2s.demo import DemoCommand


class Command(DemoCommand):
    help = "Crée les comptes de démonstration (administrateur, éditrice, partenaires) : démarrage rapide seulement."

    def handle(self, *args, **options):
        demo_trainings_create()
        for email, label in demo_accounts_create():
            self.stdout.write(f"  {email:<40} / {DEMO_PASSWORD}   {label}")
        self.stdout.write(
            f"  Double authentification : clé TOTP {DEMO_TOTP_SECRET} (à saisir dans une application "
            "d'authentification), ou code du moment : python manage.py demo_totp"
        )
