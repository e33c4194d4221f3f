"""The history of every change: who, when, what, and a way back."""

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

from ..revisions import RestoreError, deleted_versions, history_model, restore

BLANK = "—"


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
