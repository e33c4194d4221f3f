"""The statistics page: charts of the public records, drawn on the server."""

from django.views.generic import TemplateView

from .. import stats


class StatisticsView(TemplateView):
    """Records by district, year, field and status, as charts and tables."""

    template_name = "programs/stats.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["charts"] = stats.all_charts()
        return context
