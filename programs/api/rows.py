"""
What the API reads show, made from rows rather than model instances.

A serializer reads a record field by field through DRF's machinery (each
field's ``get_attribute`` and ``to_representation``, for every record), from
model instances and their prefetched relations. For a page of 25 records of
twenty fields that was most of a list's time. A read here selects the
columns the serializer shows with ``values()``, the related records' slugs
and publication status through the same query's joins, each many-to-many
relation's slugs in one query for the whole page, and builds each record's
dict in the serializer's order. Addresses are made from one ``reverse()`` per
URL name per request, then formatted.

The serializer stays the one description of a record: the schema is made
from it, writes go through it, and ``plan_of`` reads its fields to know what
to select and in which order. Each field is shown by the rule of its class
(``Plan.step``); a field of a class it does not know is refused when the plan
is made, so a new kind of field cannot be left out silently.
tests/test_api_reads.py checks that both give the same JSON, field for field,
for every kind, with unpublished related records and many-to-many ones.
"""

import functools

from django.urls import reverse
from rest_framework import serializers

from ..compiled_queries import CompiledRows, RowsForKeys
from ..models import AgreementParty, Organization, PublicationStatus
from ..paging import totally_ordered
from .serializers import PublicSlug, ReferenceUrl, ReferenceUrls, SlugReference

PUBLISHED = PublicationStatus.PUBLISHED
# Stands for the slug in the one address reversed per URL name.
SLUG_MARK = "__slug__"
# Fields whose value is shown as the database gives it (a str, int or bool).
AS_STORED = (serializers.CharField, serializers.IntegerField, serializers.BooleanField)
# Fields shown by their own to_representation (a date as ISO 8601, a
# date-time in the site's time zone, a choice as its value).
CONVERTED = (serializers.ChoiceField, serializers.DateField, serializers.DateTimeField)


def api_url_name(model):
    return f"api:{model._meta.model_name}-detail"


def page_url_name(model):
    return f"programs:{model._meta.model_name}-detail"


class Addresses:
    """The absolute addresses of records for one request, by URL name and slug.

    Each URL name is reversed once, with a mark for the slug, which is then
    put in its place: slugs hold only characters an address keeps as they are
    (the API's routes match no other), so this is the address ``reverse()``
    and ``build_absolute_uri()`` would give for each.
    """

    def __init__(self, request):
        self.request = request
        self.around = {}

    def __call__(self, url_name, slug):
        around = self.around.get(url_name)
        if around is None:
            url = self.request.build_absolute_uri(reverse(url_name, args=[SLUG_MARK]))
            head, _mark, tail = url.rpartition(SLUG_MARK)
            around = self.around[url_name] = (head, tail)
        return f"{around[0]}{slug}{around[1]}"


class Plan:
    """How to show the records of one serializer from rows.

    ``columns`` are what ``values()`` selects; ``steps`` are (key, function of
    (row, reading)) in the serializer's order; ``relations`` are the
    many-to-many fields read for a whole page at once.
    """

    def __init__(self, serializer_class):
        self.model = serializer_class.Meta.model
        self.columns = {"pk": None, "version": None, "updated_at": None}
        self.relations = {}
        self.with_parties = False
        self.steps = [
            (name, self.step(name, field))
            for name, field in serializer_class().fields.items()
        ]

    def step(self, name, field):
        """Return the function that shows ``field`` of a row."""
        if name == "url":
            url_name = api_url_name(self.model)
            return lambda row, reading: reading.address(url_name, row["slug"])
        if name == "page":
            url_name = page_url_name(self.model)
            return lambda row, reading: reading.address(url_name, row["slug"])
        if isinstance(field, PublicSlug):
            return self.related_slug(field.source)
        if isinstance(field, ReferenceUrl):
            return self.related_address(field.source)
        if isinstance(field, serializers.ManyRelatedField) and isinstance(
            field.child_relation, SlugReference
        ):
            return self.related_slugs(field.source)
        if isinstance(field, ReferenceUrls):
            return self.related_addresses(field.source)
        if isinstance(field, serializers.ListSerializer) and name == "parties":
            self.with_parties = True
            return lambda row, reading: reading.parties.get(row["pk"], [])
        if isinstance(field, AS_STORED + CONVERTED):
            return self.column(field)
        raise TypeError(f"{self.model.__name__}.{name}: no row rule for {field!r}")

    def column(self, field):
        source = field.source
        self.columns[source] = None
        if isinstance(field, AS_STORED):
            return lambda row, reading: row[source]
        show = field.to_representation
        return lambda row, reading: None if row[source] is None else show(row[source])

    def related_slug(self, name):
        slug, status = f"{name}__slug", f"{name}__publication_status"
        self.columns[slug] = self.columns[status] = None
        return lambda row, reading: row[slug] if row[status] == PUBLISHED else None

    def related_address(self, name):
        slug, status = f"{name}__slug", f"{name}__publication_status"
        self.columns[slug] = self.columns[status] = None
        url_name = api_url_name(self.model._meta.get_field(name).related_model)

        def address(row, reading):
            if row[status] != PUBLISHED:
                return None
            return reading.address(url_name, row[slug])

        return address

    def related_slugs(self, name):
        self.relations[name] = None
        return lambda row, reading: reading.slugs[name].get(row["pk"], [])

    def related_addresses(self, name):
        self.relations[name] = None
        url_name = api_url_name(self.model._meta.get_field(name).related_model)

        def addresses(row, reading):
            slugs = reading.slugs[name].get(row["pk"], ())
            return [reading.address(url_name, slug) for slug in slugs]

        return addresses


