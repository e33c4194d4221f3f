"""
One FilterSet per public list.

Every list takes ``q`` (a substring of either language's name), ``district``
and ``organization`` by slug, ``status``, ``year`` where the record has a date,
``field`` by slug where it has a research field, and ``sort``. Bad values fail
form validation, so the page can say what is wrong instead of failing.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from ..models import (
    Agreement,
    District,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    Source,
    Workstation,
)
from ..sorting import in_page_order
from .cjk import word_condition

# A year outside this range cannot be a date the database holds; rejecting it
# in the form keeps `?year=99999999` from reaching the query as an error.
FIRST_YEAR, LAST_YEAR = 1949, 2100


# Each FilterSet class's form class, per district choices (get_form_class):
# the choices change only when a district is renamed, added or published.
_FORM_CLASSES = {}
MOST_FORM_CLASSES = 64


class RecordFilterSet(django_filters.FilterSet):
    """Filters every list shares: a text search and a sort order."""

    # Every kind but sources has a summary; SourceFilterSet and the API's
    # FigureFilterSet name their own fields.
    search_fields = ("name_en", "name_zh", "slug", "summary_en", "summary_zh")

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, district_choices=None, **kwargs):
        """``district_choices`` are the district filter's, if already known
        (a list page keeps them under the content version, list_parts.py)."""
        super().__init__(*args, **kwargs)
        self.district_choices = None
        if "district" in self.filters:
            by_district = self.filters["district"]
            # One query for the choices, which then validate the value in memory.
            if district_choices is None:
                district_choices = [
                    (district.slug, district.name)
                    for district in District.objects.public().only(
                        "slug", "name_en", "name_zh"
                    )
                ]
            by_district.extra["choices"] = self.district_choices = district_choices
            # A form field built before the choices were known, and copied
            # here from the class's filter (the API schema's generation builds
            # the class's fields), would keep the empty choices for good.
            by_district.__dict__.pop("_field", None)

    def get_form_class(self):
        """Return the form class of this FilterSet's class and district choices.

        Built once for each: django-filter builds a class and a field per
        filter on every request, a tenth of a filtered list page. A form
        copies its class's fields (``Form.__init__``), so what a page changes
        in its own (the facets' counts, facets.py) stays in its own.
        """
        key = (type(self), tuple(self.district_choices or ()))
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            if len(_FORM_CLASSES) >= MOST_FORM_CLASSES:
                _FORM_CLASSES.clear()  # district choices gone by
            form_class = _FORM_CLASSES[key] = super().get_form_class()
        return form_class

    def search(self, queryset, name, value):
        return self.matching(queryset, value)

    @classmethod
    def matching(cls, queryset, value):
        """Return records with every word of ``value`` in some search field.

        All records when there is no word. Words are matched in any order and
        each in any field ("solar qingpu" finds "Qingpu Solar Park"); Chinese
        has no spaces, so 青浦光伏 is one word, found as a substring.
        ``icontains`` makes % and _ literal, and is what the trigram indexes
        of migrations 0003 and 0014 serve on PostgreSQL; a two-character
        Chinese word is looked up in the pair indexes of 0016 there (cjk.py).

        A class method so that site-wide search matches exactly as each list
        does without building a FilterSet (and its choices query) per kind.
        """
        condition = Q()
        for word in cls.words(value):
            condition &= word_condition(cls.search_fields, word)
        return queryset.filter(condition)

    @staticmethod
    def words(value):
        """Return the words of ``value`` that a search must each find.

        Split on any whitespace (an ideographic space too); a word inside
        another ("qing" in "qingpu") is dropped, as whatever holds the longer
        one holds it too, so the matches are the same with one condition less.
        """
        # Compared in upper case, as icontains compares them.
        words = {}
        for word in value.split():
            words.setdefault(word.upper(), word)
        return [
            word
            for key, word in words.items()
            if not any(key in other and key != other for other in words)
        ]


class SlugFilter(django_filters.CharFilter):
    """Filter by the slug of a related record, as detail pages link to it.

    Only a published related record counts: a draft's slug finds nothing, as
    a slug that names no record does, so a list never tells a visitor that a
    draft exists (nor lists records by a field the site does not show).
    """

    field_class = forms.SlugField

    def filter(self, queryset, value):
        if value in EMPTY_VALUES:
            return queryset
        related = self.field_name.removesuffix("__slug")
        return queryset.filter(
            **{
                self.field_name: value,
                f"{related}__publication_status": PublicationStatus.PUBLISHED,
            }
        )


def district_filter():
    # Choices are filled in by RecordFilterSet.__init__, once per request.
    return django_filters.ChoiceFilter(
        field_name="district__slug",
        label=_("District"),
        choices=[],
        empty_label=_("All districts"),
    )


def related_slug_filter(field_name, label):
    """Filter by a related record's slug; no query until the list runs."""
    return SlugFilter(
        field_name=f"{field_name}__slug",
        label=label,
        max_length=120,
        widget=forms.HiddenInput,
    )


def status_filter(choices):
    return django_filters.ChoiceFilter(
        label=_("Status"), choices=choices, empty_label=_("Any status")
    )


def kind_filter(choices):
    return django_filters.ChoiceFilter(
        label=_("Kind"), choices=choices, empty_label=_("Any kind")
    )


class YearFilter(django_filters.NumberFilter):
    """A whole year; NumberFilter alone would take 2023.5."""

    field_class = forms.IntegerField


def year_filter(field_name):
    return YearFilter(
        field_name=field_name,
        lookup_expr="year",
        label=_("Year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        # A text box, not type="number": it can show back a mistyped value
        # such as "abc" beside its error, which a number input may not hold.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}"}),
    )


class NameOrderingFilter(django_filters.OrderingFilter):
    """An OrderingFilter whose sort by name follows pinyin on Chinese pages.

    The query string stays the same in both languages (``?sort=name_en``,
    ``-title_en``), so a link shared between them keeps its meaning, "by
    name"; on Chinese pages it orders by the stored pinyin key
    (``programs.sorting``). The API, outside the language prefixes, keeps the
    English order for every client.
    """

    def filter(self, qs, value):
        ordered = super().filter(qs, value)
        if ordered is qs:
            return qs  # no sort asked for: the list's default order stands
        request = getattr(self.parent, "request", None)
        terms = in_page_order(qs.model, ordered.query.order_by, request)
        return ordered.order_by(*terms)


def _descending(label):
    return gettext("%s (descending)") % label


# Translated when shown, as the labels are: django-filter writes its own at
# import, in English, and translates it for zh_CN only.
descending = lazy(_descending, str)


def sort_filter(*fields):
    """Sort by the given (field, label) pairs; "-field" sorts descending."""
    labels = dict(fields)
    labels.update((f"-{field}", descending(label)) for field, label in fields)
    return NameOrderingFilter(
        label=_("Sort by"),
        fields={field: field for field, _label in fields},
        field_labels=labels,
        empty_label=_("Default order"),
    )


NAME = ("name_en", _("Name"))


class DistrictFilterSet(RecordFilterSet):
    search_fields = (*RecordFilterSet.search_fields, "city_en", "city_zh")

    in_demonstration_zone = django_filters.BooleanFilter(
        label=_("In the demonstration zone"),
        widget=forms.Select(
            choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )
    sort = sort_filter(NAME, ("city_en", _("City")))

    class Meta:
        model = District
        # Every filter of the list, in the order its form shows them.
        fields = ["q", "in_demonstration_zone", "sort"]


class OrganizationFilterSet(RecordFilterSet):
    district = district_filter()
    kind = kind_filter(Organization.Kind.choices)
    sort = sort_filter(NAME, ("kind", _("Kind")))

    class Meta:
        model = Organization
        # Every filter of the list, in the order its form shows them.
        fields = ["q", "district", "kind", "sort"]


class AgreementFilterSet(RecordFilterSet):
    district = district_filter()
    organization = related_slug_filter("parties", _("Party"))
    status = status_filter(Agreement.Status.choices)
    year = year_filter("signed_on")
    sort = sort_filter(NAME, ("signed_on", _("Date signed")))

    class Meta:
        model = Agreement
        # Every filter of the list, in the order its form shows them.
        fields = ["q", "district", "organization", "status", "year", "sort"]


class ProjectFilterSet(RecordFilterSet):
    district = district_filter()
    organization = related_slug_filter("lead_organization", _("Lead organization"))
    agreement = related_slug_filter("agreement", _("Agreement"))
    field = related_slug_filter("field", _("Field"))
    kind = kind_filter(Project.Kind.choices)
    status = status_filter(Project.Status.choices)
    year = year_filter("announced_on")
    sort = sort_filter(NAME, ("announced_on", _("Date announced")), ("kind", _("Kind")))

    class Meta:
        model = Project
        # Every filter of the list, in the order its form shows them.
        fields = [
            "q",
            "district",
            "organization",
            "agreement",
            "kind",
            "status",
            "field",
            "year",
            "sort",
        ]


class WorkstationFilterSet(RecordFilterSet):
    district = district_filter()
    organization = related_slug_filter("host_organization", _("Host"))
    field = related_slug_filter("field", _("Field"))
    status = status_filter(Workstation.Status.choices)
    year = year_filter("established_on")
    sort = sort_filter(NAME, ("established_on", _("Date set up")))

    class Meta:
        model = Workstation
        # Every filter of the list, in the order its form shows them.
        fields = ["q", "district", "organization", "status", "year", "field", "sort"]


class ExpertFilterSet(RecordFilterSet):
    search_fields = (*RecordFilterSet.search_fields, "title_en", "title_zh")

    district = district_filter()
    organization = related_slug_filter("appointed_by", _("Appointed by"))
    field = related_slug_filter("research_fields", _("Field"))
    status = status_filter(Expert.Status.choices)
    year = year_filter("appointed_on")
    sort = sort_filter(NAME, ("appointed_on", _("Date appointed")))

    class Meta:
        model = Expert
        # Every filter of the list, in the order its form shows them.
        fields = ["q", "district", "organization", "status", "year", "field", "sort"]


class EntrepreneurFilterSet(RecordFilterSet):
    search_fields = (
        *RecordFilterSet.search_fields,
        "venture_en",
        "venture_zh",
        "country_or_region_en",
        "country_or_region_zh",
    )

    district = district_filter()
    organization = related_slug_filter("host_organization", _("Signed with"))
    field = related_slug_filter("field", _("Field"))
    status = status_filter(Entrepreneur.Status.choices)
    year = year_filter("signed_on")
    sort = sort_filter(
        NAME,
        ("signed_on", _("Date signed")),
        ("country_or_region_en", _("Country or region")),
    )

    class Meta:
        model = Entrepreneur
        # Every filter of the list, in the order its form shows them.
        fields = ["q", "district", "organization", "status", "year", "field", "sort"]


class SourceFilterSet(RecordFilterSet):
    search_fields = ("title_en", "title_zh", "outlet", "slug")

    year = year_filter("published_on")
    sort = sort_filter(("title_en", _("Title")), ("published_on", _("Date published")))

    class Meta:
        model = Source
        # Every filter of the list, in the order its form shows them.
        fields = ["q", "year", "sort"]
