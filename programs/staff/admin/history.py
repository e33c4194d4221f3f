"""The history of every change: who, when, what, and a way back."""

from contextlib import contextmanager

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import is_historic
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_history_manager_for_model

from ..revisions import RestoreError, deleted_versions, history_model, restore

BLANK = "—"


@contextmanager
def links_in_one_version(record):
    """Fold the links saved inside into the version ``record``'s save wrote.

    An admin save saves the record, which writes a version, and then its
    many-to-many links (``form.save_m2m()``). Simple-history (3.13) cannot
    update a version: on every ``m2m_changed`` it writes a whole new one,
    snapshotting every tracked link field, so one save showed as three
    versions (the record, its fields, its sources). What it does offer is
    ``skip_history_when_saving`` on the instance, which its ``post_save`` and
    ``m2m_changed`` handlers both honour. The links are saved with it set,
    and then the snapshot of the version the record's save wrote, which held
    the links from before, is rewritten with the links as saved: one version,
    with the user, the fields and the final links, which the history page
    diffs against the version before like any other. That version is the
    record's newest: the admin saves in a transaction that holds the record's
    row (``admin/locking.py``), so no other save's version comes between.

    Only admin saves come through here; ``load_seeds``, imports, publishing
    and ``restore()`` keep the library's one version per change. A record
    already saved without history (the attribute set by someone else, or by
    an outer call of this) is left alone.
    """
    m2m_fields = getattr(history_model(type(record)), "_history_m2m_fields", ())
    if (
        not m2m_fields
        or hasattr(record, "skip_history_when_saving")
        or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    ):
        yield
        return
    record.skip_history_when_saving = True
    try:
        yield
    finally:
        del record.skip_history_when_saving
    version = get_history_manager_for_model(record).first()  # newest first
    if version is not None:
        for field in m2m_fields:
            _snapshot_links(version, record, field)


def _snapshot_links(version, record, field):
    """Make ``version``'s snapshot of link ``field`` hold ``record``'s links now.

    The rows are copies of the through table's, as simple-history writes
    them (``HistoricalRecords.create_historical_record_m2ms``, which cannot be
    reached from here: the library keeps no handle on its HistoricalRecords),
    without its pre/post m2m signals, which nothing here listens to.
    """
    snapshot = getattr(type(version), field.name).model
    through = field.remote_field.through
    names = [f.attname for f in through._meta.fields]
    rows = through._default_manager.filter(**{field.m2m_field_name(): record.pk})
    snapshot.objects.filter(history=version).delete()
    snapshot.objects.bulk_create(
        snapshot(history=version, **row) for row in rows.values(*names)
    )


