"""The statistics page: charts of the public records, drawn on the server."""

from django.views.generic import TemplateView

from .. import stats


class StatisticsView(TemplateView):
    """Records by district, year, field and status, as charts and tables."""

    template_name = "programs/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        districts = list(stats.districts_with_counts())
        context["charts"] = stats.all_charts(districts)
        # Demo records have a district, so the districts' counts hold them all.
        context["demo_count"] = sum(district.demo_count for district in districts)
        return context
