"""Spreadsheet import (with a preview) and export of every kind of record.

The columns, and how rows are matched and checked, are in
``programs.staff.resources``. This module wires them into the admin:

- CSV and XLSX only. CSV is written with a byte-order mark, so that Excel
  reads the Chinese names as UTF-8.
- An import is previewed first: every row is listed as new, changed (with
  the changed columns), unchanged or in error, and nothing is written. Only a
  file without errors can be confirmed, and the confirmed import runs in one
  transaction: if a row fails then (someone changed a record in between), the
  whole import is rolled back.
- Between preview and confirmation the file waits in the cache
  (``IMPORT_EXPORT_TMP_STORAGE_CLASS``), not on one server's disk.
- Export writes what the changelist shows: its filters and search apply.
- Importing needs the add and change permissions; exporting, the view
  permission. A district editor's rows are checked one by one against their
  districts (``programs.staff.resources.refuse_outside_districts``).
- A file that cannot be read is answered with what to do about it, not with
  the name of an exception, and the page still lists the columns to import.
- The export form's boxes are labelled as the admin's forms label fields
  ("Name (English)"); the files' headers stay field names.
- A file of more than ``JOB_ROWS`` rows is previewed, then imported, by a
  background job, and so is an export of more rows (``programs.jobs``):
  the page sends staff to the job's page, which shows its progress and then
  the same report, or the file to download. Smaller files keep the flow
  above, all in the request.
"""

import io

import openpyxl
import tablib
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm

from ... import jobs
from ...spreadsheets import guarded
from ..resources import RESOURCES
from ..uploads import LimitedImportForm, TooManyRows, refuse_too_many_rows


class RowLimit:
    """Refuse a file with too many rows as soon as it is read.

    Here rather than in the resource's ``before_import``: django-import-export
    notes an error raised there and then goes on through every row, so a
    20,000-row file held a worker until it was killed.
    """

    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        refuse_too_many_rows(dataset)
        return dataset


class FormulaSafeCSV(RowLimit, CSV):
    """CSV in which no cell starts like a formula (``programs.spreadsheets``).

    Imports take the guard off again (``RecordResource.before_import_row``),
    so an exported file imports back unchanged.
    """

    def export_data(self, dataset, **kwargs):
        guarded_rows = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            guarded_rows.append(
                [guarded(value) if isinstance(value, str) else value for value in row]
            )
        return super().export_data(guarded_rows, **kwargs)


class FormulaSafeXLSX(RowLimit, XLSX):
    """XLSX in which text is text: "=1+1" is a cell holding those characters.

    openpyxl (and so tablib) stores any text starting with "=" as a formula
    that Excel runs when the file opens; here such a cell is written as text,
    so the value is kept as it is, and nothing runs.
    """

    def export_data(self, dataset, **kwargs):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(dataset.headers)
        for row in dataset:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if cell.data_type == "f":
                    cell.data_type = "s"
        content = io.BytesIO()
        workbook.save(content)
        return content.getvalue()


def unreadable_file_message(file_format, error):
    """Return, in plain words, what to do with a file ``file_format`` cannot read.

    ``error`` is what reading it raised. A CSV file that is not UTF-8 is the
    usual case: Excel's plain "CSV" is written in the computer's local
    encoding (GBK on a Chinese Windows).
    """
    if issubclass(file_format, XLSX):
        return _("This file could not be read as an Excel workbook (.xlsx).")
    if isinstance(error, UnicodeDecodeError):
        return _(
            "This file is not UTF-8 text. In Excel, save it as “CSV UTF-8 "
            "(Comma delimited)”, then upload it again."
        )
    return _(
        "This file could not be read as %(format)s. Check that the format "
        "chosen matches the file."
    ) % {"format": file_format().get_title()}


def read_dataset(file_format, data, encoding):
    """Return the rows of an uploaded file's bytes, read as ``file_format``.

    As the library reads a file waiting for confirmation: text formats are
    decoded first.
    """
    input_format = file_format(encoding=encoding)
    if not input_format.is_binary():
        data = data.decode(encoding)
    return input_format.create_dataset(data)


def more_rows_than(queryset, limit):
    """Return True if ``queryset`` has more than ``limit`` rows.

    Counts no further than one past the limit, at the cost of reading that
    many keys, rather than counting a large table.
    """
    keys = queryset.order_by().values_list("pk", flat=True)[: limit + 1]
    return len(keys) > limit


