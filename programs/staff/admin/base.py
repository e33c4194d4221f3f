"""What every record admin shares: publication actions, timestamps, sources."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.utils import unquote
from django.db import models, router, transaction
from django.db.models import Count
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ...kinds import NAMES as KIND_NAMES
from ...kinds import SOURCED, kind_of
from ...site.preview import preview_url
from ..checks import refused_publication
from ..denied import what_role_allows
from ..slugs import slug_from_names, unique_slug
from .attention import NeedsAttentionFilter, warn_about
from .dates import IndexedDatesChangeList
from .history import RecordHistoryAdmin
from .importing import RecordImportExportAdmin
from .locking import LockedEditAdmin, versioned_changelist_formset, versioned_form
from .publishing import PublishingAdmin
from .scoping import DistrictScopedAdmin
from .search import indexed_search
from .widgets import RowSelect


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


def details(title, model):
    """Return a fieldset of what a kind of record holds beyond its names,
    summary and sources: its public columns (``programs.kinds``), in order.

    An English and a Chinese short text stand side by side; long texts stand
    one under the other.
    """
    shown = [
        name
        for name in kind_of(model).direct_columns
        if name not in (*KIND_NAMES, *SOURCED)
    ]
    fields = []
    for name in shown:
        if (
            name.endswith("_zh")
            and fields
            and fields[-1] == f"{name[:-3]}_en"
            and model._meta.get_field(name).get_internal_type() != "TextField"
        ):
            fields[-1] = (fields[-1], name)
        else:
            fields.append(name)
    return fieldset(title, *fields)


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
# What saving a record fills in: nothing to show on a form that adds one.
STAMPED_ON_SAVE = (
    "publication_changed_at",
    "publication_changed_by",
    "created_at",
    "updated_at",
)


def without_fields(fieldsets, names):
    """Return ``fieldsets`` less the fields ``names``, side-by-side ones too."""
    trimmed = []
    for title, options in fieldsets:
        fields = []
        for entry in options["fields"]:
            if isinstance(entry, (list, tuple)):
                entry = tuple(name for name in entry if name not in names)
                if entry:
                    fields.append(entry if len(entry) > 1 else entry[0])
            elif entry not in names:
                fields.append(entry)
        trimmed.append((title, {**options, "fields": fields}))
    return trimmed


STAFF_ONLY_CONTACT = fieldset(
    _("Contact details (staff only, never published)"), "email", "phone"
)


class RecordForm(forms.ModelForm):
    """A record's admin form: on adding, a slug from its name that is free.

    The admin's script fills the slug in from the English name as staff
    type; that slug, or a blank one, is made unique here (``staff/slugs.py``).
    A slug staff typed themselves is kept as typed, and refused if taken.
    """

    # The name each kind of record has, English first.
    NAME_FIELDS = (
        ("name_en", "name_zh"),
        ("title_en", "title_zh"),
        ("label_en", "label_zh"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields and self.instance._state.adding:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "Its address on the site. Left as it is, it is made from the "
                "name, with -2, -3… if another record has it already."
            )

    def _post_clean(self):
        super()._post_clean()
        # The instance now holds the form's values; its sources are the
        # form's, which are saved only after it.
        stored = (
            None
            if self.instance._state.adding
            else self.initial.get("publication_status")
        )
        problem = refused_publication(
            self.instance, stored, self.cleaned_data.get("sources")
        )
        if problem is not None:
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.message)

    def clean(self):
        cleaned_data = super().clean()
        if "slug" not in self.fields or not self.instance._state.adding:
            return cleaned_data
        english, chinese = next(
            (
                (cleaned_data.get(en), cleaned_data.get(zh))
                for en, zh in self.NAME_FIELDS
                if en in self.fields
            ),
            ("", ""),
        )
        typed = cleaned_data.get("slug") or ""
        from_names = slug_from_names(english, chinese)
        if typed and typed != from_names:
            return cleaned_data
        if from_names:
            cleaned_data["slug"] = unique_slug(self._meta.model, from_names)
        elif "slug" not in self.errors:
            self.add_error("slug", _("The name gives no slug: type one."))
        return cleaned_data


class RecordAdminDefaults(admin.ModelAdmin):
    """What one concern of RecordAdmin asks of another, when that one is absent.

    Last in RecordAdmin's bases, so that the concern's own method wins.
    """

    def scoped_for_change(self, request, queryset):
        """Return the records of ``queryset`` the user may change: all of them.

        DistrictScopedAdmin narrows this for district editors.
        """
        return queryset

    def scoped_search_results(self, request, queryset):
        """Return the search results ``queryset`` as they are.

        DistrictScopedAdmin narrows the district picker of district editors.
        """
        return queryset


class RecordAdmin(
    DistrictScopedAdmin,
    LockedEditAdmin,
    PublishingAdmin,
    RecordImportExportAdmin,
    RecordHistoryAdmin,
    RecordAdminDefaults,
):
    """What every record admin shares.

    Each concern is a mixin in its own module: who may change what
    (scoping), refusing a save over someone else's (locking), moving records
    between draft, published and archived (publishing), spreadsheet import
    and export (importing), and the history of every change (history).

    Why this order: the concerns are plain mixins, and each must come before
    RecordHistoryAdmin, the one that derives from Django's ModelAdmin
    (through simple-history's): placed after it, Django's own methods would
    shadow theirs. RecordAdminDefaults comes last so that a concern's own
    method overrides the default it stands in for. A hook that two concerns
    both need (saving, the change form, the list's formset, reverting) is
    overridden here, once, and calls each concern's part by name in the
    order it must run; every other hook belongs to one concern alone.
    ``tests/test_admin_composition.py`` pins all of this.
    """

    # is_demo is set by generate_demo only: an edited record stays what it was.
    readonly_fields = [
        "publication_changed_at",
        "publication_changed_by",
        "is_demo",
        "created_at",
        "updated_at",
    ]
    form = RecordForm
    prepopulated_fields = {"slug": ["name_en"]}
    list_per_page = 50
    # A filtered list says how many rows match, not also how many there are
    # in all: that would be a second COUNT of the whole table.
    show_full_result_count = False
    # Links are pasted without a scheme more often than not; most sites are https.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.TextField: {
            "form_class": UnixNewlinesField,
            "widget": widgets.AdminTextareaWidget,
        },
    }

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # A record not yet saved has no timestamps or stamps to show;
            # shown, the database default reads as a Python object.
            return without_fields(fieldsets, STAMPED_ON_SAVE)
        return self.fieldsets_with_version(request, obj, fieldsets)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return super().get_form(request, obj, change, **kwargs)
        kwargs = self.form_fields_without_version(request, obj, kwargs)
        form = super().get_form(request, obj, change, **kwargs)
        # The version check goes outermost: a revert is checked like an edit.
        return versioned_form(self.revert_form(form, obj))

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        # Rows of other districts are made read-only on top of the version
        # check, so a refused row is never also reported as stale.
        return self.scoped_changelist_formset(
            request, versioned_changelist_formset(formset)
        )

    def save_model(self, request, obj, form, change):
        self.refuse_unscoped_save(request, obj, change)
        self.note_publication_change(request, obj)
        super().save_model(request, obj, form, change)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting saves like the change form does, so it checks alike: in
        # one transaction, where the version check locks the row.
        if not str(version_id).isdigit():
            # simple-history routes any text here and would fail on it.
            raise Http404(_("No such version."))
        with transaction.atomic(using=router.db_for_write(self.model)):
            self.refuse_unallowed_revert(request, object_id)
            return super().history_form_view(
                request, object_id, version_id, extra_context
            )

    def action_checkbox(self, obj):
        # The HTML Django's CheckboxInput renders, written directly: through
        # the form renderer's templates it was a fifth of a list's time.
        # tests/test_admin_queries.py compares the two.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select"'
            ' aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    def get_changelist(self, request, **kwargs):
        return RecordChangeList

    def get_changelist_form(self, request, **kwargs):
        # Each row's choices written without templates (widgets.py), and
        # checked against the row's version as every record form is.
        rows_select = {
            name: RowSelect
            for name in self.list_editable
            if self.model._meta.get_field(name).choices
        }
        kwargs["widgets"] = {**rows_select, **kwargs.get("widgets", {})}
        form = super().get_changelist_form(request, **kwargs)
        return versioned_form(form, check_unchanged=False)

    def get_search_results(self, request, queryset, search_term):
        # Searched a table at a time, through its indexes (admin/search.py),
        # unless a search field is beyond what that writes.
        found = None
        if search_term:
            found = indexed_search(
                self.model, self.get_search_fields(request), queryset, search_term
            )
        if found is None:
            found, may_have_duplicates = super().get_search_results(
                request, queryset, search_term
            )
        else:
            may_have_duplicates = False
        return self.scoped_search_results(request, found), may_have_duplicates

    def get_view_on_site_url(self, obj=None):
        # Only the kinds of programs.kinds have public pages: research fields
        # and announced figures have none to view.
        if obj is not None and kind_of(obj) is None:
            return None
        # A draft or archived record has no public page yet: staff see how it
        # will look, under a banner that says it is not public.
        if obj is not None and not obj.is_public:
            return preview_url(obj)
        return super().get_view_on_site_url(obj)

    def get_list_filter(self, request):
        # Every list filters by publication status, first, finds what the
        # editorial checks flag, and can show or hide the records
        # generate_demo invented.
        list_filter = list(super().get_list_filter(request))
        if "publication_status" not in list_filter:
            list_filter.insert(0, "publication_status")
        return [*list_filter, NeedsAttentionFilter, "is_demo"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            record = self.get_object(request, unquote(object_id))
            if record is not None and not self.has_change_permission(request, record):
                # Django would open it as "View ..." and say nothing of why.
                self.message_user(
                    request,
                    _("You can see this record but not change it.")
                    + " "
                    + what_role_allows(request.user),
                    messages.WARNING,
                )
            elif record is not None:
                warn_about(request, record)
        return super().change_view(request, object_id, form_url, extra_context)


class RecordChangeList(IndexedDatesChangeList):
    """A changelist that sorts the records' keys, then reads its page by key.

    Sorted by a related record's name (a district, a host), a changelist
    cannot use an index: PostgreSQL sorts every matching row, and sorted
    them whole, with the related records' columns the page reads. Sorting
    only the keys and reading the page's rows by them, in one query, took
    the 100,000 entrepreneurs by district from 107 to 34 ms.
    """

    def get_results(self, request):
        super().get_results(request)
        if self.result_list.query.is_sliced:  # a page, not every row
            keys = self.result_list.values("pk")
            # By key alone: the keys were found under the filters and the
            # search, which need not run again (a search of 10,000 projects
            # scans every one of them each time it runs).
            rows = self.root_queryset.filter(pk__in=keys)
            if not rows.query.select_related:
                rows = self.apply_select_related(rows)
            self.result_list = rows.order_by(*self.queryset.query.order_by)


class SourcesCountedChangeList(RecordChangeList):
    """A changelist that counts the sources of the rows it shows, in one query.

    After the page is taken, not in it: as a correlated subquery in the
    page's query, PostgreSQL counted the sources of every row it sorted, not
    only the 50 it kept, whenever the order was not an index's (190 of a
    sort by district's 205 ms at 100,000 experts).
    """

    def get_results(self, request):
        super().get_results(request)
        records = list(self.result_list)  # evaluated once, and kept by it
        field = self.model.sources.field
        counts = dict(
            field.remote_field.through._default_manager.filter(
                **{f"{field.m2m_field_name()}__in": [record.pk for record in records]}
            )
            .values_list(field.m2m_field_name())
            .annotate(n=Count("*"))
            .order_by()
            if records
            else ()
        )
        # On the records the page's queryset holds, which the rows (and the
        # forms of list_editable) are made of.
        for record in records:
            record.source_count = counts.get(record.pk, 0)


class SourcedRecordAdmin(RecordAdmin):
    """A record admin that edits the record's sources and counts them in the list."""

    autocomplete_fields = ["sources"]

    def get_changelist(self, request, **kwargs):
        return SourcesCountedChangeList

    # Not sortable: ordering by it would count the sources of every row.
    @admin.display(description=_("sources"))
    def sources_cited(self, obj):
        return obj.source_count
