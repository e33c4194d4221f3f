"""
Spreadsheet rows for every kind of record: what the admin imports and exports.

One ``ModelResource`` per model. Rows are matched by slug, the natural key, so
importing a file again updates the records it names instead of duplicating
them, and related records are named by slug too, never by database id. Every
row is validated as the admin's form would (``full_clean``), a row that
changes nothing is reported as unchanged and left alone (no save, so no new
history entry and no new ``updated_at``), and each error names its column.

Columns are the model's field names, so an export can be edited and imported
back. What the admin does not let staff edit (``version``, the publication
stamps, ``is_demo``, the timestamps) is neither exported nor imported.
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field
from import_export.results import RowResult

from ..kinds import BY_MODEL, KINDS
from ..models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    District,
    ResearchField,
    set_publication_status,
)
from ..spreadsheets import unguarded
from .checks import refused_publication
from .permissions import district_of, may_add_in, may_change
from .uploads import refuse_too_many_rows

SLUG_SEPARATOR = ";"
NAMES = ("name_en", "name_zh")


class SlugWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related record's slug."""

    def __init__(self, model, **kwargs):
        super().__init__(model, field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = value.strip() if isinstance(value, str) else value
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(no_such_slug(self.model, value)) from None


class SlugsWidget(widgets.ManyToManyWidget):
    """Many related records written as their slugs, separated by semicolons.

    Unlike the library's widget, a slug that names nothing is an error rather
    than silently dropped.
    """

    def __init__(self, model, **kwargs):
        super().__init__(model, separator=SLUG_SEPARATOR, field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        slugs = [slug.strip() for slug in str(value or "").split(self.separator)]
        slugs = [slug for slug in slugs if slug]
        found = self.model.objects.filter(slug__in=slugs)
        missing = sorted(set(slugs) - {record.slug for record in found})
        if missing:
            raise ValueError(no_such_slug(self.model, ", ".join(missing)))
        return found


class DateWidget(widgets.DateWidget):
    """A date, with an error that says how to write one."""

    def clean(self, value, row=None, **kwargs):
        try:
            cleaned = super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date: write it as YYYY-MM-DD.")
                % {"value": value}
            ) from None
        # A spreadsheet's date cell reads as a datetime at midnight.
        return cleaned.date() if isinstance(cleaned, datetime.datetime) else cleaned


def columns_of(model):
    """Return the import and export columns of a kind of record, in order.

    The slug that rows are matched by, the columns a record holds of its
    kind's public ones (``programs.kinds``), the fields only staff see, and
    the publication status.
    """
    public = BY_MODEL[model].direct_columns
    return ["slug", *public, *model.STAFF_ONLY_FIELDS, "publication_status"]


def no_such_slug(model, slug):
    return _("No %(kind)s has the slug “%(slug)s”.") % {
        "kind": model._meta.verbose_name,
        "slug": slug,
    }


def record_district(record):
    """Return the District ``record`` belongs to, or None."""
    if isinstance(record, District):
        return record
    if isinstance(record, AgreementParty):
        return record.agreement.district if record.agreement_id else None
    return getattr(record, "district", None)


def refuse_outside_districts(user, record, column):
    """Raise a row error if ``user`` may not write ``record``.

    District editors may change only the records of their districts, may add
    records only there and may not move a record into another district
    (``programs.staff.permissions``). A party to an agreement is the agreement's.
    """
    if user is None:  # an import run from code, not by someone in the admin
        return
    if isinstance(record, AgreementParty):
        allowed = record.agreement_id is None or may_change(user, record.agreement)
    elif record.pk is None:
        allowed = may_add_in(user, district_of(record), type(record))
    else:
        allowed = may_change(user, record)
    if allowed:
        return
    district = record_district(record)
    if district is None:
        message = _("You may not change this record: it is not in your districts.")
    else:
        message = _("District %(district)s is not one of yours.") % {
            "district": district.slug
        }
    raise ValidationError({column or NON_FIELD_ERRORS: message})


class RecordResource(resources.ModelResource):
    """Rows of one kind of record, matched by slug, related records by slug."""

    # Text fields get the same blank-not-None handling as CharFields, so that
    # an empty spreadsheet cell reads as "" (and an unchanged row as unchanged).
    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "TextField": widgets.CharWidget,
        "DateField": DateWidget,
    }

    def district_column(self):
        """Return the column naming a row's district, or None if it has none.

        A district editor's rows outside their districts are refused there.
        """
        model = self._meta.model
        if model is District:
            return "slug"
        return "district" if hasattr(model, "district") else None

    class Meta:
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        # Bulk writes would skip the signals that record history and
        # invalidate cached public pages.
        use_bulk = False

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        if isinstance(django_field, models.ForeignKey):
            widget = SlugWidget(django_field.related_model)
        elif isinstance(django_field, models.ManyToManyField):
            widget = SlugsWidget(django_field.related_model)
        else:
            return super().field_from_django_field(field_name, django_field, readonly)
        return Field(
            attribute=field_name,
            column_name=field_name,
            widget=widget,
            readonly=readonly,
        )

    @classmethod
    def rows_for_export(cls, admin_queryset):
        """Return what to export, given the admin changelist's queryset."""
        return admin_queryset

    def filter_export(self, queryset, **kwargs):
        # One query per related table, not one per row and column.
        related = [
            field.attribute
            for field in self.get_export_fields()
            if isinstance(field.widget, SlugWidget)
        ]
        many = [
            field.attribute
            for field in self.get_export_fields()
            if isinstance(field.widget, SlugsWidget)
        ]
        return queryset.select_related(*related).prefetch_related(*many)

    @classmethod
    def get_display_name(cls):
        return capfirst(cls._meta.model._meta.verbose_name_plural)

    @classmethod
    def column_label(cls, field_name):
        """Return what the export form calls a column: "Name (English)".

        The model field's verbose name, as the admin's forms say it. Only the
        boxes to tick read so: the files' headers stay field names
        (``name_en``), so that an export imports back.
        """
        field = cls.fields.get(field_name)
        attribute = field.attribute if field and field.attribute else field_name
        try:
            model_field = cls._meta.model._meta.get_field(attribute)
        except FieldDoesNotExist:
            model_field = None
        label = getattr(model_field, "verbose_name", None)
        return capfirst(label if label else field_name.replace("_", " "))

    def before_import(self, dataset, **kwargs):
        refuse_too_many_rows(dataset)
        # Who imports: skip_row(), which applies district scoping, is not told.
        self.user = kwargs.get("user")
        # A misspelt column would otherwise be ignored, its values lost unseen.
        known = {field.column_name for field in self.get_import_fields()}
        unknown = [h for h in dataset.headers if h not in known and h not in ("", None)]
        if unknown:
            raise ValueError(
                _("Unknown columns: %(unknown)s. The columns are: %(known)s.")
                % {
                    "unknown": ", ".join(map(str, unknown)),
                    "known": ", ".join(self.get_diff_headers()),
                }
            )

    def before_import_row(self, row, **kwargs):
        # An exported cell that started like a formula was marked as text
        # (programs.spreadsheets): read back what was exported.
        for column, value in row.items():
            if isinstance(value, str):
                row[column] = unguarded(value)
        # An unknown slug in a key column is an error naming the column (the
        # instance loader would otherwise fail with a bare DoesNotExist).
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            _clean_into(errors, field.column_name, field, row)
        if errors:
            raise ValidationError(errors)

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._publication_status_on_file = (
            None if new else getattr(instance, "publication_status", None)
        )

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Related records named in many-to-many columns are checked here, with
        # the other columns, rather than failing later when they are saved.
        for field in self.get_import_fields():
            if isinstance(field.widget, SlugsWidget) and field.column_name in row:
                _clean_into(errors, field.attribute, field, row)
        if not errors and hasattr(instance, "publication_status"):
            sources = None
            if "sources" in self.fields and "sources" in row:
                sources = self.fields["sources"].clean(row)
            problem = refused_publication(
                instance, instance._publication_status_on_file, sources
            )
            if problem is not None:
                errors[problem.field] = [problem.message]
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if super().skip_row(instance, original, row, import_validation_errors):
            return True
        # Only rows that would write are scoped: a district editor may import
        # a whole export back, other districts' rows unchanged.
        if not import_validation_errors:
            user = getattr(self, "user", None)
            if original is not None and original.pk is not None:
                refuse_outside_districts(user, original, self.district_column())
            refuse_outside_districts(user, instance, self.district_column())
        return False

    def before_save_instance(self, instance, row, **kwargs):
        # Who moved the record to its publication status, and when, as the
        # admin's form records it: a new record counts unless it is a draft.
        # (The edit version is raised by programs.staff.versions on every save.)
        status = getattr(instance, "publication_status", None)
        if status is not None:
            set_publication_status(
                instance,
                status,
                kwargs.get("user"),
                stored=instance._publication_status_on_file,
            )

    def get_diff_class(self):
        resource = self

        class Diff(super().get_diff_class()):
            """Remembers its last comparison, to say which columns changed."""

            def compare_with(self, resource_, instance):
                super().compare_with(resource_, instance)
                resource._last_diff = self

        return Diff

    def after_import_row(self, row, row_result, **kwargs):
        # The preview numbers rows as the spreadsheet does and names changes.
        row_result.row_number = kwargs.get("row_number")
        row_result.changed_columns = []
        diff = getattr(self, "_last_diff", None)
        if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE and diff:
            row_result.changed_columns = [
                header
                for header, before, after in zip(
                    self.get_diff_headers(), diff.left, diff.right, strict=True
                )
                if before != after
            ]
        self._last_diff = None


