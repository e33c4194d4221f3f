"""Moving records between draft, published and archived, one or many at once."""

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ...models import PublicationStatus, cites_sources, set_publication_status
from ..checks import refused_publication

# What an action reports, by the status it moves records to.
DONE = {
    PublicationStatus.PUBLISHED: _("%(count)d %(items)s published."),
    PublicationStatus.ARCHIVED: _("%(count)d %(items)s archived."),
    PublicationStatus.DRAFT: _("%(count)d %(items)s returned to draft."),
}


def stored_publication_status(obj):
    """Return the publication status ``obj`` has in the database, or None.

    Compared with the stored row, not the form's initial data: reverting to
    an earlier version starts from that version's status, not the stored one.
    """
    if obj.pk is None:
        return None
    return (
        type(obj)
        ._default_manager.filter(pk=obj.pk)
        .values_list("publication_status", flat=True)
        .first()
    )


class PublishingAdmin:
    """Publish, archive or return to draft, saying who did it and when.

    The actions save each record that changes state (not ``QuerySet.update()``,
    which would skip its history and the page cache's signals), and the change
    form notes who and when whenever it changes the status. Both, and imports,
    go through ``programs.models.set_publication_status``.
    """

    actions = ["publish", "archive", "unpublish"]

    @admin.action(description=_("Publish selected"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_publication_status(request, queryset, PublicationStatus.PUBLISHED)

    @admin.action(description=_("Archive selected"), permissions=["change"])
    def archive(self, request, queryset):
        self._set_publication_status(request, queryset, PublicationStatus.ARCHIVED)

    # Named `unpublish` since before archiving existed; bookmarks and tests use it.
    @admin.action(description=_("Return to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_publication_status(request, queryset, PublicationStatus.DRAFT)

    def _set_publication_status(self, request, queryset, status):
        selected = queryset.count()
        queryset = self.scoped_for_change(request, queryset)
        allowed = queryset.count()
        moving = queryset.exclude(publication_status=status).order_by("pk")
        if status == PublicationStatus.PUBLISHED and cites_sources(self.model):
            moving = moving.prefetch_related("sources")
        changed, refused = 0, []
        # One save per record: each writes a version to the record's history,
        # with who did it, and its signal invalidates the cached public pages.
        for obj in moving:
            stored = obj.publication_status
            set_publication_status(obj, status, request.user, stored=stored)
            problem = refused_publication(obj, stored)
            if problem is not None:
                obj.publication_status = stored
                refused.append((obj, problem))
                continue
            obj._history_user = request.user
            obj.save(
                update_fields=[
                    "publication_status",
                    "publication_changed_at",
                    "publication_changed_by",
                    # Raised on save: a form opened before this is out of date.
                    "version",
                    "updated_at",
                ]
            )
            changed += 1
        unchanged = allowed - changed - len(refused)
        self._report(request, status, changed, unchanged, selected - allowed)
        self._report_refused(request, refused)

    def _report_refused(self, request, refused):
        """Name each record the rules kept from publication, and why."""
        for obj, problem in refused:
            self.message_user(
                request,
                _("“%(record)s” was not published. %(why)s")
                % {"record": obj, "why": problem.message},
                messages.ERROR,
            )

    def _report(self, request, status, changed, unchanged, skipped):
        """Say how many records moved, were already there, or were not theirs."""
        self.message_user(
            request,
            DONE[status]
            % {"count": changed, "items": model_ngettext(self.opts, changed)},
        )
        if unchanged:
            self.message_user(
                request,
                ngettext(
                    "%(count)d was already “%(status)s”.",
                    "%(count)d were already “%(status)s”.",
                    unchanged,
                )
                % {"count": unchanged, "status": status.label},
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d %(items)s skipped: you may not change it.",
                    "%(count)d %(items)s skipped: you may not change them.",
                    skipped,
                )
                % {
                    "count": skipped,
                    "items": model_ngettext(self.opts, skipped),
                },
                messages.WARNING,
            )

    def note_publication_change(self, request, obj):
        """Note who moved ``obj`` to its publication status, if the form moved it.

        Called by RecordAdmin.save_model before the record is saved.
        """
        set_publication_status(
            obj,
            obj.publication_status,
            request.user,
            stored=stored_publication_status(obj),
        )

    def get_list_display(self, request):
        # Every list shows each record's state.
        list_display = list(super().get_list_display(request))
        if "publication_status" not in list_display:
            list_display.append("publication_status")
        return list_display
