from __future__ import annotations

from django.core.management.base import BaseCommand

from indicators.publication import snapshot_publish


class Command(BaseCommand):
    help = "Recalcule tous les indicateurs, applique le secret statistique et publie un instantané."

    def handle(self, *args, **options):
        snapshot = snapshot_publish()
        self.stdout.write(f"Instantané {snapshot.pk} : {snapshot.get_status_display()} "
                          f"{snapshot.timings} audit {snapshot.audit.get('ok')}")
