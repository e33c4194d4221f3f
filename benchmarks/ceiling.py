"""
The benchmark's ceiling: the least a database-backed Django response can do.

``/_bench/ceiling/<list>/`` answers with the same 25 rows as the first page of
that list (``/projects/`` and so on), in the list's order, as JSON: one query
reading a few columns with ``values()``, no template, no FilterSet, no count.
Measured beside the real pages (benchmarks/run.py), it shows how much of a
page's cost is the page rather than Django, the database and the server.

Routed only by ``benchmarks.urls``, the URLconf of ``benchmarks.settings``:
never on a real site.
"""

import functools

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import translation

from programs.kinds import KINDS


@functools.cache
def ceiling_lists():
    """Return {list path segment: kind} for every public list.

    Read from the URLconf once, so that each request costs what it did.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return {reverse(kind.list_url_name).strip("/"): kind for kind in KINDS}


def ceiling(request, kind):
    """Return the first page of the ``kind`` list's rows as JSON, in one query."""
    kind = ceiling_lists().get(kind)
    if kind is None:
        raise Http404
    columns = ("slug", *kind.name_fields)
    # .public() keeps the model's ordering, which is the list's default order.
    rows = list(kind.model.objects.public().values(*columns)[: settings.PAGE_SIZE])
    return JsonResponse({"results": rows})
