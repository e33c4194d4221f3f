"""Admins for sources and the places, fields and bodies records point at."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ...models import District, Organization, ResearchField, Source
from .base import (
    NAMES,
    PUBLICATION,
    SOURCES,
    SUMMARY,
    RecordAdmin,
    SourcedRecordAdmin,
    details,
    fieldset,
)
from .figures import AnnouncedFigureInline
from .intake import ReportIntake


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    list_display = [
        "title_en",
        "title_zh",
        "outlet",
        "published_on",
        "publication_status",
    ]
    list_filter = ["publication_status", "published_on", "outlet"]
    search_fields = ["title_en", "title_zh", "slug", "outlet"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title_en"]}
    fieldsets = [
        fieldset(_("Titles"), "title_en", "title_zh", "slug"),
        fieldset(_("Details"), "outlet", "published_on", "url", "notes"),
        PUBLICATION,
    ]
    inlines = [AnnouncedFigureInline]
    # Its list's tools add "Add from a report" (admin/intake.py).
    import_export_change_list_template = "admin/programs/source/change_list.html"

    def get_urls(self):
        return [*ReportIntake(self).urls(), *super().get_urls()]


@admin.register(District)
class DistrictAdmin(SourcedRecordAdmin):
    list_display = [
        "name_en",
        "name_zh",
        "city_en",
        "province_en",
        "in_demonstration_zone",
        "publication_status",
        "sources_cited",
    ]
    list_filter = ["publication_status", "in_demonstration_zone", "province_en"]
    search_fields = [
        "name_en",
        "name_zh",
        "slug",
        "city_en",
        "city_zh",
        "province_en",
        "province_zh",
    ]
    fieldsets = [
        NAMES,
        details(_("Details"), District),
        SUMMARY,
        SOURCES,
        PUBLICATION,
    ]


@admin.register(ResearchField)
class ResearchFieldAdmin(RecordAdmin):
    list_display = ["name_en", "name_zh", "slug", "publication_status"]
    list_filter = ["publication_status"]
    search_fields = ["name_en", "name_zh", "slug"]
    fieldsets = [NAMES, PUBLICATION]


@admin.register(Organization)
class OrganizationAdmin(SourcedRecordAdmin):
    list_display = [
        "name_en",
        "name_zh",
        "kind",
        "district",
        "publication_status",
        "sources_cited",
    ]
    list_select_related = ["district"]
    list_filter = ["publication_status", "kind", "district"]
    search_fields = ["name_en", "name_zh", "slug"]
    autocomplete_fields = ["district", "sources"]
    fieldsets = [
        NAMES,
        details(_("Details"), Organization),
        SUMMARY,
        SOURCES,
        PUBLICATION,
    ]
