"""
The parts of a list page that change only when the content does, kept in the
cache under the content version (cache.py) and read in one ``get_many``.

A list page is the same rows, filter form and figures for everyone until an
edit, but making it uncached is mostly making those parts: counting the
matches (a ``COUNT(*)`` over every record), the district choices, the facet
counts and the filter form they label (facets.py), and what sources announce
about the kind, with a subquery per figure counting what is on file. Kept
under the version, an edit makes every key new, so nothing is served stale.
The parts of every list with no filter set are made again when the edit
commits (``keep_unfiltered_lists`` in records.py, run by aggregates.refresh),
so the first visitor after an edit finds them; a filtered list makes its own
on its first request. Each process keeps copies of what it read
(local_copies.py).

What is kept for one page, ``ListParts``, is keyed on the language (the form
and the figures are translated), the kind and the query string without the
page number (the same filters and sort give the same form and count on every
page). The district choices are kept apart, per language: every list with a
district filter shares them, filtered or not.

While the cache server is failing (``facets.CacheRest``, or the page cache's
``request.cache_resting``) nothing is read or kept: the page is made as if
there were no cache.
"""

import hashlib
from dataclasses import dataclass

from django.utils.translation import get_language

from . import local_copies
from .cache import content_version
from .facets import CacheRest

# Kept under the content version, so an edit makes them unreachable; a day
# bounds what the cache holds of versions gone by.
LIST_PARTS_SECONDS = 24 * 60 * 60
# Changed with ListParts' fields or what renders them, so that a new release
# never reads kept parts of another shape or wording.
KEY_PREFIX = "list-parts-2"


@dataclass(frozen=True)
class ListParts:
    """What a list page shows that only an edit changes, rendered.

    ``filter_form`` and ``announced`` are HTML (includes/filter_form.html,
    includes/announced.html); ``any_announced`` says whether a source
    announces anything about the list's kind (the empty list then says so).
    """

    count: int
    filter_form: str
    form_errors: bool
    announced: str
    any_announced: bool


def version_to_keep_under(request):
    """Return the content version to keep parts under, or None to keep none.

    The page cache read it already for an anonymous visitor; it is read here
    otherwise, once per request.
    """
    if getattr(request, "cache_resting", False) or CacheRest.is_on():
        return None
    version = getattr(request, "content_version", None)
    if version is None:
        version = request.content_version = content_version()
    return version


def selection_of(query):
    """Return what ``query`` (a QueryDict) selects and sorts, in a canonical
    form: every parameter but the page number, each with its values."""
    return tuple(
        sorted(
            (name, tuple(values)) for name, values in query.lists() if name != "page"
        )
    )


def parts_key(version, model, query):
    """Return the key of a list's parts for ``query`` (a QueryDict)."""
    digest = hashlib.sha256(repr(selection_of(query)).encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{version}:{get_language()}:{model._meta.label_lower}:{digest}"


def districts_key(version):
    """Return the key of the district choices in the active language."""
    return f"{KEY_PREFIX}:{version}:{get_language()}:districts"


class KeptParts:
    """The parts one list request found kept, and where to keep what it makes."""

    def __init__(self, request, model):
        self.version = version_to_keep_under(request)
        self.found = {}
        if self.version is None:
            return
        self.keys = {
            "parts": parts_key(self.version, model, request.GET),
            "districts": districts_key(self.version),
        }
        try:
            found = local_copies.get_many(self.keys.values())
        except Exception:
            CacheRest.begin()
            self.version = None
            return
        self.found = {
            name: found[key] for name, key in self.keys.items() if key in found
        }

    def get(self, name):
        """Return the kept ``parts`` or ``districts``, or None."""
        return self.found.get(name)

    def keep(self, name, value):
        """Keep ``value`` as ``name`` under the version, unless the cache fails."""
        if self.version is None or name in self.found:
            return
        try:
            local_copies.set_many({self.keys[name]: value}, LIST_PARTS_SECONDS)
        except Exception:
            CacheRest.begin()
            self.version = None
