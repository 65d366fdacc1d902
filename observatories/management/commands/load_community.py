from __future__ import annotations

from observatories.services import community_load
from pf2s.demo import DemoCommand
from publications.demo import demo_articles_create


class Command(DemoCommand):
    help = (
        "Charge l'annuaire des observatoires (démonstration), les groupes de travail, le Club de "
        "l'observation, la journée annuelle, et des articles de démonstration : démarrage rapide seulement."
    )

    def handle(self, *args, **options):
        counts = community_load()
        articles = demo_articles_create()
        self.stdout.write(
            f"{counts['observatories']} observatoires, {counts['working_groups']} groupes de travail, "
            f"{articles} articles de démonstration."
        )
