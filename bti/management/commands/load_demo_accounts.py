from __future__ import annotations

from django.core.management.base import BaseCommand

from bti.services import DEMO_PASSWORD, demo_accounts_create


class Command(BaseCommand):
    help = "Crée les comptes de démonstration (administrateur, éditrice, partenaires)."

    def handle(self, *args, **options):
        for username, label in demo_accounts_create():
            self.stdout.write(f"  {username:<22} / {DEMO_PASSWORD}   {label}")
