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

A file is read and written in bulk (``programs.staff.bulk_import``): before
its first row, the records it names and matches are read a table at a time,
and the rows are checked against them in memory; its valid rows are then
written a batch at a time, each record with the history version, edit
version and sort keys its save would have given it, and the content version
is bumped once, at the end. So a file names each record once (a second row
for it is an error), and the preview, which checks every row as the import
does, writes nothing.
"""

import copy
import datetime

from diff_match_patch import diff_match_patch
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.encoding import force_str
from django.utils.safestring import mark_safe
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
from ..site.cache import bump_content_version
from ..spreadsheets import unguarded
from .bulk_import import (
    FileInstanceLoader,
    FileLookups,
    create_records,
    has_check_constraints,
    repeated_keys,
    rows_on_file,
    slug_text,
    unique_besides,
    update_records,
)
from .checks import refused_publication
from .permissions import district_of, may_add_in, may_change
from .uploads import refuse_too_many_rows

SLUG_SEPARATOR = ";"
# It holds only its settings: one serves every import.
DIFF = diff_match_patch()
NAMES = ("name_en", "name_zh")


class SlugWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related record's slug.

    ``known`` holds the records the file names, {slug: record or None}, once
    ``bulk_import.FileLookups`` has read them: a slug is then found without
    a query.
    """

    def __init__(self, model, **kwargs):
        super().__init__(model, field="slug", **kwargs)
        self.known = None

    def slugs_in(self, rows, column):
        """Return the slugs the ``column`` of ``rows`` names."""
        return {slug_text(row[column]) for row in rows} - {None}

    def clean(self, value, row=None, **kwargs):
        slug = slug_text(value)
        if slug is not None and self.known is not None and slug in self.known:
            if self.known[slug] is None:
                raise ValueError(no_such_slug(self.model, slug))
            return self.known[slug]
        value = value.strip() if isinstance(value, str) else value
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(no_such_slug(self.model, value)) from None


