from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from pf2s.sessions import sessions_end

from .models import Membership, Organisation, TrainingRegistration, TrainingSession


def _deactivated(form) -> bool:
    return "is_active" in form.changed_data and not form.cleaned_data.get("is_active", True)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "family", "charter_signed_on", "is_active"]
    list_filter = ["family", "is_active"]
    search_fields = ["name", "short_name"]
    inlines = [MembershipInline]
    filter_horizontal = ["indicators"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "indicators":  # only restricted ones are granted
            from indicators.choices import Access
            from indicators.models import Indicator

            kwargs["queryset"] = Indicator.objects.filter(access=Access.ORGANISATIONS).order_by("code")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and _deactivated(form):  # their members' sessions end at once
            sessions_end(users=list(obj.members.values_list("user_id", flat=True)))

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        ended = [f.instance.user_id for f in formset.forms if getattr(f, "cleaned_data", None) and _deactivated(f)]
        if ended:
            sessions_end(users=ended)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active", "trained_on"]
    list_filter = ["organisation", "role", "is_active"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and _deactivated(form):
            sessions_end(users=[obj.user_id])


class PlatformUserAdmin(UserAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and _deactivated(form):
            sessions_end(users=[obj.pk])


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), PlatformUserAdmin)


class TrainingRegistrationInline(admin.TabularInline):
    model = TrainingRegistration
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["registered_at", "attended", "attendance_recorded_at"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "place", "mode", "capacity", "registered_count", "attendance_link"]
    list_filter = ["mode"]
    inlines = [TrainingRegistrationInline]

    @admin.display(description="présences")
    def attendance_link(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        return format_html('<a href="{}">Relever les présences</a>', reverse("bti-training-attendance", args=[obj.pk]))

    @admin.display(description="inscrits")
    def registered_count(self, obj) -> int:
        return obj.registrations.count()
