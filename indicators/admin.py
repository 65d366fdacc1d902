from __future__ import annotations

from django.contrib import admin

from .models import GeometryLayer, JobRun, Territory


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
    list_display = ["name", "state", "step", "percent", "created_at", "started_at", "finished_at", "duration_seconds"]
    list_filter = ["name", "state"]
    readonly_fields = [f.name for f in JobRun._meta.fields]
