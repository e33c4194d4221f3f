"""
Facet counts: beside each option of a list's choice filters, how many records
choosing it would give ("Qingpu (12)").

A facet is counted with every other filter the visitor set (the search, the
organization, the year, the other choices) but not its own value, as faceted
search does: the counts say what switching to each option would show, not
how the current selection splits. An option that would give nothing is
disabled, except the one chosen, which stays selectable so that the form
still sends it back.

Each facet costs one grouped query (``values_list(field).annotate(Count)``),
so a page costs the same number of queries however many rows or options
there are; the counts are then kept in the cache under the content version,
for the same filters, until an edit. Only the HTML page counts: a list makes
its filter form in ``get_context_data`` (records.py, list_parts.py), which the
exports (``ExportMixin.get`` answers before it) and the API (its own views over
the same FilterSets) never reach.
"""

import hashlib
import logging
import time

from django import forms
from django.core.cache import cache
from django.db.models import Count
from django.utils.translation import gettext
from django_filters import OrderingFilter

from .cache import REST_SECONDS

logger = logging.getLogger(__name__)

# Counts are kept under the content version (facet_key); a day bounds what
# the cache holds of versions gone by.
FACET_CACHE_SECONDS = 24 * 60 * 60

# The choice filters that are counted, wherever a list has one of them.
FACETS = ("district", "status", "kind", "in_demonstration_zone")


def option_value(value):
    """Return a grouped database value as its option's value ("true" for True)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def selection_without(filterset, name):
    """Return the records every filter of ``filterset`` but ``name`` selects.

    The same filtering as ``FilterSet.filter_queryset``, one filter left out.
    """
    queryset = filterset.queryset.all()
    cleaned_data = filterset.form.cleaned_data if filterset.is_bound else {}
    for other, value in cleaned_data.items():
        if other != name:
            queryset = filterset.filters[other].filter(queryset, value)
    return queryset


def count_facet(filterset, name):
    """Return ``{option value: number of records}`` for ``name``, in one query.

    Counted as the list counts its rows: distinct records only where the
    selection is distinct. ``COUNT(DISTINCT …)`` sorts every matching row, and
    took 47 of a facet's 66 ms at 100,000 records; the filters, a related
    record's slug each, never match a record twice.
    """
    field_name = filterset.filters[name].field_name
    selection = selection_without(filterset, name)
    rows = (
        selection.order_by()
        .values_list(field_name)
        .annotate(records=Count("pk", distinct=selection.query.distinct))
    )
    return {
        option_value(value): records for value, records in rows if value is not None
    }


class FacetSelect(forms.Select):
    """A select whose options that would give no record are disabled.

    The chosen option never is: a disabled option cannot be submitted, so the
    filter would silently fall away on the next "Apply filters".
    """

    def __init__(self, attrs=None, choices=(), empty=()):
        super().__init__(attrs, choices)
        self.empty = frozenset(empty)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.empty and not option["selected"]:
            option["attrs"]["disabled"] = True
        return option


def with_count(label, records):
    # Its own message, so that Chinese can use full-width brackets.
    return gettext("%(label)s (%(count)s)") % {"label": label, "count": records}


def facet_key(filterset, name, version):
    """Return the cache key of ``name``'s counts under the filters set.

    Tagged with the content version, so an edit makes every key new and no
    count is served stale; the sort order and the page change no count.
    """
    cleaned_data = filterset.form.cleaned_data if filterset.is_bound else {}
    selection = sorted(
        (other, str(value))
        for other, value in cleaned_data.items()
        if other != name
        and value not in (None, "", [])
        and not isinstance(filterset.filters[other], OrderingFilter)
    )
    digest = hashlib.sha256(repr(selection).encode()).hexdigest()[:32]
    label = filterset.queryset.model._meta.label_lower
    return f"facets:{version}:{label}:{name}:{digest}"


class CacheRest:
    """When the cache last failed here, so that a hung server costs one
    request its timeout, not every facet of every request (as in cache.py)."""

    until = 0.0

    @classmethod
    def is_on(cls):
        return time.monotonic() < cls.until

    @classmethod
    def begin(cls):
        logger.warning("The facet cache is unavailable.", exc_info=True)
        cls.until = time.monotonic() + REST_SECONDS


def cached_count(filterset, name, version):
    """Return ``count_facet``'s counts, from the cache while still current.

    Counting groups every matching record: at 100,000 records a facet costs
    about 40 ms, more than the rest of the page. While the cache server is
    failing, the counts are made without it.
    """
    if version is None or CacheRest.is_on():
        return count_facet(filterset, name)
    key = facet_key(filterset, name, version)
    try:
        found = cache.get(key)
    except Exception:
        CacheRest.begin()
        return count_facet(filterset, name)
    if found is None:
        found = count_facet(filterset, name)
        try:
            cache.set(key, found, FACET_CACHE_SECONDS)
        except Exception:
            CacheRest.begin()
    return found


def show_counts(filterset, version):
    """Label each facet's options of ``filterset``'s form with their counts.

    Return the counts, ``{facet: {option value: records}}``. A form with
    errors is shown as it is, without counts (and without their queries):
    its list is empty until the errors are corrected.
    """
    if filterset.is_bound and not filterset.is_valid():
        return {}
    counts = {}
    for name in FACETS:
        field = filterset.form.fields.get(name)
        if field is None:
            continue
        counts[name] = found = cached_count(filterset, name, version)
        choices, empty = [], set()
        for value, label in field.widget.choices:
            if value in ("", None):
                # "All districts", "Any status": no count of its own.
                choices.append((value, label))
                continue
            records = found.get(str(value), 0)
            choices.append((value, with_count(label, records)))
            if not records:
                empty.add(str(value))
        # A new widget: the old one may be shared with the FilterSet's class.
        field.widget = FacetSelect(field.widget.attrs, choices, empty)
    return counts


def active_count(filterset):
    """Return how many filters the visitor set; the sort order is not one."""
    data = filterset.data or {}
    return sum(
        1
        for name, each in filterset.filters.items()
        if not isinstance(each, OrderingFilter) and str(data.get(name, "")).strip()
    )
