from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from indicators.catalogue import CATALOGUE_FIXTURE, CatalogueError, catalogue_load, catalogue_read


class Command(BaseCommand):
    help = "Charge le catalogue des indicateurs (catégories, sources, variables, indicateurs)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(CATALOGUE_FIXTURE))

    def handle(self, *args, **options):
        try:
            counts = catalogue_load(data=catalogue_read(options["file"]))
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Catalogue : {categories} catégories, {sources} sources, {variables} variables, "
                "{indicators} indicateurs.".format(**counts)
            )
        )