class LabelledExportForm(SelectableFieldsExportForm):
    """The export form, a column's box labelled by the resource ("Name (English)").

    The library's label is the field name in title case ("Name En").
    """

    def _get_field_label(self, resource, field_name):
        return resource.column_label(field_name)


class RecordImportExportAdmin(ImportExportMixin):
    """CSV and XLSX import and export, rows matched by slug."""

    formats = [FormulaSafeCSV, FormulaSafeXLSX]
    # Excel opens a CSV file as UTF-8 only when it starts with a byte-order mark.
    to_encoding = "utf-8-sig"
    import_template_name = "admin/programs/import.html"
    export_form_class = LabelledExportForm
    import_form_class = LimitedImportForm

    def get_resource_classes(self, request):
        return RESOURCES[self.model]

    def has_import_permission(self, request):
        # An import both adds and changes records.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_or_change_permission(request)

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            job = self.start_import_job(request)
            if job is not None:
                return HttpResponseRedirect(job.get_absolute_url())
        response = super().import_action(request, **kwargs)
        # After a file it could not read, the library lists no columns: the
        # list that says what a file to upload should hold.
        context = getattr(response, "context_data", None)
        if context is not None and not context.get("fields_list"):
            context["fields_list"] = self.importable_columns(
                request, context["form"], **kwargs
            )
        return response

    def start_import_job(self, request):
        """Start previewing the posted file as a job if it is large; return the job.

        None for a file of few rows, or one the library will refuse (invalid
        form, unreadable file): the page answers those as it always has.
        """
        form = self.create_import_form(request)
        if not form.is_valid():
            return None
        upload = form.cleaned_data["import_file"]
        format_index = int(form.cleaned_data["format"])
        file_format = self.get_import_formats()[format_index]
        try:
            dataset = read_dataset(file_format, upload.read(), self.from_encoding)
        except Exception:  # the library reads it again and says what is wrong
            return None
        finally:
            upload.seek(0)
        if not jobs.more_rows_than_a_request(dataset.height):
            return None
        return jobs.start_import_preview(
            request, self.model, self.get_resource_index(form), format_index, upload
        )

    def importable_columns(self, request, form, **kwargs):
        """Return [(resource name, its columns)], as the import page lists them."""
        resource_kwargs = self.get_import_resource_kwargs(
            request=request, form=form, **kwargs
        )
        resources = [
            resource_class(**resource_kwargs)
            for resource_class in self.get_import_resource_classes(request)
        ]
        return [
            (
                resource.get_display_name(),
                [field.column_name for field in resource.get_user_visible_fields()],
            )
            for resource in resources
        ]

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, TooManyRows):
            form.add_error("import_file", str(e))
            return
        file_format = self.get_import_formats()[int(form.cleaned_data["format"])]
        form.add_error("import_file", unreadable_file_message(file_format, e))

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        # All or nothing: an invalid row rolls back the rows before it too.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def get_data_for_export(self, request, queryset, **kwargs):
        resource_class = self.choose_export_resource_class(
            kwargs.get("export_form"), request
        )
        queryset = resource_class.rows_for_export(queryset)
        return super().get_data_for_export(request, queryset, **kwargs)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # The export form's one way out, whether from the page or the action.
        progress = getattr(request, "job_progress", None)
        if progress is not None:  # in the job: count the rows for its progress
            progress.set_total(queryset.order_by().count())
        elif export_form is not None and more_rows_than(queryset, settings.JOB_ROWS):
            job = jobs.start_export(request, self.model)
            return HttpResponseRedirect(job.get_absolute_url())
        return super()._do_file_export(
            file_format, request, queryset, export_form=export_form
        )

    def choose_export_resource_class(self, form, request):
        resource_class = super().choose_export_resource_class(form, request)
        progress = getattr(request, "job_progress", None)
        if progress is None:
            return resource_class

        class Counted(resource_class):
            def export_resource(self, instance, *args, **kwargs):
                progress.advance()
                return super().export_resource(instance, *args, **kwargs)

        Counted.__name__ = Counted.__qualname__ = resource_class.__name__
        return Counted

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Only when the records changed between preview and confirmation:
            # a file with errors is not offered for confirmation.
            messages.error(
                request,
                _(
                    "Nothing was imported: some rows are no longer valid. "
                    "Upload the file again to see which."
                ),
            )
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_import",
                    current_app=self.admin_site.name,
                )
            )
        return super().process_result(result, request)
