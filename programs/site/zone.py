"""
The zone page: the demonstration zone's districts side by side, each with its
records on file per kind and the figures its sources announce, the zone-wide
figures, and a schematic map shaded by records on file (``zone_map.py``).

One query, the districts, however many records. The figures with the
paragraphs they cite are kept in the cache under the content version (as the
home page keeps them), the counts in its summary (aggregates.py).
"""

from django.views.generic import TemplateView

from ..models import District
from . import zone_map
from .aggregates import kept, summary_for
from .stats import by_what_it_holds, district_bars, districts_with_counts


def zone_districts(summary):
    """Return the public districts of the zone, each with ``<key>_count``s."""
    return districts_with_counts(
        summary, District.objects.public().filter(in_demonstration_zone=True)
    )


class ZoneView(TemplateView):
    """The zone's districts side by side, with their figures and a map."""

    template_name = "programs/zone.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        districts = zone_districts(summary_for(self.request))
        figures = kept(self.request, "figures")["figures"]
        for district in districts:
            district.counts = district_bars(district)
            district.total = sum(count.value for count in district.counts)
            district.figures = [f for f in figures if f.district_id == district.pk]
        districts.sort(key=by_what_it_holds)
        context["districts"] = districts
        # A figure of a district that is not public, or not in the zone, has
        # no place here: only those of no district are the zone's own.
        context["zone_figures"] = [f for f in figures if f.district_id is None]
        context["zone_map"] = zone_map.draw(districts)
        context["demo_count"] = sum(district.demo_count for district in districts)
        return context
