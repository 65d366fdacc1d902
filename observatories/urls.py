from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.observatory_index, name="observatories-index"),
    path("club/", views.club, name="observatories-club"),
    path("groupes/", views.working_groups, name="working-groups"),
    path("groupes/<slug:slug>/", views.working_group_detail, name="working-group-detail"),
    path("groupes/<slug:slug>/documents/<int:document_id>/", views.group_document, name="group-document"),
    path("evenements/<slug:slug>/", views.event_detail, name="event-detail"),
    path("<slug:slug>/", views.observatory_detail, name="observatory-detail"),
]
