"""What each admin changelist costs in queries, and that its search stays Django's.

The budgets are pinned per list, per role and per case (the list as it opens,
a search, the "needs attention" filter), and stay the same with six rows as
with three: a query per row would show. They count what the request costs
once the process is warm (the session, the user, the list's own queries).
``benchmarks/admin.py`` times the same pages at 100,000 records.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from programs.models import (
    Agreement,
    AnnouncedFigure,
    District,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    Role,
)
from tests.factories import (
    client_of,
    make_agreement,
    make_district,
    make_expert,
    make_organization,
    make_staff,
)
from tests.test_admin import (
    BUILDERS,
    admin_url,
    build_rows,
    shown_pks,
)

pytestmark = pytest.mark.django_db

CASES = {
    "list": {},
    "search": {"q": "Wujiang"},
    "needs attention": {"attention": "yes"},
}
ROLES = ("superuser", "district editor")
# Queries of a changelist request, by model, for each role and case, in the
# order of ROLES and CASES: the session and the user, then the list's (the
# rows, their count, the filters' choices, the date hierarchy's first and
# last dates and, when there are any, its years, prefetched many-to-many
# columns, the sources of the rows shown, when there are any).
# A district editor's request adds four: their role group, their districts,
# and the permission look-ups of a user who is not a superuser. A list with no
# rule of the checks to apply (sources, fields) asks for no rows under "needs
# attention".
BUDGETS = {
    "source": (7, 7, 3, 11, 11, 7),
    "district": (6, 6, 5, 10, 10, 10),
    "researchfield": (4, 4, 2, 8, 8, 6),
    "organization": (6, 6, 5, 10, 10, 9),
    "agreement": (9, 9, 6, 13, 13, 10),
    "project": (8, 8, 6, 12, 12, 10),
    "expert": (8, 8, 6, 12, 12, 10),
    "workstation": (7, 7, 6, 11, 11, 10),
    "entrepreneur": (8, 8, 6, 12, 12, 10),
    "announcedfigure": (7, 7, 6, 11, 11, 10),
}


def budget(model, case, role):
    column = ROLES.index(role) * len(CASES) + list(CASES).index(case)
    return BUDGETS[model._meta.model_name][column]


by_model = pytest.mark.parametrize(
    "model", list(BUILDERS), ids=lambda model: model._meta.model_name
)
by_case = pytest.mark.parametrize("case", list(CASES))


@pytest.fixture(params=ROLES)
def role_client(request, admin_client):
    if request.param == "superuser":
        return request.param, admin_client
    editor = make_staff("wang", Role.DISTRICT_EDITOR, [make_district()])
    return request.param, client_of(editor)


@by_model
@by_case
def test_changelist_queries_are_pinned_and_do_not_grow_with_rows(
    role_client, django_assert_num_queries, model, case
):
    """Each list, searched or filtered, costs its pinned number of queries,
    the same for six rows as for three (no query per row)."""
    role, client = role_client
    url = admin_url(model, "changelist")
    params = CASES[case]
    rows = build_rows(model, 3)
    if case == "needs attention":
        publish_all(model)
    client.get(url, params)  # Warm the caches the first request fills.
    expected = budget(model, case, role)

    with django_assert_num_queries(expected):
        client.get(url, params)
    rows += build_rows(model, 3, first=4)
    if case == "needs attention":
        publish_all(model)
    with django_assert_num_queries(expected):
        response = client.get(url, params)

    assert response.status_code == 200
    if case != "needs attention":
        # All six shown (a district editor's list of districts has theirs too).
        assert {row.pk for row in rows} <= shown_pks(response)


def publish_all(model):
    """Publish every row, so that the checks' rules have rows to look at."""
    model.objects.update(publication_status=PublicationStatus.PUBLISHED)


@pytest.mark.parametrize("term", ["Suzhou Institute", "苏州研究"])
def test_search_finds_a_record_by_a_related_records_name(admin_client, term):
    """Searching experts by their appointing body's name, in either language,
    finds its experts and no other, as Django's own search did."""
    body = make_organization(
        name_en="Suzhou Institute of Nano-Tech", name_zh="苏州研究院"
    )
    other = make_organization(name_en="Qingpu Bureau", name_zh="青浦局")
    wanted = make_expert(appointed_by=body)
    make_expert(appointed_by=other)

    response = admin_client.get(admin_url(Expert, "changelist"), {"q": term})

    assert shown_pks(response) == {wanted.pk}


