"""Admins for agreements, projects, workstations and the people of the programmes."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ...models import (
    Agreement,
    AgreementParty,
    Entrepreneur,
    Expert,
    Project,
    Workstation,
)
from .base import (
    NAMES,
    PUBLICATION,
    SOURCES,
    STAFF_ONLY_CONTACT,
    SUMMARY,
    SourcedRecordAdmin,
    details,
)
from .scoping import ParentScopedInline


class AgreementPartyInline(ParentScopedInline, admin.TabularInline):
    """Who signed, witnessed or supported the agreement."""

    model = AgreementParty
    fields = ["organization", "role"]
    autocomplete_fields = ["organization"]
    extra = 2


class ProjectInline(ParentScopedInline, admin.TabularInline):
    """The projects under the agreement, with a link to each one's full form."""

    model = Project
    fields = ["name_en", "name_zh", "slug", "kind", "status", "announced_on"]
    prepopulated_fields = {"slug": ["name_en"]}
    extra = 0
    show_change_link = True


@admin.register(Agreement)
class AgreementAdmin(SourcedRecordAdmin):
    list_display = [
        "name_en",
        "name_zh",
        "signed_on",
        "status",
        "district",
        "party_names",
        "publication_status",
        "sources_cited",
    ]
    list_select_related = ["district"]
    list_filter = ["publication_status", "status", "district", "signed_on"]
    search_fields = [
        "name_en",
        "name_zh",
        "slug",
        "parties__name_en",
        "parties__name_zh",
    ]
    autocomplete_fields = ["district", "sources"]
    date_hierarchy = "signed_on"
    fieldsets = [
        NAMES,
        details(_("Details"), Agreement),
        SUMMARY,
        SOURCES,
        PUBLICATION,
    ]
    inlines = [AgreementPartyInline, ProjectInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parties")

    @admin.display(description=_("parties"))
    def party_names(self, obj):
        return ", ".join(party.name_en for party in obj.parties.all())


@admin.register(Project)
class ProjectAdmin(SourcedRecordAdmin):
    list_display = [
        "name_en",
        "name_zh",
        "kind",
        "status",
        "announced_on",
        "lead_organization",
        "district",
        "agreement",
        "publication_status",
        "sources_cited",
    ]
    # A project's progress is updated for many at once after each review.
    list_editable = ["status"]
    list_select_related = ["lead_organization", "district", "agreement"]
    list_filter = ["publication_status", "kind", "status", "district", "announced_on"]
    search_fields = [
        "name_en",
        "name_zh",
        "slug",
        "lead_organization__name_en",
        "lead_organization__name_zh",
    ]
    autocomplete_fields = [
        "lead_organization",
        "district",
        "agreement",
        "field",
        "sources",
    ]
    date_hierarchy = "announced_on"
    fieldsets = [
        NAMES,
        details(_("Details"), Project),
        SUMMARY,
        SOURCES,
        PUBLICATION,
    ]


@admin.register(Expert)
class ExpertAdmin(SourcedRecordAdmin):
    list_display = [
        "name_en",
        "name_zh",
        "title_en",
        "appointed_by",
        "appointed_on",
        "district",
        "status",
        "publication_status",
        "sources_cited",
    ]
    list_select_related = ["appointed_by", "district"]
    list_filter = ["publication_status", "status", "district", "appointed_on"]
    search_fields = [
        "name_en",
        "name_zh",
        "slug",
        "title_en",
        "title_zh",
        "appointed_by__name_en",
        "appointed_by__name_zh",
    ]
    autocomplete_fields = ["appointed_by", "district", "research_fields", "sources"]
    date_hierarchy = "appointed_on"
    fieldsets = [
        NAMES,
        details(_("Appointment"), Expert),
        STAFF_ONLY_CONTACT,
        SUMMARY,
        SOURCES,
        PUBLICATION,
    ]


@admin.register(Workstation)
class WorkstationAdmin(SourcedRecordAdmin):
    list_display = [
        "name_en",
        "name_zh",
        "host_organization",
        "district",
        "field",
        "established_on",
        "status",
        "publication_status",
        "sources_cited",
    ]
    list_select_related = ["host_organization", "district", "field"]
    list_filter = ["publication_status", "status", "district", "established_on"]
    search_fields = [
        "name_en",
        "name_zh",
        "slug",
        "host_organization__name_en",
        "host_organization__name_zh",
    ]
    autocomplete_fields = [
        "host_organization",
        "district",
        "field",
        "experts",
        "sources",
    ]
    date_hierarchy = "established_on"
    fieldsets = [
        NAMES,
        details(_("Details"), Workstation),
        SUMMARY,
        SOURCES,
        PUBLICATION,
    ]


@admin.register(Entrepreneur)
class EntrepreneurAdmin(SourcedRecordAdmin):
    list_display = [
        "name_en",
        "name_zh",
        "country_or_region_en",
        "venture_en",
        "host_organization",
        "district",
        "signed_on",
        "status",
        "publication_status",
        "sources_cited",
    ]
    list_select_related = ["host_organization", "district"]
    list_filter = ["publication_status", "status", "district", "signed_on"]
    search_fields = [
        "name_en",
        "name_zh",
        "slug",
        "venture_en",
        "venture_zh",
        "host_organization__name_en",
        "host_organization__name_zh",
    ]
    autocomplete_fields = [
        "host_organization",
        "district",
        "field",
        "project",
        "sources",
    ]
    date_hierarchy = "signed_on"
    fieldsets = [
        NAMES,
        details(_("Details"), Entrepreneur),
        STAFF_ONLY_CONTACT,
        SUMMARY,
        SOURCES,
        PUBLICATION,
    ]
