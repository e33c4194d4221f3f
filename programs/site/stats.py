"""
Counts of public records for the home page and the statistics page, and the
charts that show them (their geometry is in programs.site.charts).

The counting functions cost one query each, however many records there are.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import CharField, Count, F, OuterRef, Value
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ..kinds import PROGRAMME_KINDS
from ..models import District, ResearchField, count_of
from ..models.base import active_and_other_language, in_language
from .charts import Bar, Group, layout_chart

# By key, in the order the charts and the home page list them.
KINDS = {kind.key: kind for kind in PROGRAMME_KINDS}

# The kinds that have a research field, and the lookup that reaches it: the
# one behind their list's ?field= filter, which each count links to.
FIELD_LOOKUPS = {
    kind.key: kind.research_field_lookup
    for kind in PROGRAMME_KINDS
    if kind.research_field_lookup
}


# Counting -------------------------------------------------------------------


def districts_with_counts():
    """Return public districts, each with ``<key>_count`` public records per kind.

    The counts include demo records; ``demo_count`` says how many of all of
    them are, so that a page can say so.
    """
    return District.objects.public().annotate(
        **{
            f"{key}_count": count_of(
                kind.model.objects.public().filter(district=OuterRef("pk"))
            )
            for key, kind in KINDS.items()
        },
        demo_count=sum(
            count_of(
                kind.model.objects.public().filter(
                    district=OuterRef("pk"), is_demo=True
                )
            )
            for kind in KINDS.values()
        ),
    )


def fields_with_counts():
    """Return public research fields, each with ``<key>_count`` public records."""
    return ResearchField.objects.public().annotate(
        **{
            f"{key}_count": count_of(
                KINDS[key].model.objects.public().filter(**{lookup: OuterRef("pk")})
            )
            for key, lookup in FIELD_LOOKUPS.items()
        }
    )


def counts_by(expression_for):
    """Return {(kind key, value): count} of public records, in one query.

    ``expression_for(model)`` gives the value to group each kind's records by,
    or None to leave that kind out. Records whose value is NULL are not counted.
    """
    parts = []
    for key, kind in KINDS.items():
        expression = expression_for(kind.model)
        if expression is None:
            continue
        parts.append(
            kind.model.objects.public()
            .order_by()
            .annotate(value=expression)
            .filter(value__isnull=False)
            .values("value")
            .annotate(kind=Value(key, output_field=CharField()), n=Count("pk"))
            .values_list("kind", "value", "n")
        )
    rows = parts[0].union(*parts[1:], all=True)
    return {(key, value): n for key, value, n in rows}


def counts_by_year():
    """Return {(kind key, year): count}, by the year of each kind's ``date_field``."""
    return counts_by(
        lambda model: ExtractYear(model.date_field) if model.date_field else None
    )


def counts_by_status():
    """Return {(kind key, status): count} of public records."""
    return counts_by(lambda model: F("status"))


# Charts ---------------------------------------------------------------------


@dataclass
class Chart:
    """A bar chart and the table of its numbers.

    ``series`` names the table's columns when every group has one bar per
    series, in that order; when empty, the table lists each group's bars.
    """

    key: str
    title: str
    description: str
    # The heading of the table's first column: what the rows are.
    row_heading: str
    groups: list
    series: list

    @property
    def is_empty(self):
        """Return True when there is nothing to draw."""
        return not any(bar.value for group in self.groups for bar in group.bars)

    @cached_property
    def layout(self):
        """Return where the chart's bars and texts go, measured in this language."""
        return layout_chart(self.groups, note=gettext("none on record"))


def _name(record):
    """Return ``record``'s name in the page's language and its tag if it fell back."""
    text, tag = in_language(record, "name")
    (_suffix, active_tag), _other = active_and_other_language()
    return text, "" if tag == active_tag else tag


def _bar(kind, value, **query):
    """Return a kind's bar: its label, its count, and its list filtered so."""
    return Bar(kind.label, value, kind.key, kind.list_url(**query))


def district_bars(district):
    """Return a district's public records per kind, linked to the filtered lists."""
    return tuple(
        _bar(kind, getattr(district, f"{key}_count"), district=district.slug)
        for key, kind in KINDS.items()
    )


def by_what_it_holds(district):
    """Sort key: districts with the most on file first, then the most announced.

    For a page's district cards, each with its ``counts`` (district_bars) and
    its ``figures``: a visitor's first card, on a phone the only one in view,
    is then one with something to show, not an empty one first by name.
    """
    on_file = sum(count.value for count in district.counts)
    return (-on_file, -len(district.figures), district.name)


def district_chart(districts):
    """Return the chart of each kind's records per district."""
    groups = []
    for district in districts:
        label, lang = _name(district)
        groups.append(Group(label, district_bars(district), lang))
    return Chart(
        "district",
        _("Records by district"),
        _("Published records of each kind in each district."),
        _("District"),
        groups,
        _series(KINDS),
    )


def year_chart(counts):
    """Return the chart of each kind's records per year, from counts_by_year()."""
    years = sorted({year for _key, year in counts})
    kinds = {key: KINDS[key] for key in KINDS if KINDS[key].model.date_field}
    groups = [
        Group(
            str(year),
            tuple(
                _bar(kind, counts.get((key, year), 0), year=year)
                for key, kind in kinds.items()
            ),
        )
        for year in years
    ]
    return Chart(
        "year",
        _("Records by year"),
        _(
            "Published records of each kind by the year they were signed, announced,"
            " set up or appointed. Records without a date are not counted."
        ),
        _("Year"),
        groups,
        _series(kinds),
    )


def field_chart(fields):
    """Return the chart of records per research field, leaving out empty fields."""
    kinds = {key: KINDS[key] for key in FIELD_LOOKUPS}
    groups = []
    for field in fields:
        bars = tuple(
            _bar(kind, getattr(field, f"{key}_count"), field=field.slug)
            for key, kind in kinds.items()
        )
        if any(bar.value for bar in bars):
            label, lang = _name(field)
            groups.append(Group(label, bars, lang))
    return Chart(
        "field",
        _("Records by field"),
        _("Published projects, workstations, experts and entrepreneurs per field."),
        _("Field"),
        groups,
        _series(kinds),
    )


def status_chart(counts):
    """Return the chart of each kind's records per status, from counts_by_status()."""
    groups = [
        Group(
            kind.label,
            tuple(
                Bar(
                    label, counts.get((key, value), 0), key, kind.list_url(status=value)
                )
                for value, label in kind.model.Status.choices
            ),
        )
        for key, kind in KINDS.items()
    ]
    return Chart(
        "status",
        _("Records by status"),
        _("Published records of each kind by their status."),
        _("Status"),
        groups,
        [],
    )


def _series(kinds):
    return [(key, kind.label) for key, kind in kinds.items()]


def all_charts(districts=None):
    """Return the statistics page's charts, in four queries.

    ``districts`` is ``districts_with_counts()``, when the caller has it.
    """
    return [
        district_chart(districts_with_counts() if districts is None else districts),
        year_chart(counts_by_year()),
        field_chart(fields_with_counts()),
        status_chart(counts_by_status()),
    ]


class StatisticsView(TemplateView):
    """Records by district, year, field and status, as charts and tables."""

    template_name = "programs/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        districts = list(districts_with_counts())
        context["charts"] = all_charts(districts)
        # Demo records have a district, so the districts' counts hold them all.
        context["demo_count"] = sum(district.demo_count for district in districts)
        return context
