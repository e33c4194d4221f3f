"""
The sitemap at /sitemap.xml: the fixed pages and every published record, each
in English and Chinese with ``hreflang`` alternates and an ``x-default``.

Each section of records costs one query, however many records it lists.
"""

from functools import partial

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..kinds import KINDS

# The pages that are not a record, by URL name: home, every list, the
# statistics page and the zone page. Not search: its pages are noindex, endless
# and say nothing the lists do not.
STATIC_PAGES = (
    "programs:home",
    *(kind.list_url_name for kind in KINDS),
    "programs:stats",
    "programs:timeline",
    "programs:zone",
)


class BilingualSitemap(Sitemap):
    """A sitemap section listing every page in both languages."""

    i18n = True
    alternates = True
    x_default = True


class StaticPagesSitemap(BilingualSitemap):
    """The home page and the list pages."""

    def items(self):
        return list(STATIC_PAGES)

    def location(self, item):
        return reverse(item)


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
    **{kind.key: partial(RecordSitemap, kind.model) for kind in KINDS},
}
