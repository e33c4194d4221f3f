"""Background jobs staff can watch: big imports and exports, the bulk download."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Return the jobs ``user`` may see: their own, or every job for a superuser."""
        if user.is_superuser:
            return self
        return self.filter(user=user)

    def listed(self):
        """Return the jobs without their files, which a list never shows."""
        return self.defer("upload", "report", "output")


class Job(models.Model):
    """A long piece of work a worker does for someone, out of their request.

    The task (``programs.jobs``) writes its state and, every few hundred rows,
    its progress here, so that staff can leave the page and come back. The
    file to import, the import's report and the finished export wait here
    too: the database is the one store every app server and every worker
    already share (``programs.jobs`` says why).

    Not content: saving a job leaves the page cache and the bulk download
    alone (``CHANGES_CONTENT``, read by ``programs.site.cache``).
    """

    CHANGES_CONTENT = False

    class Kind(models.TextChoices):
        IMPORT_PREVIEW = "import-preview", _("Import preview")
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")
        DATA_PACKAGE = "data-package", _("Bulk download")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    UNFINISHED = (State.QUEUED, State.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("asked by"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The kind of record imported or exported; none for the bulk download.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("records"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    # The language of whoever asked: the worker writes messages in it.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    # What the task needs besides the file: format, resource, the export's
    # filters and chosen columns.
    params = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    upload = models.BinaryField(null=True, editable=False)
    report = models.JSONField(null=True, blank=True, editable=False)
    output = models.BinaryField(null=True, editable=False)
    output_type = models.CharField(max_length=100, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        default_permissions = ("view", "delete")
        indexes = [
            models.Index(
                fields=["user", "-created_at"], name="programs_job_user_created"
            ),
            models.Index(fields=["kind", "state"], name="programs_job_kind_state"),
        ]

    def __str__(self):
        model = self.model
        if model is None:
            return str(self.get_kind_display())
        return _("%(kind)s: %(records)s") % {
            "kind": self.get_kind_display(),
            "records": model._meta.verbose_name_plural,
        }

    def get_absolute_url(self):
        return reverse("admin:programs_job_change", args=[self.pk])

    @property
    def is_finished(self):
        return self.state not in self.UNFINISHED

    @property
    def model(self):
        return self.content_type.model_class() if self.content_type_id else None
