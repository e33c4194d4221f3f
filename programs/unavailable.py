"""
A 503 with ``Retry-After`` instead of a 500 when the database is unreachable.

An unreachable database is an outage to wait out, not a bug: the answer says
so to visitors, to crawlers (which keep the page indexed and come back) and to
the load balancer. The page is the site's own look, ``templates/503.html``,
because ``base.html`` renders without a query once the visitor is left out:
its navigation comes from the registry of kinds and ``{% url %}``, its
language switcher from the request. Only the footer's staff link reads the
visitor, which can mean reading the session from the database, so the page
is rendered for an anonymous visitor.

It only sees exceptions raised by views (``process_exception``): a middleware
that reads the session before the view still fails with the 500 page.
"""

import logging

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Answer 503 when a view fails because the database cannot be reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        """Render the 503 page for a database outage; leave other errors alone."""
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.warning("The database is unavailable: %s", exception)
        response = render(request, "503.html", {"user": AnonymousUser()}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        # Neither the page cache nor a proxy may keep the outage after it ends.
        add_never_cache_headers(response)
        return response