class ReadableChanges(HistoricalRecordContextHelper):
    """Show a change as a person reads it: labels, names and a dash for blank."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            target = field.m2m_reverse_field_name()
            return ", ".join(sorted(str(row[target]) for row in value)) or BLANK
        if value is None or value == "":
            return BLANK
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value


class RecordHistoryAdmin(SimpleHistoryAdmin):
    """Every record's history, with what changed between versions.

    The history page lists each version with who saved it, when, and each
    field changed ("old → new"). A version's page reverts the record to it
    (staff who may change the record only). Each kind also lists its deleted
    records, from which staff who may add records restore them.
    """

    object_history_list_template = "admin/programs/object_history_list.html"
    history_list_per_page = 50

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("deleted/", view(self.deleted_view), name=f"{prefix}_deleted"),
            path(
                "deleted/<int:version_id>/restore/",
                view(self.restore_view),
                name=f"{prefix}_restore",
            ),
            *super().get_urls(),
        ]

    def _url(self, view, *args):
        """Return the URL of this admin's ``view`` (e.g. "change") for ``args``."""
        opts = self.opts
        name = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}"
        return reverse(name, args=args)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def save_related(self, request, form, formsets, change):
        # The record's links join the version its save wrote: one save, one
        # version (links_in_one_version). An add and the list's rows too.
        with links_in_one_version(form.instance):
            super().save_related(request, form, formsets, change)

    def history_view(self, request, object_id, extra_context=None):
        exists = self.model._default_manager.filter(pk=unquote(object_id)).exists()
        context = {"record_exists": exists, **(extra_context or {})}
        if not exists:  # a deleted record is restored, not reverted
            context["revert_disabled"] = True
        return super().history_view(request, object_id, extra_context=context)

    # Reverting ----------------------------------------------------------------

    def refuse_unallowed_revert(self, request, object_id):
        """Raise unless ``request`` may show, or on POST revert, the record.

        Simple-history saves a POST for anyone who may view the history; here
        only staff who may change the record revert it. A deleted record is
        restored from the deleted list instead. Called by
        RecordAdmin.history_form_view before the version is shown or saved.
        """
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404(_("This record has been deleted; restore it first."))
        if request.method == "POST" and (
            self.revert_disabled(request, record)
            or not self.has_change_permission(request, record)
        ):
            raise PermissionDenied

    def revert_form(self, form, obj):
        """Return ``form``, or for a version of a record its form for reverting.

        Called by RecordAdmin.get_form.
        """
        return self._revert_form(form, obj) if is_historic(obj) else form

    def _revert_form(self, form, version_instance):
        """Return ``form`` for reverting the stored record to ``version_instance``.

        The version's many-to-many links (its sources) become the form's
        initial choices: the instance would show the stored record's. What
        the form does not edit (its edit version, who published it) is taken
        from the stored record, so that the revert is saved like any other
        edit of the current record: the edit-version check sees the version
        the form was opened at, and a changed publication status is stamped.
        Simple-history saves the links with ``form.save_m2m()``, not through
        ``save_related``, so the form folds them into one version itself.
        """
        stored = self.model._default_manager.get(pk=version_instance.pk)
        for field in self.opts.concrete_fields:
            if not field.editable and not field.primary_key:
                setattr(version_instance, field.attname, getattr(stored, field.attname))
        version = version_instance._history  # the historical row it was built from
        initial = {}
        for field in getattr(version, "_history_m2m_fields", ()):
            pks = getattr(version, field.name).values_list(
                f"{field.m2m_reverse_field_name()}_id", flat=True
            )
            initial[field.name] = list(
                field.related_model._default_manager.filter(pk__in=list(pks))
            )

        class RevertForm(form):
            def __init__(self, *args, **kwargs):
                kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
                super().__init__(*args, **kwargs)

            def _save_m2m(self):
                with links_in_one_version(self.instance):
                    super()._save_m2m()

        return RevertForm

    # Deleted records --------------------------------------------------------

    def deleted_view(self, request):
        """List the records of this kind that were deleted, newest first."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        page = Paginator(deleted_versions(self.model), 50).get_page(
            request.GET.get("p")
        )
        may_add = self.has_add_permission(request)
        rows = []
        for version in page:
            record = version.instance
            rows.append(
                {
                    "version": version,
                    "record": record,
                    "history_url": self._url("history", record.pk),
                    "may_restore": may_add
                    and self.has_change_permission(request, record),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deleted %(kind)s") % {"kind": self.opts.verbose_name_plural},
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "module_name": capfirst(self.opts.verbose_name_plural),
            "page_obj": page,
            "rows": rows,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/programs/deleted_list.html", context)

    def restore_view(self, request, version_id):
        """Restore the record deleted by version ``version_id``, then open it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        deletion = get_object_or_404(
            history_model(self.model).objects.filter(history_type="-"), pk=version_id
        )
        if not (
            self.has_add_permission(request)
            and self.has_change_permission(request, deletion.instance)
        ):
            raise PermissionDenied
        try:
            record = restore(deletion, request.user)
        except RestoreError as exc:
            self.message_user(
                request,
                _("“%(record)s” could not be restored: %(reason)s")
                % {"record": deletion.instance, "reason": exc.args[0]},
                messages.ERROR,
            )
            return HttpResponseRedirect(self._url("deleted"))
        self.log_addition(request, record, [{"added": {}}])
        self.message_user(
            request,
            _("“%(record)s” was restored.") % {"record": record},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._url("change", record.pk))
