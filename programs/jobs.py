"""
Background jobs: long work done by a worker, out of anyone's request.

Built on Django's tasks API (the ``django-tasks`` backport of Django 6's
``django.tasks``) with the database backend of ``django-tasks-db``: the queue
is a table, so ``make run`` needs nothing else, and every app server enqueues
into, and every worker (``manage.py db_worker``) claims from, the same table.
On PostgreSQL a worker claims a task with ``SELECT … FOR UPDATE SKIP LOCKED``,
so several workers on several machines never run one task twice.

What staff watch is a ``Job`` of our own (``programs.models.jobs``): who asked,
what, its state, its rows done of its rows, and what it left. The task is
enqueued once the request's transaction commits, so a worker never looks for
a job that is not there yet.

- **Imports** past ``JOB_ROWS`` rows: the preview runs as a job, then the
  confirmed import as another, each through the resource's own
  ``import_data`` with the importer as its user, so that the district rules
  (``programs.staff.resources``) apply inside the task as in the admin. The
  import runs in one transaction: a row that fails rolls back every row.
  The report (what the synchronous preview page shows) waits in the job.
- **Exports** past ``JOB_ROWS`` rows: the admin's own export view runs in the
  worker on a request rebuilt from the one that asked (same user, filters,
  columns and format), so its permissions and scoping are the admin's.
- **The bulk download** (``programs.site.data_package``) is rebuilt after
  every edit.

The files (the upload, the finished export) are kept in the job's row: the
database is the one store every app server and worker already share, so an
export made on one machine downloads from any other, with no shared disk to
set up. They are bounded: an upload by ``DJANGO_IMPORT_MAX_MB``, an export by
the records (about 20 MB of CSV for 100,000 experts), and go with the job.

Progress is written every ``PROGRESS_EVERY`` rows, not every row. An import's
rows are written inside its transaction, where progress written on the same
connection would stay unseen until the end (and, for a preview, be rolled
back): on PostgreSQL it goes through a second connection of its own; SQLite,
which lets one connection write at a time and serves a single machine, keeps
it in a small file under ``var/jobs/`` until the job ends.

A failed job says why in its owner's language, and has changed nothing.
"""

import contextlib
import logging
import re
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_tasks import task
from import_export.signals import post_import

from .models import Job

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 250


class JobRefused(Exception):
    """The job cannot be done, for a reason its message gives in words."""


def more_rows_than_a_request(rows):
    """Return True if ``rows`` rows are too many to import or export at once."""
    return rows > settings.JOB_ROWS


# Starting jobs ---------------------------------------------------------------


def start(job):
    """Save ``job`` and enqueue its task once the transaction commits."""
    job.save()
    transaction.on_commit(lambda: _enqueue(job.pk, job.kind))
    return job


def _enqueue(job_id, kind):
    result = TASKS[kind].enqueue(job_id)
    Job.objects.filter(pk=job_id).update(task_id=str(result.id))


def start_import_preview(request, model, resource_index, format_index, upload):
    """Start the preview of the import of ``upload``, the file the form took."""
    return start(
        Job(
            user=request.user,
            kind=Job.Kind.IMPORT_PREVIEW,
            content_type=ContentType.objects.get_for_model(model),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            params={"resource": resource_index, "format": format_index},
            file_name=upload.name[:255],
            upload=upload.read(),
        )
    )


def confirm_import(preview):
    """Start the import ``preview`` (a finished preview without errors) shows."""
    return start(
        Job(
            user=preview.user,
            kind=Job.Kind.IMPORT,
            content_type=preview.content_type,
            language=translation.get_language() or preview.language,
            params=preview.params,
            file_name=preview.file_name,
            upload=preview.upload,
            rows_total=preview.rows_total,
        )
    )


def may_confirm(preview, user):
    """Return True if ``user`` may confirm the import ``preview`` shows."""
    return (
        preview.kind == Job.Kind.IMPORT_PREVIEW
        and preview.state == Job.State.DONE
        and preview.user_id == user.pk
        and not preview.params.get("confirmed")
        and bool(preview.report)
        and not preview.report["has_errors"]
        and not preview.report["has_validation_errors"]
    )


def start_export(request, model):
    """Start the export ``request`` (a POST of the admin's export form) asks for."""
    form = {
        name: request.POST.getlist(name)
        for name in request.POST
        if name != "csrfmiddlewaretoken"
    }
    return start(
        Job(
            user=request.user,
            kind=Job.Kind.EXPORT,
            content_type=ContentType.objects.get_for_model(model),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            params={"query": request.GET.urlencode(), "form": form},
        )
    )


# Running jobs ----------------------------------------------------------------


