from __future__ import annotations

from django.contrib import admin

from .models import (
    ClubMeeting,
    Event,
    EventRegistration,
    GroupDocument,
    Observatory,
    SharedSource,
    WorkingGroup,
)


@admin.register(Observatory)
class ObservatoryAdmin(admin.ModelAdmin):
    list_display = ["name", "theme", "departement", "club_member", "is_demo"]
    list_filter = ["theme", "departement", "club_member", "is_demo"]
    search_fields = ["name", "host"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["commune"]


class GroupDocumentInline(admin.TabularInline):
    model = GroupDocument
    extra = 0


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "theme", "launched_on", "status"]
    list_filter = ["status", "theme"]
    filter_horizontal = ["organisations"]
    inlines = [GroupDocumentInline]


class EventRegistrationInline(admin.TabularInline):
    model = EventRegistration
    extra = 0
    readonly_fields = ["created_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "place", "registration_open", "capacity"]
    inlines = [EventRegistrationInline]


admin.site.register(ClubMeeting)
admin.site.register(SharedSource)
