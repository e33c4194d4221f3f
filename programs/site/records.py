"""
The public site: a filtered list and a detail page per kind of record. Only
published records are shown.

Each view declares what its template shows (``select_related``,
``prefetch_related``) so that a page costs a fixed number of queries. A
list's rows are its ``columns`` (list_rows.py), which name the fields they
read; its ``select_related`` serves the downloads, which write more.
"""

import functools

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import resolve, reverse
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.views.generic import DetailView
from django_filters.views import FilterView

from ..compiled_queries import (
    CompiledQuery,
    CompiledRows,
    RelatedRead,
    read_with_related,
)
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
from ..paging import (
    bounds_of,
    last_page_read_in_one,
    page_by_keys,
    reads_keys_first,
    totally_ordered,
)
from ..sorting import in_page_order
from . import filtered_rows, filters, list_rows
from .aggregates import keeps_more
from .cache import version_column
from .exports import ExportMixin
from .facets import active_count, show_counts
from .list_parts import KeptParts, ListParts
from .list_rows import read_rows, render_rows
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
    # A copy of one query built once: building the subquery per kind of
    # record that counts toward a figure took more of a record's page than
    # running it.
    return _public_figures().all()


@functools.cache
def _public_figures():
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


class PublicListView(AnnouncedFiguresMixin, ExportMixin, FilterView):
    """A list of published records, filtered, sorted and paged.

    The count, the filter form with its facet counts and what sources
    announce are kept under the content version (list_parts.py): a page of a
    list costs its rows, and the parts only after an edit.
    """

    paginate_by = settings.PAGE_SIZE
    template_name_suffix = "_list"
    select_related = ()
    # The cells of each row (list_rows.py), in the order of the template's
    # table_head.
    columns = ()

    def get(self, request, *args, **kwargs):
        # Before ExportMixin.get, which answers the downloads: they show no
        # part of the page, so none is read for them.
        self.kept = None
        self.first_page = None
        self.filtered_rows = None
        if not request.GET:
            self.first_page = self.read_first_page()
        if not request.GET.get("format"):
            self.kept = KeptParts(request, self.model)
            parts = self.kept.get("parts")
            if parts is not None and not self.selects():
                return self.page_without_filterset()
            if parts is not None and not parts.form_errors and self.on_first_pages():
                self.filtered_rows = filtered_rows.find(type(self), request.GET)
                if self.filtered_rows is not None:
                    return self.page_without_filterset()
        return super().get(request, *args, **kwargs)

    def page_without_filterset(self):
        """Answer a page of the list whose parts are kept, with its rows read
        by SQL compiled before.

        Without a FilterSet: what it adds to the page, the form, is kept
        rendered, and the count with it. Making one (its form's fields
        copied, its district choices set, the form validated) cost a tenth
        of a list page, and filtering and compiling the query another. The
        rows of a list with no filter set are compiled once (``first_rows``);
        those of a filtered one by the first request for its query string
        (filtered_rows.py), as long as its parts are kept without errors: its
        form was then valid under the current content version.
        """
        self.filterset = None
        self.object_list = self.get_queryset()
        context = self.get_context_data(filter=None, object_list=self.object_list)
        return self.render_to_response(context)

    def selects(self):
        """Say whether the query string filters or sorts the list, beyond
        asking for a page."""
        return not set(self.request.GET) <= {self.page_kwarg}

    def on_first_pages(self):
        """Say whether the page asked for reads its rows in one query, not
        its keys first (paging.py): a later page needs its filtered queryset."""
        number = self.request.GET.get(self.page_kwarg) or "1"
        return (
            number.isdecimal()
            and len(number) < 6
            and int(number) <= last_page_read_in_one(self.paginate_by)
        )

    def read_first_page(self):
        """Return the rows of the list's first page with no filter set, and
        take the content version from the same query.

        The page visitors open most: its parts are kept under that version
        (list_parts.py), and reading it with the rows saves a round trip,
        8% of the page in-process. An empty list has no row to carry it:
        KeptParts then reads it alone.
        """
        order = tuple(totally_ordered(self.get_queryset()).query.order_by)
        rows, version = first_rows(type(self), order).read(0, self.paginate_by)
        if (
            version is not None
            and getattr(self.request, "content_version", None) is None
        ):
            self.request.content_version = version
        return rows

    def get_queryset(self):
        # The default order by name follows pinyin on Chinese pages
        # (programs.sorting); a ?sort= replaces it either way.
        order = in_page_order(self.model, self.model._meta.ordering, self.request)
        return public_list(type(self), tuple(order)).all()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if self.kept is not None:
            kwargs["district_choices"] = self.kept.get("districts")
        return kwargs

    def paginate_queryset(self, queryset, page_size):
        # In a total order, so that each record has one place on one page
        # (programs/paging.py).
        queryset = totally_ordered(queryset)
        paginator, page, _records, is_paginated = super().paginate_queryset(
            queryset, page_size
        )
        return paginator, page, self.rows_of(queryset, page), is_paginated

    def rows_of(self, queryset, page):
        """Return the rows of ``page`` of ``queryset``, as tuples of what
        their cells show (list_rows.py).

        Not model objects, nor every column: the exports, which share
        get_queryset, read every column they write. The first pages of a
        list are read by SQL compiled once: with no filter set by
        ``first_rows`` (``page_without_filterset``, whose queryset is
        ``public_list``'s), with filters by the first request for them
        (filtered_rows.py). A later page reads its keys first (paging.py).
        """
        start, stop = bounds_of(page)
        if self.filtered_rows is not None:
            return self.filtered_rows.read(start, stop, queryset.db)
        if self.filterset is None and not reads_keys_first(page):
            if start == 0 and self.first_page is not None:
                return self.first_page[:stop]
            order = tuple(queryset.query.order_by)
            rows, _version = first_rows(type(self), order).read(
                start, stop, queryset.db
            )
            return rows
        rows = queryset.values_list(*list_rows.fields_of(self.columns))
        valid = self.filterset is not None and self.filterset.is_valid()
        if valid and self.selects() and not reads_keys_first(page):
            return filtered_rows.read_and_keep(
                type(self), self.request.GET, rows, start, stop, queryset.db
            )
        return page_by_keys(queryset, page, rows)

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        parts = self.kept.get("parts") if self.kept is not None else None
        if parts is not None:
            paginator.count = parts.count  # no COUNT(*)
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Translated once: as a lazy string, each of the page's five uses
        # would translate it again.
        context["heading"] = str(capfirst(self.model._meta.verbose_name_plural))
        parts = self.kept_parts(context["paginator"].count)
        context["filter_form"] = mark_safe(parts.filter_form)
        context["form_errors"] = parts.form_errors
        context["announced"] = mark_safe(parts.announced)
        context["any_announced"] = parts.any_announced
        records = read_rows(self.model, context["object_list"], self.columns)
        context["object_list"] = records
        context["rows"] = render_rows(self.model, records, self.columns)
        return context

    def kept_parts(self, count):
        """Return the kept parts of this page, making and keeping them if missing."""
        parts = self.kept.get("parts")
        if parts is None:
            parts = self.make_parts(count)
            self.kept.keep("parts", parts)
        if self.filterset is not None and self.filterset.district_choices is not None:
            self.kept.keep("districts", self.filterset.district_choices)
        return parts

    @classmethod
    def keep_unfiltered(cls, path, version):
        """Make and keep the parts of this list with no filter set, at ``path``.

        As a visitor's first request would, in the active language, under
        content version ``version``, unless kept already.
        """
        request = HttpRequest()
        request.method = "GET"
        request.path = request.path_info = path
        request.user = AnonymousUser()
        request.content_version = version
        view = cls()
        view.setup(request)
        view.kept = KeptParts(request, cls.model)
        if view.kept.version is None or view.kept.get("parts") is not None:
            return
        view.filterset = view.get_filterset(view.get_filterset_class())
        view.kept_parts(view.filterset.qs.count())

    def make_parts(self, count):
        """Return the parts of this page that only an edit changes, rendered."""
        # The facets keep their counts under the same version (facets.py).
        show_counts(self.filterset, self.kept.version)
        form = render_to_string(
            "includes/filter_form.html",
            {"filter": self.filterset, "active_filters": active_count(self.filterset)},
            request=self.request,
        )
        figures = self.announced_figures()
        announced = render_to_string(
            "includes/announced.html", {"announced": figures}, request=self.request
        )
        return ListParts(
            count=count,
            filter_form=form,
            form_errors=bool(self.filterset.form.errors),
            announced=announced,
            any_announced=bool(figures),
        )


