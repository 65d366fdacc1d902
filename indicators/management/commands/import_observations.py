"""Import a provider file (CSV or XLSX) of counts."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.choices import BatchStatus
from indicators.imports import observations_import
from indicators.models import Source
from indicators.services import snapshot_publish_queue


class Command(BaseCommand):
    help = "Importe un fichier de fournisseur (CSV ou XLSX) : validé en entier, chargé d'un bloc."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, help="code de la source (ex. cnaf)")
        parser.add_argument(
            "--load-valid-rows", action="store_true", help="charger les lignes valides même si d'autres sont rejetées"
        )
        parser.add_argument("--report", help="fichier CSV des lignes rejetées (défaut : FICHIER.rejets.csv)")
        parser.add_argument("--no-publish", action="store_true", help="ne pas relancer le calcul")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            source = Source.objects.get(code=options["source"])
        except Source.DoesNotExist as exc:
            codes = ", ".join(Source.objects.values_list("code", flat=True))
            raise CommandError(f"Source inconnue : {options['source']} (sources : {codes})") from exc
        report = observations_import(
            file_name=path.name, content=path.read_bytes(), source=source, load_valid_rows=options["load_valid_rows"]
        )
        if report.status == BatchStatus.DUPLICATE:
            self.stdout.write(
                self.style.WARNING(f"Fichier déjà chargé (import n° {report.batch.pk}) : rien n'a changé.")
            )
            return
        if report.rejections:
            target = Path(options["report"] or f"{path}.rejets.csv")
            target.write_text(report.rejections_csv(), encoding="utf-8")
            self.stdout.write(self.style.WARNING(f"{report.rows_rejected} ligne(s) rejetée(s) ; détail dans {target}"))
            for rejection in report.rejections[:10]:
                self.stdout.write(
                    f"  ligne {rejection.row}, {rejection.column} : {rejection.reason} ({rejection.value})"
                )
        if report.status == BatchStatus.REJECTED:
            raise CommandError(
                "Fichier refusé : rien n'a été chargé (--load-valid-rows pour charger les lignes valides)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.rows_loaded} ligne(s) chargée(s) sur {report.rows_read} (import n° {report.batch.pk})."
            )
        )
        if not options["no_publish"]:
            job = snapshot_publish_queue()
            self.stdout.write(f"Recalcul des indicateurs lancé (tâche n° {job.pk}).")
