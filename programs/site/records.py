"""
The public site: a filtered list and a detail page per kind of record. Only
published records are shown.

Each view declares what its template shows (``select_related``,
``prefetch_related``) so that a page costs a fixed number of queries.
"""

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils.text import capfirst
from django.views.generic import DetailView
from django_filters.views import FilterView

from ..kinds import KINDS
from ..models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    District,
    Entrepreneur,
    Evidence,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    ResearchField,
    Source,
    Workstation,
)
from ..models.figures import subjects_about
from ..sorting import in_page_order
from . import filters
from .exports import ExportMixin
from .facets import FacetedListMixin
from .related import latest_of_each

PUBLIC_SOURCES = Prefetch("sources", queryset=Source.objects.public())
# Where in its public sources a record's facts stand, cited by paragraph
# (includes/sources.html). The sentence is for staff: it is not even read.
PUBLIC_EVIDENCE = Prefetch(
    "evidence",
    queryset=Evidence.objects.filter(
        source__publication_status=PublicationStatus.PUBLISHED
    )
    .only("source_id", "paragraph", "content_type_id", "object_id")
    .order_by("source_id", "paragraph"),
)


def public_figures():
    """Return published figures with their matching records on file.

    Each with its evidence, so that it cites the paragraph it stands in.
    """
    return (
        AnnouncedFigure.objects.public()
        .with_on_record()
        .select_related("source", "district")
        .prefetch_related(PUBLIC_EVIDENCE)
    )


# Enough of the latest figures to say what sources announce about a list; the
# rest stay on their sources' pages.
ANNOUNCED_ON_A_LIST = 6


class AnnouncedFiguresMixin:
    """A list that says what sources announce about its kind of record.

    A list with no experts on file still has something true to say: a source
    announced four appointed. The figures whose subject is the list's kind
    are shown, with how many of what they count are on file; when the list is
    filtered by district, only that district's figures and the zone-wide ones.
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["announced"] = self.announced_figures()
        return context

    def announced_figures(self):
        subjects = subjects_about(self.model)
        if not subjects:
            return []
        figures = public_figures().filter(subject__in=subjects)
        district = self.filtered_district()
        if district:
            figures = figures.filter(
                Q(district__isnull=True) | Q(district__slug=district)
            )
        return list(figures[:ANNOUNCED_ON_A_LIST])

    def filtered_district(self):
        """Return the slug of the district the list is filtered by, or None."""
        form = self.filterset.form
        if "district" not in form.fields or not form.is_valid():
            return None
        return form.cleaned_data.get("district") or None


# FacetedListMixin before FilterView: it reads the filterset FilterView's get
# sets; after ExportMixin, whose get answers exports before any count is made.
class PublicListView(AnnouncedFiguresMixin, ExportMixin, FacetedListMixin, FilterView):
    """A list of published records, filtered, sorted and paged."""

    paginate_by = settings.PAGE_SIZE
    template_name_suffix = "_list"
    select_related = ()

    def get_queryset(self):
        records = self.model.objects.public().select_related(*self.select_related)
        # The default order by name follows pinyin on Chinese pages
        # (programs.sorting); a ?sort= replaces it either way.
        order = in_page_order(self.model, self.model._meta.ordering, self.request)
        return records.order_by(*order)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = capfirst(self.model._meta.verbose_name_plural)
        return context


class PublicDetailView(DetailView):
    """A published record with the related records and figures its page shows."""

    select_related = ()
    prefetch_related = (PUBLIC_SOURCES, PUBLIC_EVIDENCE)

    def get_queryset(self):
        return (
            self.model.objects.public()
            .select_related(*self.select_related)
            .prefetch_related(*self.prefetch_related)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind"] = capfirst(self.model._meta.verbose_name)
        context["figures"] = self.get_figures()
        return context

    def get_figures(self):
        """Return the announced figures this record counts toward."""
        return public_figures().counting(self.object)


class RelatedRecordsMixin:
    """A detail page that lists the latest records of each kind pointing at it.

    One query for every kind together (``latest_of_each``).
    """

    def related_lookup(self, kind):
        """Return the lookup from ``kind``'s records to this one, or None."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        querysets = {}
        for kind in KINDS:
            lookup = self.related_lookup(kind)
            if lookup:
                querysets[kind.key] = kind.model.objects.public().filter(
                    **{lookup: self.object}
                )
        context["groups"] = latest_of_each(querysets)
        return context


