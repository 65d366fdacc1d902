from __future__ import annotations

from django.contrib import admin

from .models import Article, RevueIssue


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ["title", "rubrique", "state"]
    extra = 0
    show_change_link = True


@admin.register(RevueIssue)
class RevueIssueAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "published_on", "is_public"]
    list_filter = ["is_public"]
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "theme", "rubrique", "state", "publish_at", "view_count"]
    list_filter = ["state", "kind", "theme", "rubrique", "issue"]
    search_fields = ["title", "chapo"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["territories", "indicators", "related"]
    date_hierarchy = "publish_at"
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "chapo", "body", "image", "image_alt"]}),
        ("Classement", {"fields": ["theme", "rubrique", "issue", "territories", "indicators", "related"]}),
        (
            "Publication",
            {
                "fields": ["state", "publish_at"],
                "description": "Brouillon : invisible. Programmé : visible à la date choisie. Publié : visible.",
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
