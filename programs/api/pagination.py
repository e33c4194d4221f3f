"""Pages of an API list: numbered, with their total and ``Link`` headers."""

from django.conf import settings
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import replace_query_param

# A client may ask for larger pages than the site's, up to this.
MAX_PAGE_SIZE = 100


class LinkedPages(PageNumberPagination):
    """``?page=`` and ``?page_size=``; the body says the total, the headers link
    the first, previous, next and last pages (RFC 8288)."""

    page_size = settings.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

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
