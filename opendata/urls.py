from __future__ import annotations

from django.urls import path

from pf2s.conditional import snapshot_cached as cached

from . import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("indicateurs/", views.indicator_catalogue, name="indicator-catalogue"),
    path("indicateurs/<str:code>/", views.indicator_detail, name="indicator-detail"),
    path("indicateurs/<str:code>/export.<str:fmt>", views.indicator_export, name="indicator-export"),
    path("comparer/", views.comparison, name="comparison"),
    path("donnees-ouvertes/", views.opendata_page, name="opendata"),
    path("donnees-ouvertes/telecharger/", views.opendata_download, name="opendata-download"),
    path("embed/indicateurs/<str:code>/<str:kind>/", views.indicator_embed, name="indicator-embed"),
    path("territoires/", views.territory_index, name="territory-index"),
    path("territoires/<str:level>/", views.territory_level, name="territory-level"),
    path("territoires/<str:level>/<str:code>/", views.territory_detail, name="territory-detail"),
    path("api/v1/categories/", cached(api.CategoryListView.as_view()), name="api-category-list"),
    path("api/v1/indicators/", cached(api.IndicatorListView.as_view()), name="api-indicator-list"),
    path("api/v1/indicators/<str:code>/", cached(api.IndicatorDetailView.as_view()),
         name="api-indicator-detail"),
    path("api/v1/indicators/<str:code>/values/", cached(api.IndicatorValuesView.as_view()),
         name="api-indicator-values"),
    path("api/v1/territories/", api.TerritoryListView.as_view(), name="api-territory-list"),
    path("api/v1/territories/<str:level>/geometry/", api.TerritoryGeometryView.as_view(),
         name="api-territory-geometry"),
    path("api/v1/territories/<str:level>/<str:code>/", api.TerritoryDetailView.as_view(),
         name="api-territory-detail"),
]