class Progress:
    """A job's rows done, written every ``every`` rows where others can read them."""

    def __init__(self, job, every=PROGRESS_EVERY):
        self.job = job
        self.every = every
        self.done = 0
        self.written = 0
        self._side_connection = None

    def set_total(self, rows):
        self.job.rows_total = rows
        Job.objects.filter(pk=self.job.pk).update(rows_total=rows)

    def advance(self, rows=1):
        self.done += rows
        if self.done - self.written >= self.every:
            self.write()

    def write(self):
        self.written = self.done
        connection = connections[DEFAULT_DB_ALIAS]
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job.pk).update(rows_done=self.done)
        elif connection.vendor == "sqlite":
            path = progress_file(self.job.pk)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            partial.write_text(str(self.done))
            partial.replace(path)
        else:
            if self._side_connection is None:
                self._side_connection = connections.create_connection(DEFAULT_DB_ALIAS)
            table = connection.ops.quote_name(Job._meta.db_table)
            with self._side_connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET rows_done = %s WHERE id = %s",
                    [self.done, self.job.pk],
                )

    def close(self):
        if self._side_connection is not None:
            self._side_connection.close()
        progress_file(self.job.pk).unlink(missing_ok=True)


def progress_file(job_id):
    return Path(settings.BASE_DIR) / "var" / "jobs" / f"{job_id}.progress"


def rows_done(job):
    """Return the rows ``job`` has done, as far as anyone can see now."""
    if job.state == Job.State.RUNNING:
        with contextlib.suppress(OSError, ValueError):
            return max(job.rows_done, int(progress_file(job.pk).read_text()))
    return job.rows_done


@contextlib.contextmanager
def running(job_id):
    """Run the body as job ``job_id``: yield the job and its Progress.

    The job is marked running, then done, or failed with a message in words if
    the body raises: JobRefused's own, or, for anything unforeseen (which is
    logged and raised again, so the worker records it too), that the job
    stopped and changed nothing.
    """
    job = Job.objects.select_related("user", "content_type").get(pk=job_id)
    job.state = Job.State.RUNNING
    job.started_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(state=job.state, started_at=job.started_at)
    progress = Progress(job)
    try:
        with translation.override(job.language):
            try:
                yield job, progress
            except JobRefused as refusal:
                job.message = str(refusal)
                _finish(job, Job.State.FAILED, progress)
            except Exception:
                logger.exception("Job %s (%s) failed", job.pk, job.kind)
                job.message = _(
                    "The job stopped because of an error in the site, and "
                    "changed nothing. Try again; if it fails again, tell the "
                    "site's administrators."
                )
                _finish(job, Job.State.FAILED, progress)
                raise
            else:
                _finish(job, Job.State.DONE, progress)
    finally:
        progress.close()


def _finish(job, state, progress):
    job.state = state
    job.finished_at = timezone.now()
    job.rows_done = max(job.rows_done, progress.done)
    job.save(
        update_fields=[
            "state",
            "finished_at",
            "rows_done",
            "rows_total",
            "message",
            "file_name",
            "report",
            "output",
            "output_type",
        ]
    )


def staff_request(job, path, data=None):
    """Return a request as ``job``'s owner made it, for admin views to answer."""
    factory = RequestFactory()
    request = factory.get(path) if data is None else factory.post(path, data)
    request.user = job.user
    request.LANGUAGE_CODE = job.language
    request._messages = CookieStorage(request)
    return request


# Imports ---------------------------------------------------------------------


@task()
def preview_import(job_id):
    """Check every row of an upload as the preview does, writing nothing."""
    with running(job_id) as (job, progress):
        result = import_rows(job, progress, dry_run=True)
        job.report = import_report(result)
        if job.report["has_errors"] or job.report["has_validation_errors"]:
            job.message = _(
                "Some rows have errors, listed below: nothing can be imported. "
                "Correct them and upload the file again."
            )
        else:
            job.message = _(
                "The preview is ready: %(new)s new, %(changed)s changed, "
                "%(unchanged)s unchanged. Nothing is imported until you confirm."
            ) % totals_of(job.report)


@task()
def run_import(job_id):
    """Import a previewed upload, all or nothing."""
    with running(job_id) as (job, progress):
        result = import_rows(job, progress, dry_run=False)
        job.report = import_report(result)
        if job.report["has_errors"] or job.report["has_validation_errors"]:
            raise JobRefused(
                _(
                    "Nothing was imported: some rows are no longer valid. "
                    "Upload the file again to see which."
                )
            )
        model_admin = admin.site.get_model_admin(job.model)
        model_admin.generate_log_entries(result, staff_request(job, "/"))
        post_import.send(sender=None, model=job.model)
        job.message = _(
            "Imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged."
        ) % totals_of(job.report)


