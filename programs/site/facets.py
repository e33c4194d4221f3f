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
there are. Only the HTML page counts: ``FacetedListMixin`` works in
``get_context_data``, which the exports (``ExportMixin.get`` answers before
it) and the API (its own views over the same FilterSets) never reach.
"""

from django import forms
from django.db.models import Count
from django.utils.translation import gettext
from django_filters import OrderingFilter

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

    Distinct records: a filter through a many-to-many relation could otherwise
    count a record once per related row.
    """
    field_name = filterset.filters[name].field_name
    rows = (
        selection_without(filterset, name)
        .order_by()
        .values_list(field_name)
        .annotate(records=Count("pk", distinct=True))
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


def show_counts(filterset):
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
        counts[name] = found = count_facet(filterset, name)
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


class FacetedListMixin:
    """A FilterView whose page shows facet counts and how many filters are on.

    Put before the FilterView in the bases: it needs ``self.filterset``,
    which ``BaseFilterView.get`` sets before asking for the context.
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["facet_counts"] = show_counts(self.filterset)
        context["active_filters"] = active_count(self.filterset)
        return context
