"""Moving records between draft, published and archived, many at once."""

from django.contrib import admin
from django.contrib.admin.utils import model_ngettext
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..cache import bump_content_version
from ..models import PublicationStatus


class PublishingAdmin:
    """Admin actions that publish and unpublish the selected records."""

    actions = ["publish", "unpublish"]

    @admin.action(description=_("Publish selected"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_publication_status(request, queryset, PublicationStatus.PUBLISHED)

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_publication_status(request, queryset, PublicationStatus.DRAFT)

    def _set_publication_status(self, request, queryset, status):
        # update() skips auto_now, so the timestamp is set here.
        changed = queryset.exclude(publication_status=status).update(
            publication_status=status, updated_at=timezone.now()
        )
        if changed:  # update() sends no signal: invalidate cached pages by hand
            bump_content_version(queryset.db)
        self.message_user(
            request,
            _("%(count)d %(items)s set to “%(status)s”.")
            % {
                "count": changed,
                "items": model_ngettext(self.opts, changed),
                "status": status.label,
            },
        )
