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

from django.conf import settings
from django.http import Http404, JsonResponse

from programs.models import (
    Agreement,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    Workstation,
)

# The lists the ceiling can stand beside, by their URL path segment.
CEILING_LISTS = {
    "organizations": Organization,
    "agreements": Agreement,
    "projects": Project,
    "workstations": Workstation,
    "experts": Expert,
    "entrepreneurs": Entrepreneur,
}

COLUMNS = ("slug", "name_en", "name_zh")


def ceiling(request, kind):
    """Return the first page of the ``kind`` list's rows as JSON, in one query."""
    model = CEILING_LISTS.get(kind)
    if model is None:
        raise Http404
    # .public() keeps the model's ordering, which is the list's default order.
    rows = list(model.objects.public().values(*COLUMNS)[: settings.PAGE_SIZE])
    return JsonResponse({"results": rows})
