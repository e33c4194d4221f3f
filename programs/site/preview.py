"""
Staff previews: a record's public page before it is public.

A draft (or archived) record has no public page: its address answers 404. Staff
who may view the record in the admin can see it at ``preview_url(record)``
instead, under a banner saying that it is not public, in either language.

The preview is each kind's own public detail view (``records.py``) with the
record taken from all records rather than the published ones, so it renders
with the very same template and related data. Everything else on the page
stays public-only (related records, sources, figures): the preview shows the
page as visitors will see it once the record is published, not the drafts
around it.

Anyone else, signed in or not, gets the same 404 as an address naming no
record, before the record is even looked up: the preview never tells a visitor
that a draft exists.

A preview is never stored. The page cache (``cache.py``) considers only
anonymous visitors, who are refused; every preview also says
``Cache-Control: private, no-store`` so that neither that cache nor a browser
or proxy keeps it, and ``noindex`` (header and ``<meta>``) in case its address
leaks to a search engine.
"""

from django.contrib.auth import get_permission_codename
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from ..kinds import KINDS, kind_of
from ..models import PublicationStatus
from . import records


def may_preview(user, model):
    """Return True if ``user`` may view ``model``'s records in the admin.

    As the admin decides: active staff holding the model's ``view`` or
    ``change`` permission; superusers hold every permission.
    """
    if not (user.is_active and user.is_staff):
        return False
    opts = model._meta
    return any(
        user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in ("view", "change")
    )


class PreviewMixin:
    """A public detail view that shows staff any record of its kind.

    It goes first in the bases, before the ``PublicDetailView`` whose queryset
    it replaces (``test_preview`` pins the order).
    """

    def dispatch(self, request, *args, **kwargs):
        if not may_preview(request.user, self.model):
            raise Http404
        response = super().dispatch(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        add_never_cache_headers(response)
        return response

    def get_queryset(self):
        # PublicDetailView's queryset without .public(), so that the page costs
        # the same queries. Its prefetches stay public-only, as they must.
        return self.model.objects.select_related(*self.select_related)

    def get(self, request, *args, **kwargs):
        # A published record is sent to its public page rather than shown
        # here: that page is what visitors see, at the one address that
        # search engines index, and a link to the preview made while the
        # record was a draft keeps working once it is published.
        self.object = self.get_object()
        if self.object.is_public:
            return redirect(self.object)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        context["preview"] = {
            "archived": self.object.publication_status == PublicationStatus.ARCHIVED,
            "admin_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[self.object.pk],
            ),
        }
        return context


def preview_view_of(kind):
    """Return the preview view class of ``kind``: its public detail view, previewed.

    Built here rather than written out per kind: each would be one line naming
    the detail view that ``records.py`` already names ``<Model>DetailView``.
    """
    detail_view = getattr(records, f"{kind.model.__name__}DetailView")
    return type(f"{kind.model.__name__}PreviewView", (PreviewMixin, detail_view), {})


PREVIEW_VIEWS = {kind.key: preview_view_of(kind) for kind in KINDS}
_VIEW_FUNCTIONS = {key: view.as_view() for key, view in PREVIEW_VIEWS.items()}


def preview(request, key, slug):
    """Show staff the record of kind ``key`` and ``slug``, whatever its status."""
    view = _VIEW_FUNCTIONS.get(key)
    if view is None:
        raise Http404
    return view(request, slug=slug)


def preview_url(record):
    """Return the address of ``record``'s preview, in the active language.

    Only the kinds of ``programs.kinds`` have pages to preview; a published
    record's preview redirects to its public page.
    """
    kind = kind_of(record)
    if kind is None:
        raise ValueError(f"{type(record).__name__} records have no public page.")
    return reverse("programs:preview", kwargs={"key": kind.key, "slug": record.slug})
