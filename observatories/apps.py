from __future__ import annotations

from django.apps import AppConfig


class ObservatoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "observatories"
    verbose_name = "Observatoires"