def test_search_needs_every_word_in_some_field(admin_client):
    """Every word must match, each in any field, own or related: a record
    matched by one word alone is left out."""
    body = make_organization(name_en="Suzhou Institute")
    both = make_expert(name_en="Zhang Wei", appointed_by=body)
    make_expert(name_en="Zhang Min")
    make_expert(name_en="Li Wei", appointed_by=body)

    response = admin_client.get(admin_url(Expert, "changelist"), {"q": "zhang suzhou"})

    assert shown_pks(response) == {both.pk}


def test_search_keeps_a_quoted_phrase_together(admin_client):
    """A phrase in quotes is one word, as in Django's admin."""
    wanted = make_expert(name_en="Chen Ming Hua")
    make_expert(name_en="Ming Chen")

    response = admin_client.get(admin_url(Expert, "changelist"), {"q": '"chen ming"'})

    assert shown_pks(response) == {wanted.pk}


@pytest.mark.parametrize("term", ["青浦", "浦区"])
def test_a_two_character_chinese_search_finds_what_icontains_finds(admin_client, term):
    """A two-character Chinese word finds the records with it in a searched
    field, and not those with it only in a field the admin does not search
    (on PostgreSQL through the Chinese-pair index, elsewhere by icontains)."""
    named = make_expert(name_zh="青浦区专家")
    titled = make_expert(title_zh="青浦区顾问")
    make_expert(name_zh="吴江专家", summary_zh="在青浦区工作")  # summary: not searched

    response = admin_client.get(admin_url(Expert, "changelist"), {"q": term})

    assert shown_pks(response) == {named.pk, titled.pk}


def test_the_sources_column_is_not_sortable(admin_client):
    """Sorting by the number of sources would count those of every row."""
    build_rows(Organization, 1)

    response = admin_client.get(admin_url(Organization, "changelist"))

    assert 'class="column-sources_cited"' in response.text
    assert "sortable column-sources_cited" not in response.text


@pytest.mark.parametrize("model", [District, Organization, Project, Entrepreneur])
def test_a_filtered_list_counts_its_matches_only(admin_client, model):
    """A search says how many records match, with no second count of the whole
    table ("Show all" instead of "N total")."""
    build_rows(model, 2)

    response = admin_client.get(admin_url(model, "changelist"), {"q": "record 1"})

    assert response.context["cl"].full_result_count is None
    assert "Show all" in response.text


def test_searching_figures_and_sources_by_related_titles(admin_client):
    """A figure is found by its source's title, through the source's own table."""
    figure = BUILDERS[AnnouncedFigure]("Talents attracted", "引进人才")
    figure.source.title_en = "Qingpu yearbook"
    figure.source.save()
    BUILDERS[AnnouncedFigure]("Projects", "项目")

    response = admin_client.get(
        admin_url(AnnouncedFigure, "changelist"), {"q": "yearbook"}
    )

    assert shown_pks(response) == {figure.pk}


def test_chinese_pair_search_is_what_runs_on_postgresql(admin_client):
    """On PostgreSQL a two-character Chinese word is looked up in the pair
    index's expression; elsewhere it is a plain substring match."""
    make_expert(name_zh="青浦区专家")
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(admin_url(Expert, "changelist"), {"q": "青浦"})

    uses_pairs = any("talentzone_cjk_pairs" in q["sql"] for q in queries)
    assert uses_pairs == (connection.vendor == "postgresql")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_row_checkbox_is_the_html_djangos_widget_renders(language):
    """The row's checkbox, written without the form renderer, is byte for
    byte the one Django renders, with the record's name escaped."""
    expert = make_expert(name_en='Li "Lily" <Wei> & Co')
    model_admin = admin.site._registry[Expert]

    with translation.override(language):
        ours = model_admin.action_checkbox(expert)
        djangos = admin.ModelAdmin.action_checkbox(model_admin, expert)

    assert ours == djangos


def test_the_date_hierarchy_lists_the_years_with_records(admin_client):
    """The date hierarchy offers each year some record falls in, in order,
    and no year between them without one (on PostgreSQL found year by year
    through the date's index, elsewhere by Django's own query)."""
    for year in (2021, 2017, 2021, 2019):
        make_expert(appointed_on=datetime.date(year, 5, 1))
    make_expert(appointed_on=None)

    response = admin_client.get(admin_url(Expert, "changelist"))

    choices = date_hierarchy(response.context["cl"])["choices"]
    assert [choice["title"] for choice in choices] == ["2017", "2019", "2021"]