@functools.cache
def public_list(view_class, order):
    """Return the published records of ``view_class``'s list in ``order``,
    then by key, built once per process: each request takes a copy.

    Building it (the filter, the joins, the order) took more of a list page
    than copying it.
    """
    records = view_class.model.objects.public()
    records = records.select_related(*view_class.select_related).order_by(*order)
    return totally_ordered(records)


@functools.cache
def first_rows(view_class, order):
    """Return the rows of ``view_class``'s list with no filter set, in
    ``order``, as ``FirstRows``: compiled once per process and order.

    Every visitor of a list's first pages asks the same query but for its
    bounds, and compiling it took a list page about as long as running it.
    """
    fields = list_rows.fields_of(view_class.columns)
    return FirstRows(
        lambda: public_list(view_class, order).values_list(*fields, version_column())
    )


class FirstRows(CompiledRows):
    """A list's rows with no filter set, each read with the content version."""

    def read(self, start, stop, using=DEFAULT_DB_ALIAS):
        """Return rows ``start`` to ``stop`` (excluded), and the content
        version they were read at (None when there are none)."""
        rows = super().read(start, stop, using)
        version = rows[0][-1] if rows else None
        return [row[:-1] for row in rows], version


@keeps_more
def keep_unfiltered_lists(version):
    """Make and keep the parts of every list with no filter set.

    Run when an edit commits (aggregates.refresh), so that the first visitor
    of a list afterwards does not count it: at 100,000 experts, counting the
    list and its facets took 97 ms of that request, against 5 ms for a list
    whose parts are kept. Filtered lists still make theirs on first request.
    """
    for kind in KINDS:
        path = reverse(kind.list_url_name)
        resolve(path).func.view_class.keep_unfiltered(path, version)


