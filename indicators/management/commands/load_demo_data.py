"""Generate demonstration observations for the whole catalogue and publish."""

from __future__ import annotations

import time

from indicators.catalogue import catalogue_load, catalogue_read
from indicators.demo_data import demo_data_load
from indicators.services import snapshot_publish_here
from pf2s.demo import DemoCommand


class Command(DemoCommand):
    help = (
        "Charge le catalogue, génère des données de démonstration pour chaque commune "
        "(étiquetées comme telles) et publie un instantané."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-publish", action="store_true")

    def handle(self, *args, **options):
        started = time.perf_counter()
        catalogue_load(data=catalogue_read())
        written = demo_data_load()
        rows = sum(written.values())
        self.stdout.write(
            f"Données de démonstration : {rows} observations écrites "
            f"({sum(1 for n in written.values() if n)} variables, "
            f"{time.perf_counter() - started:.1f} s)."
        )
        if options["no_publish"]:
            return
        snapshot = snapshot_publish_here()  # then the open-data dump, like every publication
        self.stdout.write(
            self.style.SUCCESS(
                f"Instantané {snapshot.pk} : {snapshot.get_status_display()}, {snapshot.row_count} valeurs, "
                f"{snapshot.secret_count} secrètes, {time.perf_counter() - started:.1f} s au total."
            )
        )
