"""Detail pages read their record and related records, and lists their first
pages, by compiled SQL (programs/compiled_queries.py): the same records,
values and order as the ORM's, on either database."""

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Prefetch, prefetch_related_objects
from django.db.models.functions import Lower
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from programs.compiled_queries import (
    CompiledQuery,
    CompiledRows,
    RelatedRead,
    RowsForKeys,
    read_together,
)
from programs.kinds import KINDS
from programs.models import Expert, PublicationStatus, Source
from programs.site import list_rows, records
from programs.site.cache import content_version
from tests import factories as f
from tests.test_views import three_of_each


def detail_view(kind, record):
    view = getattr(records, f"{kind.model.__name__}DetailView")()
    view.setup(RequestFactory().get(record.get_absolute_url()), slug=record.slug)
    return view


def values(record):
    """Return the record's model and its field values, with their types."""
    if record is None:
        return None
    return (
        type(record),
        {
            field.attname: (type(value), value)
            for field in record._meta.concrete_fields
            for value in [getattr(record, field.attname)]
        },
    )


def as_the_orm_reads(view, slug):
    """Return the record as select_related and prefetch_related read it."""
    record = view.get_queryset().get(slug=slug)
    prefetch_related_objects([record], *view.prefetch_related)
    return record


@pytest.fixture
def every_kind():
    """The seeded report's records, which cite paragraphs, and three of every
    kind with their related records, one of each relation a draft."""
    call_command("load_seeds", stdout=StringIO())
    made = three_of_each()
    draft = PublicationStatus.DRAFT
    made["expert"].sources.add(f.make_source(publication_status=draft))
    made["expert"].research_fields.add(f.make_field(publication_status=draft))
    f.make_project(agreement=made["agreement"], publication_status=draft)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_a_detail_page_reads_what_the_orm_reads(every_kind, kind):
    """Every published record of every kind, its select_related records and
    each prefetched relation: the same records, values, types and order."""
    slugs = kind.model.objects.public().values_list("slug", flat=True)
    assert slugs
    for slug in slugs:
        record = kind.model.objects.get(slug=slug)
        view = detail_view(kind, record)
        compiled, expected = view.get_object(), as_the_orm_reads(view, slug)

        assert values(compiled) == values(expected)
        for name in view.select_related:
            assert values(getattr(compiled, name)) == values(getattr(expected, name))
        for prefetch in view.prefetch_related:
            name = prefetch.prefetch_to
            read = [values(related) for related in getattr(compiled, name).all()]
            assert read == [
                values(related) for related in getattr(expected, name).all()
            ]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_related_records_cost_no_query_once_read(
    every_kind, kind, django_assert_num_queries
):
    """Each relation answers .all() from what was read, and a reverse foreign
    key's records point back at the record without a query."""
    record = kind.model.objects.public().order_by("pk").last()
    view = detail_view(kind, record)
    with django_assert_num_queries(1 + len(view.prefetch_related)):
        read = view.get_object()
    with django_assert_num_queries(0):
        for prefetch in view.prefetch_related:
            for related in getattr(read, prefetch.prefetch_to).all():
                for field in related._meta.concrete_fields:
                    if field.is_relation and field.related_model is kind.model:
                        assert getattr(related, field.name) is read


@pytest.mark.django_db
def test_each_call_reads_its_own_key():
    """The SQL is compiled once; each call runs it with its own key."""
    first, second = f.make_expert(name_en="First"), f.make_expert(name_en="Second")
    by_slug = CompiledQuery(lambda slug: Expert.objects.filter(slug=slug), key_type=str)

    assert [expert.name_en for expert in by_slug(first.slug)] == ["First"]
    assert [expert.name_en for expert in by_slug(second.slug)] == ["Second"]
    assert by_slug("no-such-expert") == []


@pytest.mark.django_db
def test_a_query_must_use_its_key_exactly_once():
    """A key used twice, or not at all, is a mistake said at once."""
    twice = CompiledQuery(
        lambda slug: (
            Expert.objects.filter(slug=slug) | Expert.objects.filter(name_en=slug)
        ),
        key_type=str,
    )
    never = CompiledQuery(
        lambda slug: Expert.objects.filter(slug="fixed"), key_type=str
    )

    for query in (twice, never):
        with pytest.raises(ValueError, match="key must stand once"):
            query("any")


@pytest.mark.django_db
def test_a_compiled_query_does_not_prefetch():
    """Prefetching would be silently skipped, so it is refused."""
    query = CompiledQuery(
        lambda slug: Expert.objects.filter(slug=slug).prefetch_related("sources"),
        key_type=str,
    )
    with pytest.raises(ValueError, match="does not prefetch"):
        query("any")


def test_a_related_read_is_one_level_with_a_queryset():
    """Nested lookups and bare names are prefetch_related's, not a RelatedRead's."""
    with pytest.raises(ValueError, match="one level"):
        RelatedRead(
            Expert.objects.all(),
            "slug",
            Prefetch("sources__evidence", queryset=Source.objects.all()),
        )
    with pytest.raises(ValueError, match="one level"):
        RelatedRead(Expert.objects.all(), "slug", Prefetch("sources"))


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's pipeline mode"
)


