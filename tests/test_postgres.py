"""What the PostgreSQL deployment relies on: its indexes, and their use.

The first test runs everywhere; the others only when the suite runs on
PostgreSQL (`make test-postgres`, and the second pass of `.ci/run`).
"""

import datetime
import importlib

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from programs.api.filters import FigureFilterSet
from programs.kinds import KINDS
from programs.models import Project
from programs.site import filters
from programs.site.cjk import indexed_fields
from programs.staff.planning import AdminQueriesUnpreparedMiddleware

from . import factories as f

dialect_indexes = importlib.import_module("programs.migrations.0003_dialect_indexes")
# 0003 names the models as they were then; 0007 renamed one (its indexes
# went with its table).
one_spelling = importlib.import_module("programs.migrations.0007_one_spelling_per_kind")
# The summaries, and the figures' labels, that search reads since 0014.
search_indexes = importlib.import_module("programs.migrations.0014_search_indexes")
# Two-character Chinese words, since 0016.
pair_indexes = importlib.import_module("programs.migrations.0016_chinese_pair_indexes")

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL-only behaviour"
)
FILTERSETS = {kind.key: kind.filterset for kind in KINDS}


def test_every_search_field_has_a_trigram_index_in_the_migration():
    """Each list's search fields are exactly those the trigram migration indexes.

    One unindexed field in the OR of a search would make PostgreSQL scan the
    whole table, so a field added to a FilterSet must be indexed too.
    """
    searched = {
        model: set(filterset.search_fields) for model, filterset in FILTERSETS.items()
    }
    indexed = {}
    for model, fields in dialect_indexes.SEARCH_FIELDS.items():
        indexed[one_spelling.RENAMED_MODELS.get(model, model)] = set(fields)
    for model, fields in search_indexes.SEARCH_FIELDS.items():
        indexed.setdefault(model, set()).update(fields)
    # Figures have no list; site-wide search finds them as the API's q does.
    searched["announcedfigure"] = set(FigureFilterSet.search_fields)
    assert indexed == searched


@on_postgresql
@pytest.mark.django_db
def test_the_trigram_indexes_exist():
    """Migrating PostgreSQL creates one trigram index per search field."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s",
            ["programs_%_trgm"],
        )
        names = {row[0] for row in cursor.fetchall()}
    expected = {
        migration.index_name(model, field)
        for migration in (dialect_indexes, search_indexes)
        for model, fields in migration.SEARCH_FIELDS.items()
        for field in fields
    }
    assert names == expected


@pytest.fixture
def many_projects(db):
    """Enough published projects, analysed, that the planner weighs indexes."""
    district = f.make_district()
    Project.objects.bulk_create(
        Project(
            slug=f"bulk-{n}",
            name_en=f"Bulk project {n}",
            name_zh=f"批量项目{n}",
            district=district,
            publication_status="published",
            announced_on=datetime.date(2015, 1, 1) + datetime.timedelta(days=n % 3000),
        )
        for n in range(3000)
    )
    f.make_project(name_en="Qingpu workstation", name_zh="青浦区工作站")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE programs_project")


def _plan(queryset, *discouraged):
    """Return PostgreSQL's plan for ``queryset``, with ``discouraged`` plans off.

    At a test's size reading everything is the cheapest plan; with such plans
    discouraged the plan shows which index, if any, can serve the query. (At
    100,000 rows the planner picks the trigram indexes unprompted.)
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in discouraged:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgresql
@pytest.mark.parametrize("query", ["青浦区", "Qingpu", "workstation"])
def test_substring_search_uses_the_trigram_indexes(many_projects, query):
    """The trigram indexes match the SQL that a list's q search runs.

    Django writes icontains as UPPER(col::text) LIKE …; an index over any
    other expression would never be used. Here the search runs without the
    publication filter, whose b-tree index the planner prefers at this small
    size; at 100,000 rows it picks the trigram indexes for the full query.
    (A word under three characters has no trigram; a two-character Chinese
    word such as 青浦 is served by the pair index instead, tested below.)
    """
    matches = filters.ProjectFilterSet.matching(Project.objects.all(), query)
    # Off: a scan of the table, and a walk of a whole b-tree index in order.
    plan = _plan(matches, "enable_seqscan", "enable_indexscan")
    assert "programs_project_name_en_trgm" in plan
    assert "programs_project_name_zh_trgm" in plan
    assert "Seq Scan on programs_project" not in plan
    assert matches.count() == 1


