"""
The benchmark's ceiling: the least a database-backed Django response can do.

``/_bench/ceiling/<list>/`` answers with the same 25 rows as the first page of
that list (``/projects/`` and so on), in the list's order, as JSON: one query
reading a few columns with ``values()``, no template, no FilterSet, no count.
Measured beside the real pages (benchmarks/run.py), it shows how much of a
page's cost is the page rather than Django, the database and the server.

``/_bench/drf-floor/<list>/`` answers the same rows through Django REST
framework as the API is configured (its authentication, permissions,
throttles and renderer), with nothing of the API's own: no FilterSet, page
count, serializer or related records. It shows what the API's stack costs
before the API does anything.

Routed only by ``benchmarks.urls``, the URLconf of ``benchmarks.settings``:
never on a real site.
"""

import functools

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import translation
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.kinds import KINDS


@functools.cache
def ceiling_lists():
    """Return {list path segment: kind} for every public list.

    Read from the URLconf once, so that each request costs what it did.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return {reverse(kind.list_url_name).strip("/"): kind for kind in KINDS}


def first_rows(kind):
    """Return the first page of the ``kind`` list's rows, in one query."""
    kind = ceiling_lists().get(kind)
    if kind is None:
        raise Http404
    columns = ("slug", *kind.name_fields)
    # .public() keeps the model's ordering, which is the list's default order.
    return list(kind.model.objects.public().values(*columns)[: settings.PAGE_SIZE])


def ceiling(request, kind):
    """Return the first page of the ``kind`` list's rows as JSON, in one query."""
    return JsonResponse({"results": first_rows(kind)})


class DrfFloor(APIView):
    """The ceiling's rows through DRF with the API's settings, and no more."""

    def get(self, request, kind):
        return Response({"results": first_rows(kind)})
