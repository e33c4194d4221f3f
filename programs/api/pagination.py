"""Pages of an API list: numbered, with their total and ``Link`` headers.

The total is counted once per content version and kept in the cache
(``kept_count``): counting every matching record costs more than the rest of
a page at 100,000 records (4 ms for all experts, 17 ms for one district's),
and an edit changes the version, so no total is served stale. As in
programs/site/facets.py, while the cache server is failing the totals are
counted without it.
"""

import hashlib

from django.conf import settings
from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import replace_query_param

from ..paging import bounds_of, page_by_keys, reads_keys_first, totally_ordered
from ..site import local_copies
from ..site.facets import FACET_CACHE_SECONDS, CacheRest

# A client may ask for larger pages than the site's, up to this.
MAX_PAGE_SIZE = 100


class LinkedPages(PageNumberPagination):
    """``?page=`` and ``?page_size=``; the body says the total, the headers link
    the first, previous, next and last pages (RFC 8288)."""

    page_size = settings.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(
        self, queryset, request, view=None, count=None, keys=None, first_rows=None
    ):
        """Return the page's rows, as DRF's does; with ``count`` the total is
        taken as given rather than counted.

        ``keys`` is the queryset of the records ``queryset``'s rows are read
        from, without the joins of the rows' columns: a later page walks it
        for its keys (programs/paging.py). Both must be totally ordered.
        ``first_rows``, if given, are ``queryset``'s rows compiled
        (``CompiledRows``), to read a page that does not read its keys first.
        """
        self.request = request
        if keys is None:
            queryset = keys = totally_ordered(queryset)
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        if count is not None:
            paginator.count = count
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as error:
            raise NotFound(
                self.invalid_page_message.format(
                    page_number=page_number, message=str(error)
                )
            ) from error
        if first_rows is not None and not reads_keys_first(self.page):
            return first_rows.read(*bounds_of(self.page), queryset.db)
        return list(page_by_keys(keys, self.page, queryset))

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = self.links()
        if links:
            response["Link"] = ", ".join(
                f'<{url}>; rel="{rel}"' for rel, url in links.items()
            )
        return response

    def links(self):
        page = self.page
        found = {
            "first": self.get_first_link(),
            "prev": self.get_previous_link(),
            "next": self.get_next_link(),
            "last": self._page_link(page.paginator.num_pages),
        }
        return {rel: url for rel, url in found.items() if url}

    def get_first_link(self):
        return self._page_link(1) if self.page.number > 1 else None

    def _page_link(self, number):
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, number)


def count_key(records, query, version):
    """Return the cache key of the total of ``records`` under ``version``.

    ``records`` are what the list's filters selected from the query string
    ``query``: the same query string gives the same total until an edit. The
    page and its size change no total, so they are left out of the key; every
    other parameter is kept, whichever filter reads it.
    """
    paging = {LinkedPages.page_query_param, LinkedPages.page_size_query_param}
    selection = sorted(
        (name, values) for name, values in query.lists() if name not in paging
    )
    digest = hashlib.sha256(repr(selection).encode()).hexdigest()[:32]
    return f"api-count:{version}:{records.model._meta.label_lower}:{digest}"


def kept_count(records, query, version):
    """Return how many ``records`` there are, from the cache while current."""
    if CacheRest.is_on():
        return records.count()
    key = count_key(records, query, version)
    try:
        found = local_copies.get_many([key]).get(key)
    except Exception:
        CacheRest.begin()
        return records.count()
    if found is None:
        found = records.count()
        try:
            local_copies.set_many({key: found}, FACET_CACHE_SECONDS)
        except Exception:
            CacheRest.begin()
    return found