@on_postgresql
@pytest.mark.django_db
def test_a_record_and_its_relations_are_sent_together(every_kind, monkeypatch):
    """On PostgreSQL an expert and its four relations are read in one
    pipeline: one round trip rather than two (the record, then the rest)."""
    pipelines, queries = [], []
    send_together = connection.pipeline

    @contextmanager
    def counted():
        pipelines.append("open")
        with send_together():
            yield
        pipelines[-1] = "closed"

    def note(execute, sql, params, many, context):
        queries.append(pipelines[-1:] == ["open"])
        return execute(sql, params, many, context)

    monkeypatch.setattr(connection, "pipeline", counted)
    expert = next(kind for kind in KINDS if kind.key == "expert")
    record = expert.model.objects.public().order_by("pk").last()
    with connection.execute_wrapper(note):
        detail_view(expert, record).get_object()
    assert pipelines == ["closed"]
    assert queries == [True] * 5  # the record and its four relations


@on_postgresql
@pytest.mark.django_db
def test_a_failed_query_sent_together_raises_djangos_error(every_kind):
    """A query that fails among others raises Django's DatabaseError, and the
    connection goes on serving once its transaction is rolled back."""
    by_pk = CompiledQuery(lambda pk: Expert.objects.filter(pk=pk), key_type=int)
    with pytest.raises(DatabaseError), transaction.atomic():
        read_together([(by_pk, 1), (by_pk, "not a number")])
    assert by_pk(Expert.objects.first().pk)


def list_view_class(kind):
    return resolve(reverse(kind.list_url_name)).func.view_class


def typed(rows):
    """Return ``rows`` with each value's type beside it."""
    return [[(type(value), value) for value in row] for row in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_a_lists_first_rows_are_what_the_orm_reads(every_kind, kind, language):
    """An unfiltered list's compiled rows: the same rows, values, types and
    order as its queryset's values_list, for the whole list and a slice."""
    view_class = list_view_class(kind)
    view = view_class()
    with translation.override(language):
        view.setup(RequestFactory().get(reverse(kind.list_url_name)))
        queryset = view.get_queryset()
    order = tuple(queryset.query.order_by)
    rows = queryset.values_list(*list_rows.fields_of(view_class.columns))
    compiled = records.first_rows(view_class, order)

    assert rows.exists()
    first, version = compiled.read(0, 100)
    assert typed(first) == typed(rows[0:100])
    assert version == content_version()
    assert typed(compiled.read(1, 3)[0]) == typed(rows[1:3])
    assert compiled.read(0, 0) == ([], None)


@pytest.mark.django_db
def test_compiled_rows_read_each_slice_and_nothing_for_an_empty_one(
    django_assert_num_queries,
):
    for name in ("A", "B", "C"):
        f.make_expert(name_en=name)
    names = CompiledRows(
        lambda: Expert.objects.order_by("name_en").values_list("name_en")
    )

    assert names.read(0, 2) == [("A",), ("B",)]
    assert names.read(2, 25) == [("C",)]
    with django_assert_num_queries(0):
        assert names.read(0, 0) == []


@pytest.mark.django_db
def test_compiled_rows_convert_values_as_the_orm_does():
    """Each database's converters apply: SQLite stores a time without its
    zone, which the ORM gives back aware."""
    f.make_expert()
    times = Expert.objects.order_by("pk").values_list("created_at", "updated_at")

    assert typed(CompiledRows(lambda: times).read(0, 1)) == typed(times[0:1])
    assert CompiledRows(lambda: times).read(0, 1)[0][0].tzinfo is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "build",
    [
        lambda: Expert.objects.values_list("name_en", flat=False)[:5],
        lambda: Expert.objects.annotate(n=Count("sources")).values_list("n", "name_en"),
        lambda: Expert.objects.all(),
    ],
    ids=["sliced", "annotation-first", "records"],
)
def test_compiled_rows_are_plain_columns_sliced_when_read(build):
    """What CompiledRows would read wrongly is refused when first compiled."""
    with pytest.raises(ValueError, match="Compiled rows"):
        CompiledRows(build).read(0, 1)


@pytest.mark.django_db
def test_compiled_rows_read_expressions_after_the_fields():
    """A values_list's expressions after its fields are read in their place,
    as the ORM reads them."""
    for name in ("A", "B"):
        f.make_expert(name_en=name).sources.add(f.make_source())

    def build():
        return (
            Expert.objects.annotate(n=Count("sources"))
            .order_by("name_en")
            .values_list("name_en", "n", Lower("name_en"))
        )

    assert (
        CompiledRows(build).read(0, 5)
        == list(build())
        == [
            ("A", 1, "a"),
            ("B", 1, "b"),
        ]
    )


@pytest.mark.django_db
def test_rows_for_keys_read_each_set_of_keys(django_assert_num_queries):
    """Any keys, any number of them: the rows the ORM's filter finds, from
    one compiled query per power of two, and none for no keys."""
    experts = [f.make_expert(name_en=f"Expert {n}") for n in range(5)]
    names = RowsForKeys(
        lambda keys: (
            Expert.objects.filter(pk__in=keys)
            .order_by("name_en")
            .values_list("pk", "name_en")
        )
    )
    built = []
    build = names.build
    names.build = lambda keys: built.append(len(keys)) or build(keys)

    for chosen in ([0], [4, 1, 3], [0, 1, 2, 3, 4], [2, 0, 4], [3]):
        keys = [experts[n].pk for n in chosen]
        expected = Expert.objects.filter(pk__in=keys).order_by("name_en")
        assert names.read(keys) == list(expected.values_list("pk", "name_en"))
    assert sorted(built) == [1, 4, 8]
    with django_assert_num_queries(0):
        assert names.read([]) == []


@pytest.mark.django_db
def test_rows_for_keys_must_use_each_key_once():
    twice = RowsForKeys(
        lambda keys: (
            Expert.objects.filter(pk__in=keys) | Expert.objects.filter(version__in=keys)
        ).values_list("pk")
    )
    with pytest.raises(ValueError, match="Each key must stand once"):
        twice.read([1])
