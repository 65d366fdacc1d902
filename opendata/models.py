"""The full open-data dump built after each publication."""

from __future__ import annotations

from django.db import models


class OpenDataDump(models.Model):
    """A zip of every open indicator at every public level and period of one
    snapshot (CSV and XLSX), written by a Celery job after the publication."""

    snapshot = models.OneToOneField("indicators.Snapshot", on_delete=models.CASCADE, related_name="dump")
    path = models.CharField(max_length=400)
    size = models.PositiveBigIntegerField()
    rows = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "export complet des données ouvertes"
        verbose_name_plural = "exports complets des données ouvertes"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export complet de l'instantané {self.snapshot_id}"
