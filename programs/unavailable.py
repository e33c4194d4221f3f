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

It is Django's 500 handler (``handler500`` in talentzone/urls.py) rather than
a middleware, so that it sees a failure wherever it happens: in a view, and
equally in the middleware that reads the session, the signed-in user or the
page cache's content version before any view runs.
"""

import logging
import sys

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"
UNAVAILABLE = (
    "Temporarily unavailable: try again in a minute. 暂时无法访问，请稍后再试。"
)
FAILED = "Server error. 服务器错误。"
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


def server_error(request):
    """Render the 503 page for a database outage, Django's 500 page otherwise.

    The API answers in JSON either way, as it does every error.
    """
    exception = sys.exc_info()[1]  # the one being handled, when this runs
    api = request.path.startswith(API_PREFIX)
    if not isinstance(exception, DATABASE_UNREACHABLE):
        if api:
            return JsonResponse({"detail": FAILED}, status=500)
        return defaults.server_error(request)
    logger.warning("The database is unavailable: %s", exception)
    if api:
        response = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        response = render(request, "503.html", {"user": AnonymousUser()}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Neither the page cache nor a proxy may keep the outage after it ends.
    add_never_cache_headers(response)
    return response