class DistrictListView(PublicListView):
    model = District
    filterset_class = filters.DistrictFilterSet


class DistrictDetailView(RelatedRecordsMixin, PublicDetailView):
    model = District

    def related_lookup(self, kind):
        return "district" if kind.has_district else None

    def get_figures(self):
        return public_figures().filter(district=self.object)


class OrganizationListView(PublicListView):
    model = Organization
    filterset_class = filters.OrganizationFilterSet
    select_related = ("district",)


class OrganizationDetailView(RelatedRecordsMixin, PublicDetailView):
    model = Organization
    select_related = ("district",)

    def related_lookup(self, kind):
        # What the list's ?organization= filter finds, so that each group's
        # "See all" shows the same records and more.
        return kind.organization_lookup

    def get_figures(self):
        return public_figures().filter(organization=self.object)


class AgreementListView(PublicListView):
    model = Agreement
    filterset_class = filters.AgreementFilterSet
    select_related = ("district",)


class AgreementDetailView(PublicDetailView):
    model = Agreement
    select_related = ("district",)
    prefetch_related = (
        PUBLIC_SOURCES,
        PUBLIC_EVIDENCE,
        Prefetch(
            "party_roles",
            queryset=AgreementParty.objects.filter(
                organization__publication_status=PublicationStatus.PUBLISHED
            ).select_related("organization"),
        ),
        Prefetch(
            "projects",
            queryset=Project.objects.public().select_related("lead_organization"),
        ),
    )

    def get_figures(self):
        return public_figures().filter(agreement=self.object)


class ProjectListView(PublicListView):
    model = Project
    filterset_class = filters.ProjectFilterSet
    select_related = ("district", "lead_organization")


class ProjectDetailView(PublicDetailView):
    model = Project
    select_related = ("district", "lead_organization", "agreement", "field")
    prefetch_related = (
        PUBLIC_SOURCES,
        PUBLIC_EVIDENCE,
        Prefetch("entrepreneurs", queryset=Entrepreneur.objects.public()),
    )


class WorkstationListView(PublicListView):
    model = Workstation
    filterset_class = filters.WorkstationFilterSet
    select_related = ("district", "host_organization")


class WorkstationDetailView(PublicDetailView):
    model = Workstation
    select_related = ("district", "host_organization", "field")
    prefetch_related = (
        PUBLIC_SOURCES,
        PUBLIC_EVIDENCE,
        Prefetch("experts", queryset=Expert.objects.public()),
    )


class ExpertListView(PublicListView):
    model = Expert
    filterset_class = filters.ExpertFilterSet
    select_related = ("district", "appointed_by")


class ExpertDetailView(PublicDetailView):
    model = Expert
    select_related = ("district", "appointed_by")
    prefetch_related = (
        PUBLIC_SOURCES,
        PUBLIC_EVIDENCE,
        Prefetch("research_fields", queryset=ResearchField.objects.public()),
        Prefetch("workstations", queryset=Workstation.objects.public()),
    )


class EntrepreneurListView(PublicListView):
    model = Entrepreneur
    filterset_class = filters.EntrepreneurFilterSet
    select_related = ("district", "host_organization")


class EntrepreneurDetailView(PublicDetailView):
    model = Entrepreneur
    select_related = ("district", "host_organization", "field", "project")


class SourceListView(PublicListView):
    model = Source
    filterset_class = filters.SourceFilterSet


class SourceDetailView(RelatedRecordsMixin, PublicDetailView):
    model = Source
    prefetch_related = ()

    def related_lookup(self, kind):
        return "sources" if kind.has_sources else None

    def get_figures(self):
        return public_figures().filter(source=self.object)
