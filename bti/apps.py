from __future__ import annotations

from django.apps import AppConfig


class BtiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bti"
    verbose_name = "Base territoriale des indicateurs"
