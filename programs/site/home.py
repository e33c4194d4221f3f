"""
The home page: the zone at a glance. Per district the records on file and the
announced figures, the latest agreements and projects, and the latest events
of the timeline (programs/site/timeline.py).

Everything it shows is the same for every visitor until an edit, so its
content is rendered once per content version and language and kept in the
cache (``kept``, aggregates.py): made again when an edit commits, and by the
page if missing. A page costs the content version and the layout around it.
"""

from django.template.loader import render_to_string
from django.views.generic import TemplateView

from .aggregates import current_summary, keeps, kept_html
from .related import latest_of_each
from .stats import by_what_it_holds, district_bars, districts_with_counts, figures
from .timeline import EVENT_KINDS, HOME_LENGTH, latest_events

LATEST_LENGTH = 5


class HomeView(TemplateView):
    """The zone at a glance: districts, figures, latest records and events."""

    template_name = "programs/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["content"] = kept_html(self.request, "home")
        return context


@keeps("home")
def home_content():
    """Return the home page's content, rendered in the active language."""
    districts = districts_with_counts(current_summary())
    district_figures = figures()
    for district in districts:
        district.counts = district_bars(district)
        district.figures = [f for f in district_figures if f.district_id == district.pk]
        district.on_file = sum(count.value for count in district.counts)
    groups = latest_groups()
    return render_to_string(
        "includes/home_content.html",
        {
            "districts": sorted(districts, key=by_what_it_holds),
            "zone_figures": [f for f in district_figures if f.district_id is None],
            "latest_agreements": groups["agreement"][:LATEST_LENGTH],
            "latest_projects": groups["project"][:LATEST_LENGTH],
            "timeline": latest_events(groups),
        },
    )


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