def import_rows(job, progress, dry_run):
    """Import ``job``'s upload through its resource; return the library's Result."""
    from .staff.admin.importing import read_dataset
    from .staff.resources import RESOURCES

    model_admin = admin.site.get_model_admin(job.model)
    file_format = model_admin.get_import_formats()[job.params["format"]]
    dataset = read_dataset(file_format, bytes(job.upload), model_admin.from_encoding)
    progress.set_total(dataset.height)
    resource_class = RESOURCES[job.model][job.params["resource"]]
    resource = tracked(resource_class, progress, job.user)()
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        # All or nothing: an invalid row rolls back the rows before it too.
        rollback_on_validation_errors=True,
        use_transactions=True,
        retain_instance_in_row_result=not dry_run,
        file_name=job.file_name,
        user=job.user,
    )


def tracked(resource_class, progress, user):
    """Return ``resource_class``, counting rows into ``progress``.

    Its saves are attributed to ``user`` in the history, as the admin's are
    (there is no request here for django-simple-history to read).
    """

    class Tracked(resource_class):
        def before_save_instance(self, instance, row, **kwargs):
            instance._history_user = user
            super().before_save_instance(instance, row, **kwargs)

        def after_import_row(self, row, row_result, **kwargs):
            super().after_import_row(row, row_result, **kwargs)
            progress.advance()

    Tracked.__name__ = Tracked.__qualname__ = resource_class.__name__
    return Tracked


def import_report(result):
    """Return what the preview page shows of ``result``, as JSON can hold it."""
    return {
        "has_errors": result.has_errors(),
        "has_validation_errors": result.has_validation_errors(),
        "totals": dict(result.totals),
        "diff_headers": list(result.diff_headers),
        "base_errors": [{"error": error_text(e.error)} for e in result.base_errors],
        "row_errors": [
            [line, [{"error": error_text(e.error)} for e in errors]]
            for line, errors in result.row_errors()
        ],
        "invalid_rows": [
            {
                "number": row.number,
                "error_dict": {
                    column: [str(message) for message in messages]
                    for column, messages in row.error_dict.items()
                },
            }
            for row in result.invalid_rows
        ],
        "valid_rows": [
            {
                "row_number": getattr(row, "row_number", None),
                "import_type": row.import_type,
                "changed_columns": getattr(row, "changed_columns", []),
                # Each cell's markup (resources.cell_diff_html), its text
                # escaped; an empty cell is None.
                "diff": ["" if cell is None else str(cell) for cell in row.diff or []],
            }
            for row in result.valid_rows()
        ],
    }


def report_for_template(report):
    """Return a stored report as the import templates read a Result."""
    if not report:
        return None
    rows = [
        # Each cell's markup (resources.cell_diff_html), escaped when made.
        {**row, "diff": [mark_safe(cell) for cell in row["diff"]]}
        for row in report["valid_rows"]
    ]
    return {**report, "valid_rows": rows}


def error_text(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def totals_of(report):
    totals = report["totals"]
    return {
        "new": totals.get("new", 0),
        "changed": totals.get("update", 0),
        "unchanged": totals.get("skip", 0),
    }


# Exports ---------------------------------------------------------------------


@task()
def export_records(job_id):
    """Make the export file the admin's export form asked for."""
    with running(job_id) as (job, progress):
        model_admin = admin.site.get_model_admin(job.model)
        opts = job.model._meta
        path = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
        query = job.params.get("query", "")
        request = staff_request(
            job, f"{path}?{query}" if query else path, job.params["form"]
        )
        request.job_progress = progress
        response = model_admin.export_action(request)
        disposition = response.get("Content-Disposition", "")
        if not isinstance(response, HttpResponse) or "attachment" not in disposition:
            refused = [str(message) for message in get_messages(request)]
            raise JobRefused(
                " ".join(refused)
                or _(
                    "The export could not be made: what it asked for is no "
                    "longer valid. Export again."
                )
            )
        job.output = response.content
        job.output_type = response["Content-Type"]
        found = re.search(r'filename="([^"]+)"', disposition)
        job.file_name = found.group(1) if found else ""
        job.message = _("The file is ready.")


# The bulk download -----------------------------------------------------------


@task()
def rebuild_data_package(job_id):
    """Build the bulk download of what the database now holds."""
    from .site import data_package

    with running(job_id) as (job, progress):
        package = data_package.rebuild()
        job.message = _("Built the bulk download of version %(version)s.") % {
            "version": package.version
        }


TASKS = {
    Job.Kind.IMPORT_PREVIEW: preview_import,
    Job.Kind.IMPORT: run_import,
    Job.Kind.EXPORT: export_records,
    Job.Kind.DATA_PACKAGE: rebuild_data_package,
}
