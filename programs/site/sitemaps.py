"""
The sitemap at /sitemap.xml: the fixed pages and every published record, each
in English and Chinese with ``hreflang`` alternates and an ``x-default``.

Each section of records costs one query, however many records it lists.
"""

from functools import partial

from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from ..models import (
    Agreement,
    District,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    Source,
    Workstation,
)

# The pages that are not a record, by URL name. Names that do not resolve
# (pages still to be built) are left out rather than failing the sitemap.
STATIC_PAGES = (
    "programs:home",
    "programs:district-list",
    "programs:organization-list",
    "programs:agreement-list",
    "programs:project-list",
    "programs:workstation-list",
    "programs:expert-list",
    "programs:entrepreneur-list",
    "programs:source-list",
    "programs:stats",
    "programs:search",
)


class BilingualSitemap(Sitemap):
    """A sitemap section listing every page in both languages."""

    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(BilingualSitemap):
    """The home page and the list pages."""

    def items(self):
        return [name for name in STATIC_PAGES if _resolves(name)]

    def location(self, item):
        return reverse(item)


def _resolves(url_name):
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


class RecordSitemap(BilingualSitemap):
    """The published records of one kind, last modified when last edited."""

    def __init__(self, model):
        self.model = model

    def items(self):
        # get_absolute_url() needs only the slug; ordered for stable paging.
        return self.model.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


# Classes and partials, not instances: the sitemap view builds a fresh section
# per request, so no state (such as latest_lastmod) is shared between requests.
SITEMAPS = {
    "pages": StaticPagesSitemap,
    **{
        model._meta.model_name: partial(RecordSitemap, model)
        for model in (
            District,
            Organization,
            Agreement,
            Project,
            Workstation,
            Expert,
            Entrepreneur,
            Source,
        )
    },
}
