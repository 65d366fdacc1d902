from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .choices import BatchStatus, JobState
from .imports import observations_import, rejections_csv
from .models import (
    Category,
    GeometryLayer,
    ImportBatch,
    Indicator,
    JobRun,
    Snapshot,
    Source,
    Territory,
    Variable,
)
from .services import snapshot_publish_queue

MAX_IMPORT_BYTES = 50 * 2**20


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "code", "population", "partly_outside_region"]
    list_filter = ["level", "partly_outside_region"]
    search_fields = ["name", "code"]
    readonly_fields = ["geometry"]
    raw_id_fields = ["region", "departement", "epci"]
    filter_horizontal = ["members"]


@admin.register(GeometryLayer)
class GeometryLayerAdmin(admin.ModelAdmin):
    list_display = ["level", "feature_count", "gzip_bytes", "tolerance_m", "built_at"]
    exclude = ["geojson"]
    readonly_fields = ["level", "sha256", "feature_count", "raw_bytes", "gzip_bytes", "tolerance_m", "built_at"]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "state",
        "step",
        "percent",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "duration_seconds",
    ]
    list_filter = ["name", "state"]
    readonly_fields = [f.name for f in JobRun._meta.fields]


class ImportForm(forms.Form):
    source = forms.ModelChoiceField(Source.objects.all(), label="Source (fournisseur)")
    file = forms.FileField(
        label="Fichier CSV ou XLSX", help_text="Colonnes : variable, code, periode, valeur (et niveau, tranche_age)."
    )
    load_valid_rows = forms.BooleanField(
        required=False, label="Charger les lignes valides même si d'autres sont rejetées"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(f"Fichier trop volumineux (maximum {MAX_IMPORT_BYTES // 2**20} Mo).")
        return upload


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "source",
        "status",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "user",
        "created_at",
        "is_demo",
    ]
    list_filter = ["status", "source", "is_demo"]
    search_fields = ["file_name", "sha256"]
    readonly_fields = [
        "file_name",
        "sha256",
        "source",
        "user",
        "created_at",
        "status",
        "rows_read",
        "rows_loaded",
        "rows_rejected",
        "is_demo",
        "rejections_link",
    ]
    exclude = ["rejections"]
    change_list_template = "admin/indicators/importbatch/change_list.html"

    def has_add_permission(self, request):
        return False

    @admin.display(description="Lignes rejetées")
    def rejections_link(self, batch):
        if not batch.rejections:
            return "aucune"
        url = reverse("admin:indicators_importbatch_rejections", args=[batch.pk])
        return format_html('<a href="{}">Télécharger le rapport ({} lignes)</a>', url, batch.rows_rejected)

    def get_urls(self):
        return [
            path("importer/", self.admin_site.admin_view(self.import_view), name="indicators_importbatch_import"),
            path(
                "<int:pk>/rejets.csv",
                self.admin_site.admin_view(self.rejections_view),
                name="indicators_importbatch_rejections",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not request.user.has_perm("indicators.add_observation"):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = observations_import(
                file_name=upload.name,
                content=upload.read(),
                source=form.cleaned_data["source"],
                user=request.user,
                load_valid_rows=form.cleaned_data["load_valid_rows"],
            )
            if report.status in (BatchStatus.LOADED, BatchStatus.PARTIAL):
                job = snapshot_publish_queue()
                if job.state == JobState.FAILED:
                    messages.warning(
                        request,
                        f"{report.rows_loaded} ligne(s) chargée(s), mais le recalcul n'a pas "
                        f"pu être lancé : {job.error}",
                    )
                else:
                    messages.success(request, f"{report.rows_loaded} ligne(s) chargée(s) ; recalcul lancé.")
            elif report.status == BatchStatus.DUPLICATE:
                messages.warning(request, "Ce fichier a déjà été chargé : rien n'a changé.")
            else:
                messages.error(request, "Fichier refusé : rien n'a été chargé.")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "report": report,
            "title": "Importer un fichier de fournisseur",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/indicators/importbatch/import.html", context)

    def rejections_view(self, request, pk: int):
        # the provider's raw rows: for those who may import, like the import
        if not request.user.has_perm("indicators.add_observation"):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=pk)
        response = HttpResponse(rejections_csv(batch.rejections), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="rejets-import-{batch.pk}.csv"'
        return response


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "status",
        "is_current",
        "created_at",
        "published_at",
        "indicator_count",
        "row_count",
        "secret_count",
        "is_demo",
        "audit_ok",
    ]
    list_filter = ["status", "is_current", "is_demo"]
    readonly_fields = [f.name for f in Snapshot._meta.fields]
    actions = ["publish_new"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # snapshots are immutable and kept

    @admin.display(boolean=True, description="Audit réussi")
    def audit_ok(self, snapshot):
        return bool(snapshot.audit.get("ok"))

    @admin.action(description="Recalculer et publier un nouvel instantané")
    def publish_new(self, request, queryset):
        job = snapshot_publish_queue()
        job_announce(request, job, f"Publication lancée (tâche n° {job.pk}).")


for model in (Category, Source):
    admin.site.register(model)


@admin.register(Variable)
class VariableAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "source", "by_age", "history", "is_value"]
    list_filter = ["source", "by_age"]
    search_fields = ["code", "label"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "category", "kind", "unit", "access", "period_kind"]
    list_filter = ["category", "kind", "access", "period_kind"]
    search_fields = ["code", "label", "definition"]
    filter_horizontal = ["sources"]


@admin.action(description="Recalculer ces indicateurs et publier")
def publish_selected(modeladmin, request, queryset):
    job = snapshot_publish_queue(indicator_codes=list(queryset.values_list("code", flat=True)))
    job_announce(request, job, f"Recalcul lancé (tâche n° {job.pk}).")


def job_announce(request, job, started: str) -> None:
    """Tell the person whether their job is on its way or could not be queued."""
    if job.state == JobState.FAILED:
        messages.error(request, f"Tâche n° {job.pk} non lancée. {job.error}")
    else:
        messages.info(request, started)


IndicatorAdmin.actions = [publish_selected]