@functools.cache
def plan_of(serializer_class):
    """Return the ``Plan`` of ``serializer_class``, made once per process."""
    return Plan(serializer_class)


def rows_of(plan, records):
    """Return ``records`` as rows of the columns ``plan`` needs."""
    return records.values(*plan.columns)


@functools.cache
def first_rows(viewset_class):
    """Return the rows of ``viewset_class``'s list with no filter set, as
    ``CompiledRows``: compiled once per process.

    Every client of a list's first pages asks the same query but for its
    bounds, and building and compiling it took about as long as running it.
    Its ``public_records`` must not depend on the request.
    """
    viewset = viewset_class()
    plan = plan_of(viewset.get_serializer_class())
    return CompiledRows(
        lambda: rows_of(plan, totally_ordered(viewset.public_records()))
    )


class Reading:
    """The records of one request, as the serializer would show them."""

    def __init__(self, serializer_class, request):
        self.plan = plan_of(serializer_class)
        self.address = Addresses(request)
        self.slugs = {}
        self.parties = {}

    def rows(self, records):
        """Return ``records`` as rows of the columns the plan needs."""
        return rows_of(self.plan, records)

    def show(self, rows):
        """Return ``rows`` as the serializer would show their records."""
        keys = [row["pk"] for row in rows]
        if keys:
            for name in self.plan.relations:
                self.slugs[name] = related_slugs(self.plan.model, name, keys)
            if self.plan.with_parties:
                self.parties = public_parties(keys, self.address)
        steps = self.plan.steps
        return [{key: step(row, self) for key, step in steps} for row in rows]


@functools.cache
def related_slug_rows(model, name):
    """Return the (record key, related slug) rows of many-to-many ``name``,
    for every record: ``related_slugs`` narrows them to a page's records.

    Read from the table between the two, joined to the related records for
    their slug, status and order, so that narrowing to a page is a filter on
    a column of its own, not a join through the relation to build again on
    every request. Made once per process; each use makes a new query.
    """
    field = model._meta.get_field(name)
    through = field.remote_field.through
    target = field.m2m_reverse_field_name()
    ordering = []
    for term in field.related_model._meta.ordering:
        if not isinstance(term, str):
            raise TypeError(f"{field.related_model.__name__}: order by names only")
        sign, column = ("-", term[1:]) if term.startswith("-") else ("", term)
        ordering.append(f"{sign}{target}__{column}")
    return (
        through.objects.filter(**{f"{target}__publication_status": PUBLISHED})
        .order_by(*ordering)
        .values_list(field.m2m_column_name(), f"{target}__slug")
    )


@functools.cache
def related_slugs_of_keys(model, name):
    """Return ``related_slug_rows`` narrowed to a page's keys, as
    ``RowsForKeys``: building and compiling the query took more of an API
    list than running it."""
    column = model._meta.get_field(name).m2m_column_name()
    rows = related_slug_rows(model, name)
    return RowsForKeys(lambda keys: rows.filter(**{f"{column}__in": keys}))


def related_slugs(model, name, keys):
    """Return {record key: [published related slugs]} for many-to-many ``name``,
    in the related model's order, as the serializers' prefetch gave them."""
    found = {}
    for key, slug in related_slugs_of_keys(model, name).read(keys):
        found.setdefault(key, []).append(slug)
    return found


def public_parties(keys, address):
    """Return {agreement key: [party]} for the published parties, in order."""
    url_name = api_url_name(Organization)
    found = {}
    rows = AgreementParty.objects.filter(
        agreement__in=keys, organization__publication_status=PUBLISHED
    ).values_list("agreement", "organization__slug", "role")
    for key, slug, role in rows:
        found.setdefault(key, []).append(
            {
                "organization": slug,
                "organization_url": address(url_name, slug),
                "role": role,
            }
        )
    return found
