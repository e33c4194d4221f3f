"""Filters of the API's list of announced figures (the kinds of record use
their site lists' FilterSets, programs/site/filters.py)."""

import django_filters
from django.utils.translation import gettext_lazy as _

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