class SlugsWidget(widgets.ManyToManyWidget):
    """Many related records written as their slugs, separated by semicolons.

    Unlike the library's widget, a slug that names nothing is an error rather
    than silently dropped. Reads as a list of records, each once; like
    SlugWidget, from ``known`` when the file's slugs were read in bulk.
    """

    def __init__(self, model, **kwargs):
        super().__init__(model, separator=SLUG_SEPARATOR, field="slug", **kwargs)
        self.known = None

    def split(self, value):
        slugs = [slug.strip() for slug in str(value or "").split(self.separator)]
        return list(dict.fromkeys(slug for slug in slugs if slug))

    def slugs_in(self, rows, column):
        """Return the slugs the ``column`` of ``rows`` names."""
        return {slug for row in rows for slug in self.split(row[column])}

    def clean(self, value, row=None, **kwargs):
        slugs = self.split(value)
        known = self.known or {}
        if not all(slug in known for slug in slugs):
            known = {slug: None for slug in slugs}
            known.update(
                (record.slug, record)
                for record in self.model.objects.filter(slug__in=slugs)
            )
        missing = [slug for slug in slugs if known[slug] is None]
        if missing:
            raise ValueError(no_such_slug(self.model, ", ".join(sorted(missing))))
        return [known[slug] for slug in slugs]


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
        # Rows are read against what the file names, loaded before the first
        # (before_import), and written a batch at a time, with what the
        # signals that bulk writes skip would have done (bulk_import).
        use_bulk = True
        batch_size = 1000
        instance_loader_class = FileInstanceLoader
        # The library compares each row's record with a deep copy of it, made
        # for the purpose; a shallow one does (after_init_instance), at a
        # fifth of the cost, and the preview's cells are then written here.
        skip_diff = True

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

    # Reading the file in bulk ---------------------------------------------

    def get_import_fields(self):
        # The same for the resource's whole life, and asked for several times
        # a row: worked out once.
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def key_fields(self):
        """Return the model fields rows are matched to records by."""
        return [self.fields[name].attribute for name in self.get_import_id_fields()]

    def row_key(self, row):
        """Return the key ``row`` names its record by, or None if it names none.

        As the library's loader matches it: each key column read by its
        widget, a related record by its primary key, other values as text.
        """
        key = []
        for name in self.get_import_id_fields():
            field = self.fields[name]
            if field.column_name not in row:
                return None
            try:
                value = field.clean(row)
            except (ValueError, ValidationError):
                return None
            if value is None or value == "":
                return None
            key.append(value.pk if isinstance(value, models.Model) else str(value))
        return tuple(key)

    def record_key(self, record):
        """Return the key of a record on file, as ``row_key()`` reads a row's."""
        opts = self._meta.model._meta
        return tuple(
            getattr(record, opts.get_field(name).attname)
            if opts.get_field(name).is_relation
            else str(getattr(record, name))
            for name in self.key_fields()
        )

    def foreign_key_attributes(self):
        return {
            field.attribute
            for field in self.get_import_fields()
            if isinstance(field.widget, SlugWidget)
        }

    def many_to_many_attributes(self):
        return {
            field.attribute
            for field in self.get_import_fields()
            if isinstance(field.widget, SlugsWidget)
        }

    def linked(self, field, record):
        """Return [(pk, slug)] of the records ``record`` links to in ``field``.

        From what the file's lookups read (none for a new record); without
        them, one query.
        """
        if record.pk is None:
            return []
        lookups = getattr(self, "lookups", None)
        if lookups is not None and field.attribute in lookups.links:
            return lookups.links[field.attribute].get(record.pk, [])
        return [(other.pk, other.slug) for other in field.get_value(record).all()]

    def before_import(self, dataset, **kwargs):
        refuse_too_many_rows(dataset)
        # Who imports: skip_row(), which applies district scoping, is not told.
        self.user = kwargs.get("user")
        self.wrote = False
        # First, so that even a file refused below is read fast.
        self.lookups = FileLookups(self, rows_on_file(dataset))
        self.repeated = repeated_keys(self.lookups.keys)
        self.update_fields = self.fields_to_update(dataset.headers)
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
        # Its rows are written together, so a file names each record once.
        first = getattr(self, "repeated", {}).get(kwargs.get("row_number"))
        if first is not None:
            names = self.get_import_id_fields()
            column = self.fields[names[0]].column_name if len(names) == 1 else None
            raise ValidationError(
                {
                    column or NON_FIELD_ERRORS: _(
                        "Row %(row)s names this record too: a file names each "
                        "record once."
                    )
                    % {"row": first + 1}
                }
            )

    def init_instance(self, row=None):
        instance = super().init_instance(row)
        # A timestamp is stamped when the record is written (auto_now); until
        # then, None rather than its database default, an expression that the
        # library would deep-copy with the record for the preview.
        for field in instance._meta.concrete_fields:
            stamped = getattr(field, "auto_now", False)
            if stamped or getattr(field, "auto_now_add", False):
                setattr(instance, field.attname, None)
        return instance

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._publication_status_on_file = (
            None if new else getattr(instance, "publication_status", None)
        )
        # The record as it was, to compare the row with. A shallow copy is
        # enough: importing a row sets attributes, it changes no value in place.
        self.row_record, self.row_original = instance, copy.copy(instance)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Related records named in many-to-many columns are checked here, with
        # the other columns, and kept for the batch's writes (bulk_import).
        instance._links_on_file = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, SlugsWidget) and field.column_name in row:
                try:
                    instance._links_on_file[field.attribute] = field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        if not errors and hasattr(instance, "publication_status"):
            sources = instance._links_on_file.get("sources")
            problem = refused_publication(
                instance, instance._publication_status_on_file, sources
            )
            if problem is not None:
                errors[problem.field] = [problem.message]
        if errors:
            raise ValidationError(errors)

    def unchanged(self, instance, original, row):
        """Return True if importing ``row`` would change nothing.

        As the library compares, links by what the file's lookups read.
        """
        opts = self._meta.model._meta
        for field in self.get_import_fields():
            if isinstance(field.widget, SlugsWidget):
                if field.column_name not in row:
                    continue
                wanted = {
                    other.pk for other in instance._links_on_file[field.attribute]
                }
                if wanted != {pk for pk, _slug in self.linked(field, original)}:
                    return False
            elif isinstance(field.widget, SlugWidget):
                # By primary key: the original's related record is not loaded.
                attname = opts.get_field(field.attribute).attname
                if getattr(instance, attname) != getattr(original, attname):
                    return False
            elif field.get_value(instance) != field.get_value(original):
                return False
        return True

    def skip_row(self, instance, original, row, import_validation_errors=None):
        original = self.row_original
        if (
            self._meta.skip_unchanged
            and not import_validation_errors
            and self.unchanged(instance, original, row)
        ):
            return True
        # Only rows that would write are scoped: a district editor may import
        # a whole export back, other districts' rows unchanged.
        if not import_validation_errors:
            user = getattr(self, "user", None)
            if original is not None and original.pk is not None:
                refuse_outside_districts(user, original, self.district_column())
            refuse_outside_districts(user, instance, self.district_column())
        return False

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        """Check ``instance`` as the library does, without its queries per row.

        Its related records were found by slug, so they exist (a foreign key's
        check would look each up again). Its key matched the record it is or
        none, and no other row of the file names it (``before_import_row``),
        so it is unique; a model with other unique fields or constraints
        still has them checked, row by row, and so has one with check
        constraints.
        """
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            model = type(instance)
            found = [
                field.name
                for field in model._meta.concrete_fields
                if field.many_to_one and getattr(instance, field.attname) is not None
            ]
            try:
                instance.full_clean(
                    exclude=[*errors, *found],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            try:
                if unique_besides(model, self.key_fields()):
                    instance.validate_unique(exclude=set(errors))
                if has_check_constraints(model):
                    instance.validate_constraints(exclude=set(errors))
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

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

    # Writing in bulk --------------------------------------------------------

    def fields_to_update(self, headers):
        """Return the model fields a file with these ``headers`` changes."""
        names = {
            field.attribute
            for field in self.get_import_fields()
            if field.column_name in headers
            and not field.readonly
            and field.attribute not in self.many_to_many_attributes()
            and field.attribute not in self.key_fields()
        }
        if hasattr(self._meta.model, "publication_status"):
            names |= {"publication_changed_at", "publication_changed_by"}
        return names

    def bulk_create(
        self, using_transactions, dry_run, raise_errors, batch_size=None, result=None
    ):
        def write(records):
            create_records(self._meta.model, records, self.user)

        self.write_batch(self.create_instances, write, dry_run, using_transactions)
        self.report_write_error(result, raise_errors)

    def bulk_update(
        self, using_transactions, dry_run, raise_errors, batch_size=None, result=None
    ):
        def write(records):
            update_records(
                self._meta.model,
                records,
                self.update_fields,
                self.user,
                self.lookups.links,
            )

        self.write_batch(self.update_instances, write, dry_run, using_transactions)
        self.report_write_error(result, raise_errors)

    def write_batch(self, records, write, dry_run, using_transactions):
        """Write a batch of rows' records, in a savepoint; remember any error.

        The preview (``dry_run``) writes nothing. It used to write each row and
        roll the lot back, which checked again what ``validate_instance`` has
        checked: the rules the database holds (required fields, lengths,
        choices, unique slugs, related records that exist, constraints).
        """
        self.write_error = None
        if not records or dry_run:
            records.clear()
            return
        try:
            with transaction.atomic(using=self.get_db_connection_name()):
                write(list(records))
            self.wrote = True
        except Exception as error:
            self.write_error = error
        finally:
            records.clear()

    def report_write_error(self, result, raise_errors):
        if self.write_error is not None:
            self.handle_import_error(result, self.write_error, raise_errors)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # Once for the whole file: the saves' signals would have, row by row.
        if getattr(self, "wrote", False):
            bump_content_version(self.get_db_connection_name())

    def diff_values(self, instance):
        """Return the preview's cells of ``instance``: the file's columns.

        Links come from what the file's lookups read or the row names, in
        the order of their slugs.
        """
        values = []
        lookups = getattr(self, "lookups", None)
        for field in self.get_import_fields():
            if instance is None:
                values.append("")
            elif isinstance(field.widget, SlugWidget) and lookups is not None:
                values.append(self.related_slug(field, instance))
            elif isinstance(field.widget, SlugsWidget):
                values.append(self.linked_slugs(field, instance))
            else:
                values.append(field.export(instance))
        return values

    def related_slug(self, field, instance):
        """Return the slug of ``instance``'s record in foreign key ``field``."""
        model_field = self._meta.model._meta.get_field(field.attribute)
        pk = getattr(instance, model_field.attname)
        if pk is None:
            return ""
        slug = self.lookups.slugs[field.attribute].get(pk)
        return field.export(instance) if slug is None else slug

    def linked_slugs(self, field, instance):
        """Return the slugs of ``instance``'s links in ``field``, as a cell."""
        on_file = getattr(instance, "_links_on_file", {})
        if field.attribute in on_file:
            slugs = [other.slug for other in on_file[field.attribute]]
        else:
            slugs = [slug for _pk, slug in self.linked(field, instance)]
        return SLUG_SEPARATOR.join(sorted(slugs))

    def after_import_row(self, row, row_result, **kwargs):
        # The preview numbers rows as the spreadsheet does, shows each cell as
        # it was and will be (as the library's Diff would), and names changes.
        row_result.row_number = kwargs.get("row_number")
        new = row_result.import_type == RowResult.IMPORT_TYPE_NEW
        before = self.diff_values(self.row_original)
        after = self.diff_values(self.row_record)
        if not new:
            row_result.original = self.row_original
        if not self._meta.skip_html_diff:
            row_result.diff = [
                mark_safe(cell_diff_html(left, right, new))
                for left, right in zip(before, after, strict=True)
            ]
        row_result.changed_columns = []
        if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            row_result.changed_columns = [
                header
                for header, left, right in zip(
                    self.get_diff_headers(), before, after, strict=True
                )
                if left != right
            ]
        self.row_record = self.row_original = None


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


def cell_diff_html(left, right, new):
    """Return the preview's markup of a cell that was ``left`` and is ``right``.

    The library's (``import_export.resources.Diff.as_html``), with its
    diff_match_patch run only where both sides hold text that differs: the
    markup of an unchanged, added or emptied cell is written directly.
    """
    if left != right and new:
        left = ""
    left, right = force_str(left), force_str(right)
    if left == right:
        diff = [(DIFF.DIFF_EQUAL, left)] if left else []
    elif not left:
        diff = [(DIFF.DIFF_INSERT, right)]
    elif not right:
        diff = [(DIFF.DIFF_DELETE, left)]
    else:
        diff = DIFF.diff_main(left, right)
        DIFF.diff_cleanupSemantic(diff)
    return diff_html(diff)


# diff_match_patch's diff_prettyHtml, without the style attributes it colours
# <ins> and <del> with: the Content-Security-Policy allows none, so the browser
# refused each one. admin.css colours them instead.
DIFF_TAGS = {
    diff_match_patch.DIFF_INSERT: "ins",
    diff_match_patch.DIFF_DELETE: "del",
    diff_match_patch.DIFF_EQUAL: "span",
}


def diff_html(diff):
    """Return the markup of ``diff`` (diff_match_patch's tuples), its text
    escaped as the library escapes it."""
    return "".join(
        "<{0}>{1}</{0}>".format(
            DIFF_TAGS[operation],
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\n", "&para;<br>"),
        )
        for operation, text in diff
        if text
    )


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
