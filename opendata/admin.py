from __future__ import annotations

from pathlib import Path

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from indicators.admin import job_announce
from indicators.models import Snapshot

from .models import OpenDataDump
from .services import opendata_dump_queue


@admin.register(OpenDataDump)
class OpenDataDumpAdmin(admin.ModelAdmin):
    """The full downloads, and a button to rebuild the current one (a file
    lost or damaged): the build is a job, seen among the tasks."""

    list_display = ["snapshot", "rows", "size", "created_at", "file_present"]
    readonly_fields = ["snapshot", "path", "size", "rows", "created_at"]
    change_list_template = "admin/opendata/opendatadump/change_list.html"

    def has_add_permission(self, request):
        return False

    @admin.display(boolean=True, description="Fichier présent")
    def file_present(self, dump):
        return Path(dump.path).exists()

    def get_urls(self):
        return [
            path("reconstruire/", self.admin_site.admin_view(self.rebuild_view), name="opendata_opendatadump_rebuild"),
            *super().get_urls(),
        ]

    @staticmethod
    def may_rebuild(user) -> bool:
        return user.has_perm("opendata.change_opendatadump")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_rebuild": self.may_rebuild(request.user)}
        return super().changelist_view(request, extra_context)

    @method_decorator(require_POST)
    def rebuild_view(self, request):
        if not self.may_rebuild(request.user):
            raise PermissionDenied
        snapshot = Snapshot.objects.filter(is_current=True).first()
        if snapshot is None:
            messages.error(request, "Aucun instantané publié : rien à exporter.")
        else:
            job = opendata_dump_queue(snapshot_id=snapshot.pk, force=True)
            job_announce(
                request,
                job,
                f"Reconstruction de l'export complet de l'instantané {snapshot.pk} lancée (tâche n° {job.pk}).",
            )
        return redirect("admin:opendata_opendatadump_changelist")
