"""
The rows of a filtered list, compiled once per process for each query string.

A filtered list whose parts are kept (list_parts.py) still built a FilterSet
on every request, validated its form, filtered, ordered and compiled the
query, for SQL that was the same each time: skipping them took a third off
the page in-process (``?district=…&status=…`` at 50,000 experts, 8.1-8.4 ms
to 5.4-5.9). That SQL depends on the list,
the language (an order by name follows pinyin on Chinese pages) and the query
string, nothing else: the filters compare with stored slugs and values, and
read no row to decide what to ask. So the first request for a query string
compiles it (``read_and_keep``) and later ones read its rows with new bounds
(``find``), as the first pages of a list with no filter set do
(``first_rows`` in records.py).

Only where its parts are kept without form errors: the form was then valid
under the current content version, and its count, facets and filter form are
in those parts. A page past the first ones reads its keys first (paging.py),
which needs the queryset, and builds the FilterSet as before.

Bounded: at ``MOST_QUERY_STRINGS`` compiled queries the lot is dropped, which
is what a crawler walking every combination of filters costs.
"""

from django.core.exceptions import EmptyResultSet
from django.utils.translation import get_language

from ..compiled_queries import CompiledRows
from .list_parts import selection_of

MOST_QUERY_STRINGS = 512

_compiled = {}  # (list view class, language, selection) -> CompiledRows


def key_of(view_class, query):
    """Return the key of ``view_class``'s rows for ``query`` (a QueryDict)."""
    return (view_class, get_language(), selection_of(query))


def find(view_class, query):
    """Return the compiled rows of ``view_class`` for ``query``, or None."""
    return _compiled.get(key_of(view_class, query))


def read_and_keep(view_class, query, rows, start, stop, using):
    """Return rows ``start`` to ``stop`` of ``rows``, ``view_class``'s list
    filtered by ``query`` as a values_list, and keep them compiled."""
    compiled = CompiledRows(lambda: rows)
    try:
        found = compiled.read(start, stop, using)
    except EmptyResultSet:
        # Filters no row can match, which Django finds while compiling and
        # answers with no query: nothing to keep.
        return []
    if len(_compiled) >= MOST_QUERY_STRINGS:
        _compiled.clear()
    _compiled[key_of(view_class, query)] = compiled
    return found
