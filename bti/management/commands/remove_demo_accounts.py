from __future__ import annotations

from django.core.management.base import BaseCommand

from bti.demo import demo_accounts_remove


class Command(BaseCommand):
    help = "Supprime les comptes de démonstration (adresse en @demo.pf2s.invalid) : à faire avant toute mise en ligne."

    def handle(self, *args, **options):
        removed = demo_accounts_remove()
        self.stdout.write(f"{removed} compte(s) de démonstration supprimé(s).")
