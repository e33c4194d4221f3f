"""The admin's "Jobs" page: the background jobs staff asked for (``programs.jobs``).

Every staff member sees their own jobs, superusers everyone's. A job's page
shows its state and a progress bar, refreshed every few seconds while it
runs (a ``<meta http-equiv="refresh">``: no script, so nothing for the
Content-Security-Policy to allow), then what it left: an import's report,
with the button that confirms a clean preview, or the export's file. Staff
may leave and come back; the list links every job. Nobody edits a job;
its owner may delete it once it has finished, a superuser at any time (a
job whose worker was killed stays "Running").
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import jobs
from ...models import Job

# Seconds between two looks at an unfinished job.
REFRESH_SECONDS = 2


def progress_bar(job):
    """Return the HTML of ``job``'s progress: a bar, and the rows in words."""
    done = jobs.rows_done(job)
    if job.rows_total is None:
        if job.is_finished:
            return ""
        return format_html(
            '<progress aria-label="{}"></progress>', _("Waiting to start")
        )
    words = _("%(done)s of %(total)s rows") % {
        "done": number_format(done, force_grouping=True),
        "total": number_format(job.rows_total, force_grouping=True),
    }
    return format_html(
        '<progress value="{}" max="{}" aria-label="{}">{}</progress> {}',
        done,
        max(job.rows_total, 1),
        words,
        words,
        words,
    )


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("job", "state", "progress", "file_name", "created_at", "user")
    list_display_links = None
    list_filter = ("state", "kind")
    list_select_related = ("user", "content_type")
    change_list_template = "admin/programs/job/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).listed()

    def get_list_display(self, request):
        if request.user.is_superuser:
            return self.list_display
        return self.list_display[:-1]  # their own: no need to say whose

    @admin.display(description=gettext_lazy("job"), ordering="created_at")
    def job(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj)

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, obj):
        return progress_bar(obj)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return (
            obj is None or request.user.is_superuser or obj.user_id == request.user.pk
        )

    def has_add_permission(self, request):
        return False  # jobs are started by imports, exports and edits

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # An unfinished job only by a superuser: one whose worker was lost.
        if obj is not None and not obj.is_finished and not request.user.is_superuser:
            return False
        return self.has_view_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "<int:job_id>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="programs_job_confirm",
            ),
            path(
                "<int:job_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="programs_job_download",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        unfinished = (
            self.get_queryset(request).filter(state__in=Job.UNFINISHED).exists()
        )
        extra_context = {
            **(extra_context or {}),
            "refresh_seconds": REFRESH_SECONDS if unfinished else None,
        }
        return super().changelist_view(request, extra_context)

    def visible_job(self, request, job_id, *fields):
        queryset = Job.objects.visible_to(request.user).select_related(
            "user", "content_type"
        )
        if fields:
            queryset = queryset.defer(*fields)
        job = get_object_or_404(queryset, pk=job_id)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        return job

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.visible_job(request, object_id, "upload", "output")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(job),
            "job": job,
            "progress": progress_bar(job),
            "refresh_seconds": None if job.is_finished else REFRESH_SECONDS,
            "result": jobs.report_for_template(job.report),
            "may_confirm": jobs.may_confirm(job, request.user),
            "has_file": job.kind == Job.Kind.EXPORT and job.state == Job.State.DONE,
            "may_delete": self.has_delete_permission(request, job),
        }
        return TemplateResponse(request, "admin/programs/job/detail.html", context)

    def confirm_view(self, request, job_id):
        """Start the import a clean preview shows: only its owner, only once."""
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:programs_job_change", args=[job_id])
            )
        with transaction.atomic():
            preview = get_object_or_404(
                Job.objects.select_for_update(of=("self",)).select_related(
                    "content_type"
                ),
                pk=job_id,
            )
            model_admin = self.admin_site.get_model_admin(preview.model)
            if not (
                jobs.may_confirm(preview, request.user)
                and model_admin.has_import_permission(request)
            ):
                raise PermissionDenied
            job = jobs.confirm_import(preview)
            preview.params = {**preview.params, "confirmed": True}
            preview.upload = None
            preview.save(update_fields=["params", "upload"])
        messages.info(
            request, _("The import has started. This page shows how far it is.")
        )
        return HttpResponseRedirect(job.get_absolute_url())

    def download_view(self, request, job_id):
        """Send a finished export's file."""
        job = self.visible_job(request, job_id, "upload", "report")
        if job.kind != Job.Kind.EXPORT or job.state != Job.State.DONE:
            raise PermissionDenied
        response = HttpResponse(
            bytes(job.output),
            content_type=job.output_type or "application/octet-stream",
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=job.file_name or "export"
        )
        return response
