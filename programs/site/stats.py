"""
The statistics page's charts of public records by district, year, field and
status (their geometry is in programs.site.charts), and the district cards'
counts that the home and zone pages share.

The counts come from the summary kept for the content version
(programs/site/aggregates.py), and the page's content is kept rendered under
the same version (``kept``): a page costs the version and the layout around
it however many records there are, and counts and draws nothing itself
unless an edit's refresh has not kept them.
"""

from dataclasses import dataclass
from functools import cached_property

from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ..models import District, ResearchField
from ..models.base import active_and_other_language, in_language
from .aggregates import FIELD_LOOKUPS, KINDS, current_summary, keeps, kept_html
from .charts import Bar, Group, layout_chart
from .records import public_figures


def districts_with_counts(summary, districts=None):
    """Return ``districts``, each with its ``<key>_count``s and ``demo_count``.

    ``districts`` defaults to the public districts; the counts are of public
    records, from ``summary`` (aggregates.Summary). One query, for the districts.
    """
    if districts is None:
        districts = District.objects.public()
    districts = list(districts)
    for district in districts:
        for key in KINDS:
            count = summary.by_district.get((key, district.pk), 0)
            setattr(district, f"{key}_count", count)
        district.demo_count = summary.demo_by_district.get(district.pk, 0)
    return districts


@keeps("figures")
def figures():
    """Return the published figures that the district cards show.

    Each with its records on file and the paragraphs it cites; kept under the
    content version by the zone page, and in the home page's content.
    """
    return list(public_figures())


def fields_with_counts(summary):
    """Return public research fields, each with ``<key>_count`` public records."""
    fields = list(ResearchField.objects.public())
    for field in fields:
        for key in FIELD_LOOKUPS:
            setattr(field, f"{key}_count", summary.by_field.get((key, field.pk), 0))
    return fields


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
    """Return the chart of each kind's records per year (Summary.by_year)."""
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
    """Return the chart of each kind's records per status (Summary.by_status)."""
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


def all_charts(summary, districts):
    """Return the statistics page's charts, from ``summary`` (aggregates.Summary).

    ``districts`` is ``districts_with_counts(summary)``; one query, for the
    fields.
    """
    return [
        district_chart(districts),
        year_chart(summary.by_year),
        field_chart(fields_with_counts(summary)),
        status_chart(summary.by_status),
    ]


class StatisticsView(TemplateView):
    """Records by district, year, field and status, as charts and tables."""

    template_name = "programs/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["content"] = kept_html(self.request, "statistics")
        return context


@keeps("statistics")
def statistics_content():
    """Return the statistics page's content, rendered in the active language.

    Kept rendered: laying out and drawing the charts, not counting, was what
    the page cost (13.8 of its 14 ms at 100,000 records).
    """
    summary = current_summary()
    districts = districts_with_counts(summary)
    return render_to_string(
        "includes/stats_content.html",
        {
            "charts": all_charts(summary, districts),
            # Demo records have a district, so the districts' counts hold them all.
            "demo_count": sum(district.demo_count for district in districts),
        },
    )