def test_a_page_is_read_by_its_keys_without_searching_again(admin_client, monkeypatch):
    """The page's keys are found under the search; its rows are then read by
    key alone, with the search in their query once, as in the count's."""
    monkeypatch.setattr(admin.site.get_model_admin(Expert), "list_per_page", 3)
    for n in range(5):
        make_expert(name_en=f"Searched {n}")

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(admin_url(Expert, "changelist"), {"q": "Searched"})

    sql = [query["sql"] for query in queries]
    counted = next(q for q in sql if q.startswith('SELECT COUNT(*) AS "__count"'))
    rows = next(q for q in sql if q.startswith('SELECT "programs_expert"."id"'))
    assert rows.count("Searched") == counted.count("Searched") > 0
    assert len(shown_pks(response)) == 3


def test_the_date_hierarchy_reads_its_first_and_last_dates_once(admin_client):
    """Django's date hierarchy reads the first and last dates, then the years
    start from the same two: one query for them, not two (under a search
    each scans every match)."""
    for year in (2021, 2017):
        make_expert(name_en="Searched", appointed_on=datetime.date(year, 5, 1))

    with CaptureQueriesContext(connection) as queries:
        admin_client.get(admin_url(Expert, "changelist"), {"q": "Searched"})

    spans = [query for query in queries if 'MIN("programs_expert"' in query["sql"]]
    assert len(spans) == 1


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plans"
)


@pytest.fixture
def many_experts(db):
    """Enough experts, analysed, that the planner weighs indexes."""
    body = make_organization(name_en="Wujiang Talent Office")
    Expert.objects.bulk_create(
        Expert(
            slug=f"bulk-{n}",
            name_en=f"Bulk expert {n}",
            name_zh=f"批量专家{n}",
            title_en=f"Adviser {n}",
            appointed_by=body,
            status=["appointed", "ended"][n % 2],
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE programs_expert")
        cursor.execute("ANALYZE programs_organization")


def changelist_plan(admin_user, model, params):
    """Return PostgreSQL's plan of the rows query of ``model``'s changelist."""
    request = RequestFactory().get(admin_url(model, "changelist"), params)
    request.user = admin_user
    changelist = admin.site._registry[model].get_changelist_instance(request)
    page = changelist.queryset[: changelist.list_per_page]
    return page.explain()


@on_postgresql
@pytest.mark.parametrize("column", ["2.1", "3.1", "7.1", "8.1"])
def test_sorting_by_a_column_walks_an_index(many_experts, admin_user, column):
    """A click on the Chinese name, title, status or publication header (after
    the English name the list opens with) reads the page from an index
    (migration 0017) rather than sorting every row."""
    plan = changelist_plan(admin_user, Expert, {"o": column})

    assert "Index Scan" in plan
    assert "Seq Scan on programs_expert" not in plan


def test_search_finds_an_agreement_by_a_partys_name(admin_client):
    """An agreement is found by the name of an organization that signed it,
    through the table of its parties."""
    signed = make_agreement(parties=[make_organization(name_en="Suzhou Institute")])
    make_agreement(parties=[make_organization(name_en="Qingpu Bureau")])

    response = admin_client.get(admin_url(Agreement, "changelist"), {"q": "suzhou"})

    assert shown_pks(response) == {signed.pk}


def test_a_changelist_sorts_keys_and_reads_its_page_by_them(admin_user):
    """The page is the same rows, in the same order, as the sorted queryset's
    slice, read in one query that sorts only the keys."""
    districts = [make_district(name_en=name) for name in ("Wujiang", "Jiashan")]
    for n in range(60):
        make_expert(name_en=f"Expert {n:02}", district=districts[n % 2])
    request = RequestFactory().get(admin_url(Expert, "changelist"), {"p": "2"})
    request.user = admin_user
    with CaptureQueriesContext(connection) as queries:
        changelist = admin.site._registry[Expert].get_changelist_instance(request)
        shown = [expert.pk for expert in changelist.result_list]
    expected = [expert.pk for expert in changelist.queryset[50:100]]
    assert shown == expected and len(shown) == 10
    page_queries = [query for query in queries if " IN (SELECT " in query["sql"]]
    assert len(page_queries) == 1
