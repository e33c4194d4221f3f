"""Filters of the API's list of announced figures (the kinds of record use
their site lists' FilterSets, programs/site/filters.py), and the backend that
applies them."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

from ..models import AnnouncedFigure
from ..site.filters import RecordFilterSet, district_filter, related_slug_filter


class FigureFilterSet(RecordFilterSet):
    search_fields = ("label_en", "label_zh", "slug")

    district = district_filter()
    source = related_slug_filter("source", _("Source"))
    subject = django_filters.ChoiceFilter(
        choices=AnnouncedFigure.Subject.choices, label=_("Counts")
    )

    class Meta:
        model = AnnouncedFigure
        fields = ["q", "district", "source", "subject"]


class ListFilterBackend(DjangoFilterBackend):
    """django-filter's backend, which leaves a request that sets no filter alone.

    A FilterSet given no parameter returns the records as they are (every
    filter passes an empty value through), yet building it costs its district
    choices' query and a form's validation on every request: the plain list,
    its pages, and every detail. So a query string holding nothing but the
    page and its size skips it; any other parameter, even empty, invalid or
    unknown, goes through the FilterSet as before (whatever names a filter's
    widget reads).
    """

    def filter_queryset(self, request, queryset, view):
        if sets_no_filter(request, view):
            return queryset
        return super().filter_queryset(request, queryset, view)


def sets_no_filter(request, view):
    """Say whether ``request`` asks for ``view``'s list as it is, page by page."""
    paginator = view.paginator
    paging = {paginator.page_query_param, paginator.page_size_query_param}
    return request.query_params.keys() <= paging
