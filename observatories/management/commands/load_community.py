from __future__ import annotations

from django.core.management.base import BaseCommand

from observatories.services import community_load
from publications.services import demo_articles_create


class Command(BaseCommand):
    help = ("Charge l'annuaire des observatoires (démonstration), les groupes de travail, le Club de "
            "l'observation, la journée annuelle, et des articles de démonstration.")

    def handle(self, *args, **options):
        counts = community_load()
        articles = demo_articles_create()
        self.stdout.write(f"{counts['observatories']} observatoires, {counts['working_groups']} groupes de travail, "
                          f"{articles} articles de démonstration.")