class PublicDetailView(DetailView):
    """A published record with the related records and figures its page shows.

    The record and each of its ``prefetch_related`` are read by SQL compiled
    once per process (programs/compiled_queries.py): every record of a kind
    asks the same questions, and compiling them cost more than running them.
    """

    select_related = ()
    prefetch_related = (PUBLIC_SOURCES, PUBLIC_EVIDENCE)

    def get_queryset(self):
        # The record alone: get_object reads its prefetch_related apart.
        return self.model.objects.public().select_related(*self.select_related)

    def get_object(self, queryset=None):
        reads = detail_reads(type(self))
        slug = self.kwargs[self.slug_url_kwarg]
        found = read_with_related(reads.record, slug, reads.related)
        if not found:
            raise Http404(f"No {self.model._meta.verbose_name} has that slug.")
        return found[0]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind"] = str(capfirst(self.model._meta.verbose_name))
        context["figures"] = self.get_figures()
        return context

    def get_figures(self):
        """Return the announced figures this record counts toward."""
        figures = public_figures().counting(self.object)
        # Known to be none (a demo record, an undated one): Django would
        # compile the query's select and order before finding its where
        # empty, 0.3 ms of a demo expert's page of 4.5.
        return [] if figures.query.is_empty() else figures


class DetailReads:
    """A detail view's record by its slug and its related records, compiled:
    both found by the slug, so that they are read in one round trip."""

    def __init__(self, view_class):
        view = view_class()
        self.record = CompiledQuery(
            lambda slug: view.get_queryset().filter(**{view.slug_field: slug}),
            key_type=str,
        )
        # Of the records the view shows (published ones, or any on a staff
        # preview): those of another would be read for a page not found.
        self.related = [
            RelatedRead(view.get_queryset(), view.slug_field, prefetch)
            for prefetch in view_class.prefetch_related
        ]


@functools.cache
def detail_reads(view_class):
    """Return ``view_class``'s DetailReads, made once per process.

    Its get_queryset must not depend on the request: it is called without one.
    """
    return DetailReads(view_class)


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
    columns = list_rows.DISTRICT


class DistrictDetailView(RelatedRecordsMixin, PublicDetailView):
    model = District

    def related_lookup(self, kind):
        return "district" if kind.has_district else None

    def get_figures(self):
        return public_figures().filter(district=self.object)


class OrganizationListView(PublicListView):
    model = Organization
    filterset_class = filters.OrganizationFilterSet
    columns = list_rows.ORGANIZATION
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
    columns = list_rows.AGREEMENT
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
    columns = list_rows.PROJECT
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
    columns = list_rows.WORKSTATION
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
    columns = list_rows.EXPERT
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
    columns = list_rows.ENTREPRENEUR
    select_related = ("district", "host_organization")


class EntrepreneurDetailView(PublicDetailView):
    model = Entrepreneur
    select_related = ("district", "host_organization", "field", "project")


class SourceListView(PublicListView):
    model = Source
    filterset_class = filters.SourceFilterSet
    columns = list_rows.SOURCE


class SourceDetailView(RelatedRecordsMixin, PublicDetailView):
    model = Source
    prefetch_related = ()

    def related_lookup(self, kind):
        return "sources" if kind.has_sources else None

    def get_figures(self):
        return public_figures().filter(source=self.object)
