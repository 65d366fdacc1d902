from __future__ import annotations

from django.core.management.base import BaseCommand

from indicators.services import snapshot_publish_here


class Command(BaseCommand):
    help = (
        "Recalcule tous les indicateurs, applique le secret statistique et publie un instantané "
        "(puis construit l'export complet des données ouvertes)."
    )

    def handle(self, *args, **options):
        snapshot = snapshot_publish_here()
        self.stdout.write(
            f"Instantané {snapshot.pk} : {snapshot.get_status_display()} "
            f"{snapshot.timings} audit {snapshot.audit.get('ok')}"
        )