class ResearchFieldResource(RecordResource):
    class Meta:
        model = ResearchField
        fields = ["slug", *NAMES, "publication_status"]


class AgreementPartyResource(RecordResource):
    """Who signed or witnessed which agreement: one row per party.

    Offered beside agreements in their admin: an export lists the parties of
    the agreements the changelist shows.
    """

    class Meta:
        model = AgreementParty
        fields = ["agreement", "organization", "role"]
        import_id_fields = ["agreement", "organization"]

    def district_column(self):
        return "agreement"

    @classmethod
    def rows_for_export(cls, admin_queryset):
        return AgreementParty.objects.filter(
            agreement__in=admin_queryset.order_by().values("pk")
        ).order_by("agreement__slug", "role", "organization__slug")


class AnnouncedFigureResource(RecordResource):
    class Meta:
        model = AnnouncedFigure
        fields = [
            "slug",
            "label_en",
            "label_zh",
            "subject",
            "qualifier",
            "value",
            "as_of",
            "date_rule",
            "district",
            "organization",
            "agreement",
            "source",
            "publication_status",
        ]


def _clean_into(errors, key, field, row):
    """Read ``field`` from ``row``; if it cannot be, add why to ``errors[key]``."""
    try:
        field.clean(row)
    except ValueError as error:
        errors[key] = [str(error)]


def kind_resource(kind):
    """Return the resource of a kind of record (``programs.kinds``).

    Its columns are ``columns_of()`` the kind; everything else is
    RecordResource's.
    """
    return resources.modelresource_factory(
        kind.model,
        resource_class=RecordResource,
        meta_options={"fields": columns_of(kind.model)},
    )


# The resources each model's admin offers, the model's own first.
RESOURCES = {
    **{kind.model: [kind_resource(kind)] for kind in KINDS},
    ResearchField: [ResearchFieldResource],
    AnnouncedFigure: [AnnouncedFigureResource],
}
RESOURCES[Agreement].append(AgreementPartyResource)
