"""What every record admin shares: publication actions, timestamps, sources."""

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ...kinds import kind_of
from .history import RecordHistoryAdmin
from .importing import RecordImportExportAdmin
from .locking import LockedEditAdmin
from .publishing import PublishingAdmin
from .scoping import DistrictScopedAdmin


class UnixNewlinesField(forms.CharField):
    """A text box's value with browsers' \\r\\n line ends written as \\n.

    Browsers submit textareas with \\r\\n; stored as sent, every save of an
    unchanged multi-line field would look like a change in its history and in
    the "their changes" of a refused save.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def fieldset(title, *fields):
    """Return a fieldset for ``ModelAdmin.fieldsets``: a titled group of fields."""
    return (title, {"fields": fields})


NAMES = fieldset(_("Names"), "name_en", "name_zh", "slug")
SUMMARY = fieldset(_("Summary"), "summary_en", "summary_zh")
SOURCES = fieldset(_("Sources"), "sources")
PUBLICATION = fieldset(
    _("Publication"),
    "publication_status",
    ("publication_changed_at", "publication_changed_by"),
    "is_demo",
    "created_at",
    "updated_at",
)
STAFF_ONLY_CONTACT = fieldset(
    _("Contact details (staff only, never published)"), "email", "phone"
)


class RecordAdmin(
    DistrictScopedAdmin,
    LockedEditAdmin,
    PublishingAdmin,
    RecordImportExportAdmin,
    RecordHistoryAdmin,
):
    """What every record admin shares.

    Each concern is a mixin in its own module: who may change what
    (scoping), refusing a save over someone else's (locking), moving records
    between draft, published and archived (publishing), spreadsheet import
    and export (importing), and the history of every change (history).
    """

    # is_demo is set by generate_demo only: an edited record stays what it was.
    readonly_fields = [
        "publication_changed_at",
        "publication_changed_by",
        "is_demo",
        "created_at",
        "updated_at",
    ]
    prepopulated_fields = {"slug": ["name_en"]}
    list_per_page = 50
    # Links are pasted without a scheme more often than not; most sites are https.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.TextField: {
            "form_class": UnixNewlinesField,
            "widget": widgets.AdminTextareaWidget,
        },
    }

    def get_view_on_site_url(self, obj=None):
        # Only the kinds of programs.kinds have public pages: research fields
        # and announced figures have none to view.
        if obj is not None and kind_of(obj) is None:
            return None
        return super().get_view_on_site_url(obj)

    def get_list_filter(self, request):
        # Every list can show or hide the records generate_demo invented.
        return [*super().get_list_filter(request), "is_demo"]


class SourcedRecordAdmin(RecordAdmin):
    """A record admin that edits the record's sources and counts them in the list."""

    autocomplete_fields = ["sources"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(source_count=Count("sources", distinct=True))
            # An aggregate drops Meta.ordering; autocomplete needs an order.
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description=_("sources"), ordering="source_count")
    def sources_cited(self, obj):
        return obj.source_count
