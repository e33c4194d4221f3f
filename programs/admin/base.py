"""What every record admin shares: publication actions, timestamps, sources."""

from django.contrib import admin
from django.contrib.admin.utils import model_ngettext
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..cache import bump_content_version
from ..models import PublicationStatus


def fieldset(title, *fields):
    """Return a fieldset for ``ModelAdmin.fieldsets``: a titled group of fields."""
    return (title, {"fields": fields})


NAMES = fieldset(_("Names"), "name_en", "name_zh", "slug")
SUMMARY = fieldset(_("Summary"), "summary_en", "summary_zh")
SOURCES = fieldset(_("Sources"), "sources")
PUBLICATION = fieldset(
    _("Publication"), "publication_status", "is_demo", "created_at", "updated_at"
)
STAFF_ONLY_CONTACT = fieldset(
    _("Contact details (staff only, never published)"), "email", "phone"
)


class RecordAdmin(admin.ModelAdmin):
    """Publication actions, timestamps and slugs shared by every record admin."""

    actions = ["publish", "unpublish"]
    # is_demo is set by generate_demo only: an edited record stays what it was.
    readonly_fields = ["is_demo", "created_at", "updated_at"]
    prepopulated_fields = {"slug": ["name_en"]}
    list_per_page = 50
    # Links are pasted without a scheme more often than not; most sites are https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_list_filter(self, request):
        # Every list can show or hide the records generate_demo invented.
        return [*super().get_list_filter(request), "is_demo"]

    @admin.action(description=_("Publish selected"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_publication_status(request, queryset, PublicationStatus.PUBLISHED)

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_publication_status(request, queryset, PublicationStatus.DRAFT)

    def _set_publication_status(self, request, queryset, status):
        # update() skips auto_now, so the timestamp is set here.
        changed = queryset.exclude(publication_status=status).update(
            publication_status=status, updated_at=timezone.now()
        )
        if changed:  # update() sends no signal: invalidate cached pages by hand
            bump_content_version(queryset.db)
        self.message_user(
            request,
            _("%(count)d %(items)s set to “%(status)s”.")
            % {
                "count": changed,
                "items": model_ngettext(self.opts, changed),
                "status": status.label,
            },
        )


class SourcedRecordAdmin(RecordAdmin):
    """A record admin that edits the record's sources and counts them in the list."""

    autocomplete_fields = ["sources"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(source_count=Count("sources", distinct=True))
        )

    @admin.display(description=_("sources"), ordering="source_count")
    def sources_cited(self, obj):
        return obj.source_count
