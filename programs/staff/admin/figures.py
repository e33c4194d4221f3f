"""Admin for the figures sources announce, beside the records on file."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ...models import AnnouncedFigure
from .base import PUBLICATION, RecordAdmin, fieldset
from .scoping import ParentScopedInline


class AnnouncedFigureInline(ParentScopedInline, admin.TabularInline):
    """The figures a source announces, editable beside it."""

    model = AnnouncedFigure
    fields = ["label_en", "slug", "subject", "qualifier", "value", "as_of", "date_rule"]
    prepopulated_fields = {"slug": ["label_en"]}
    extra = 0
    show_change_link = True


@admin.register(AnnouncedFigure)
class AnnouncedFigureAdmin(RecordAdmin):
    list_display = [
        "label_en",
        "label_zh",
        "subject",
        "announced",
        "on_record",
        "as_of",
        "date_rule",
        "district",
        "organization",
        "source",
        "publication_status",
    ]
    list_select_related = ["district", "organization", "source"]
    list_filter = ["publication_status", "subject", "district", "as_of"]
    search_fields = [
        "label_en",
        "label_zh",
        "slug",
        "source__title_en",
        "source__title_zh",
    ]
    autocomplete_fields = ["district", "organization", "agreement", "source"]
    date_hierarchy = "as_of"
    prepopulated_fields = {"slug": ["label_en"]}
    fieldsets = [
        fieldset(_("Labels"), "label_en", "label_zh", "slug"),
        fieldset(
            _("The figure"), "subject", ("qualifier", "value"), "as_of", "date_rule"
        ),
        fieldset(_("What it counts"), "district", "organization", "agreement"),
        fieldset(_("Source"), "source"),
        PUBLICATION,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_on_record()

    @admin.display(description=_("announced"), ordering="value")
    def announced(self, figure):
        if figure.qualifier == AnnouncedFigure.Qualifier.EXACTLY:
            return figure.value
        return f"{figure.get_qualifier_display()} {figure.value}"

    @admin.display(description=_("on record"), ordering="on_record")
    def on_record(self, figure):
        return figure.on_record
