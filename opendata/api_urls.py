"""The public API, version 1, mounted at /api/v1/ first of all URLs: its
answers are the hottest path of the portal."""

from __future__ import annotations

from django.urls import path

from pf2s.conditional import snapshot_cached as cached

from . import api

urlpatterns = [
    path("categories/", cached(api.CategoryListView.as_view()), name="api-category-list"),
    path("indicators/", cached(api.IndicatorListView.as_view()), name="api-indicator-list"),
    path("indicators/<str:code>/", cached(api.IndicatorDetailView.as_view()), name="api-indicator-detail"),
    path("indicators/<str:code>/values/", cached(api.IndicatorValuesView.as_view()), name="api-indicator-values"),
    path("territories/", api.TerritoryListView.as_view(), name="api-territory-list"),
    path("territories/<str:level>/geometry/", api.TerritoryGeometryView.as_view(), name="api-territory-geometry"),
    path("territories/<str:level>/<str:code>/", api.TerritoryDetailView.as_view(), name="api-territory-detail"),
]