@on_postgresql
def test_a_list_page_walks_its_order_index(many_projects):
    """The project list's first page is read in index order, not sorted in full."""
    plan = _plan(Project.objects.public()[:25], "enable_seqscan")
    assert "project_list_order" in plan
    assert "Sort" not in plan


def test_every_table_indexes_its_chinese_pairs_over_the_searched_fields():
    """Migration 0016 indexes, per table, exactly the fields search reads for a
    Chinese word, in the order cjk.py joins them: another order or field would
    make an expression the index does not match, and a scan."""
    searched = {
        model: indexed_fields(filterset.search_fields)
        for model, filterset in FILTERSETS.items()
    }
    searched["announcedfigure"] = indexed_fields(FigureFilterSet.search_fields)
    assert {
        model: list(fields) for model, fields in pair_indexes.SEARCH_FIELDS.items()
    } == searched


@on_postgresql
@pytest.mark.parametrize("query", ["青浦", "工作", "区工"])
def test_two_character_chinese_words_use_the_pair_index(many_projects, query):
    """A two-character Chinese word is looked up in the pair index, and finds
    exactly what a substring match finds."""
    f.make_project(name_en="Work", summary_zh="区工作室")  # a pair in a summary
    matches = filters.ProjectFilterSet.matching(Project.objects.all(), query)
    plan = _plan(matches, "enable_seqscan", "enable_indexscan")
    assert "programs_project_chinese_pairs" in plan
    assert "Seq Scan on programs_project" not in plan
    substring = Q.create(
        [
            (f"{field}__icontains", query)
            for field in filters.ProjectFilterSet.search_fields
        ],
        connector=Q.OR,
    )
    expected = set(Project.objects.filter(substring).values_list("pk", flat=True))
    assert set(matches.values_list("pk", flat=True)) == expected
    assert expected


@on_postgresql
@pytest.mark.django_db
def test_the_pair_function_lists_adjacent_chinese_characters():
    """Pairs of adjacent Chinese characters, never across other characters."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT talentzone_cjk_pairs(%s), talentzone_cjk_pairs(%s)",
            ["青浦区 x光伏", "Qingpu"],
        )
        pairs, none = cursor.fetchone()
    assert sorted(pairs) == sorted(["青浦", "浦区", "光伏"])
    assert none == []


@on_postgresql
@pytest.mark.django_db
def test_the_admin_prepares_no_statement_and_the_site_does(admin_client, rf):
    """Public pages run on prepared statements; the admin's requests, whose
    filters vary, are planned for their values (programs/staff/planning.py),
    and leave the connection as they found it."""
    thresholds = []
    middleware = AdminQueriesUnpreparedMiddleware(
        lambda request: thresholds.append(connection.connection.prepare_threshold)
    )
    middleware(rf.get(reverse("admin:index")))
    middleware(rf.get("/projects/"))
    assert thresholds == [None, 5]
    response = admin_client.get(reverse("admin:programs_project_changelist"))
    assert response.status_code == 200
    assert connection.connection.prepare_threshold == 5


@on_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_later_list_page_walks_an_index_of_its_order_and_keys(language, rf):
    """The keys of page 400 of the experts are read from an index alone
    (migration 0020), in either language's order, never by sorting."""
    from programs.models import Expert
    from programs.paging import totally_ordered
    from programs.sorting import in_page_order

    path = "/experts/" if language == "en" else f"/{language}/experts/"
    order = in_page_order(Expert, Expert._meta.ordering, rf.get(path))
    page = totally_ordered(Expert.objects.public().order_by(*order))
    # Sorting discouraged too: at a test's size, whatever the statistics say
    # (other tests commit rows, and autovacuum counts them), a sort of a few
    # rows is otherwise cheaper than any index. Discouraged is not forbidden:
    # without an index of this order, the plan would still sort.
    plan = _plan(page.values("pk")[10_000:10_025], "enable_seqscan", "enable_sort")
    index = (
        "expert_publication_key" if language == "en" else "expert_publication_pinyin"
    )
    assert f"Index Only Scan using {index}" in plan
    assert "Sort" not in plan
