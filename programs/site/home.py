"""
The home page: the zone at a glance. Per district the records on file and the
announced figures, the latest agreements and projects, and a short timeline
of signings, in three queries.
"""

from dataclasses import dataclass

from django.views.generic import TemplateView

from ..kinds import KINDS
from .records import public_figures
from .related import latest_of_each
from .stats import district_bars, districts_with_counts

LATEST_LENGTH = 5
TIMELINE_LENGTH = 8

# The kinds whose dates are events on the timeline, and what each date marks.
TIMELINE_KINDS = {kind.key: kind for kind in KINDS if kind.event}


@dataclass(frozen=True)
class Signing:
    """One dated event on the home page's timeline."""

    date: object
    event: str
    record: object


class HomeView(TemplateView):
    """The zone at a glance: districts, figures, latest records and signings."""

    template_name = "programs/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        districts = list(districts_with_counts())
        figures = list(public_figures())
        for district in districts:
            district.counts = district_bars(district)
            district.figures = [f for f in figures if f.district_id == district.pk]
        context["districts"] = districts
        context["zone_figures"] = [f for f in figures if f.district_id is None]

        # Enough of each kind that the timeline's latest events are all there.
        groups = {
            group.key: group.rows
            for group in latest_of_each(
                {
                    key: kind.model.objects.public()
                    for key, kind in TIMELINE_KINDS.items()
                },
                limit=TIMELINE_LENGTH,
            )
        }
        context["latest_agreements"] = groups["agreement"][:LATEST_LENGTH]
        context["latest_projects"] = groups["project"][:LATEST_LENGTH]
        context["timeline"] = timeline(groups)
        return context


def timeline(rows_by_key, length=TIMELINE_LENGTH):
    """Return the latest ``length`` dated signings, oldest first."""
    signings = [
        Signing(row.date, TIMELINE_KINDS[key].event, row)
        for key, rows in rows_by_key.items()
        for row in rows
        if row.date is not None
    ]
    signings.sort(key=lambda signing: signing.date, reverse=True)
    return sorted(signings[:length], key=lambda signing: signing.date)
