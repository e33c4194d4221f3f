"""
The home page: the zone at a glance. Per district the records on file and the
announced figures, the latest agreements and projects, and the latest events
of the timeline (programs/site/timeline.py).

One query, the districts, however many records. The figures with the
paragraphs they cite and the latest records are kept in the cache under the
content version, the counts in its summary (aggregates.py): both are made
again when an edit commits, and by the page if missing.
"""

from django.views.generic import TemplateView

from .aggregates import keeps, kept, summary_for
from .related import latest_of_each
from .stats import by_what_it_holds, district_bars, districts_with_counts
from .timeline import EVENT_KINDS, HOME_LENGTH, latest_events

LATEST_LENGTH = 5


class HomeView(TemplateView):
    """The zone at a glance: districts, figures, latest records and events."""

    template_name = "programs/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        districts = districts_with_counts(summary_for(self.request))
        parts = kept(self.request, "figures", "latest")
        figures = parts["figures"]
        for district in districts:
            district.counts = district_bars(district)
            district.figures = [f for f in figures if f.district_id == district.pk]
            district.on_file = sum(count.value for count in district.counts)
        context["districts"] = sorted(districts, key=by_what_it_holds)
        context["zone_figures"] = [f for f in figures if f.district_id is None]

        groups = parts["latest"]
        context["latest_agreements"] = groups["agreement"][:LATEST_LENGTH]
        context["latest_projects"] = groups["project"][:LATEST_LENGTH]
        context["timeline"] = latest_events(groups)
        return context


@keeps("latest")
def latest_groups():
    """Return {kind key: latest public records} for the timeline's kinds.

    Enough of each kind that the timeline's latest events are all there.
    """
    return {
        group.key: group.rows
        for group in latest_of_each(
            {key: kind.model.objects.public() for key, kind in EVENT_KINDS.items()},
            limit=HOME_LENGTH,
        )
    }
