import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from programs.api.filters import FigureFilterSet
from programs.kinds import BY_KEY
from programs.kinds import KINDS as RECORD_KINDS
from programs.models import AnnouncedFigure, PublicationStatus
from programs.site import filters
from programs.templatetags.highlight import highlight

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
KINDS = [kind.key for kind in RECORD_KINDS]


def make_of_each(stem_en="Qingpu", stem_zh="青浦", count=3, **fields):
    """Build ``count`` records of every kind named after ``stem_en``/``stem_zh``."""
    for i in range(count):
        n = f"{stem_en}-{i}-{next(f._sequence)}"
        f.make_district(
            name_en=f"{stem_en} District {n}", name_zh=f"{stem_zh}区{n}", **fields
        )
        f.make_organization(
            name_en=f"{stem_en} Park {n}", name_zh=f"{stem_zh}园区{n}", **fields
        )
        f.make_agreement(
            name_en=f"{stem_en} Accord {n}", name_zh=f"{stem_zh}协议{n}", **fields
        )
        f.make_project(
            name_en=f"{stem_en} Project {n}", name_zh=f"{stem_zh}项目{n}", **fields
        )
        f.make_workstation(
            name_en=f"{stem_en} Academician Workstation {n}",
            name_zh=f"{stem_zh}院士工作站{n}",
            **fields,
        )
        f.make_expert(
            name_en=f"{stem_en} Expert {n}", name_zh=f"{stem_zh}专家{n}", **fields
        )
        f.make_entrepreneur(
            name_en=f"{stem_en} Founder {n}", name_zh=f"{stem_zh}创业者{n}", **fields
        )
        f.make_source(
            title_en=f"{stem_en} report {n}", title_zh=f"{stem_zh}报道{n}", **fields
        )


def search(client, q, prefix=""):
    response = client.get(f"{prefix}{reverse('programs:search')}", {"q": q})
    assert response.status_code == 200
    return response


def totals(response):
    return {group.kind.key: group.total for group in response.context["results"]}


@pytest.mark.parametrize("q", ["Qingpu", "qingpu", "青浦", "青浦区"])
def test_finds_every_kind_by_english_or_chinese_substring(client, q):
    """Part of a name in either language, in any case, finds records of every kind."""
    make_of_each(count=3)
    make_of_each("Wujiang", "吴江", count=2)
    expected = {key: 3 for key in KINDS}
    if q == "青浦区":
        expected = {"district": 3}
    response = search(client, q)
    assert totals(response) == expected
    assert response.context["total"] == sum(expected.values())


def test_results_are_grouped_by_kind_with_counts(client):
    """Each kind with matches gets a heading with its count; others are left out."""
    make_of_each(count=3)
    f.make_project(name_en="Jiashan Project")
    text = search(client, "jiashan").text
    assert (
        '<h2 id="results-project">Projects <span class="search-count">(1)</span>'
        in text
    )
    assert 'id="results-district"' not in text
    assert ">See the 1 match in projects</a>" in text
    assert (
        '<p class="result-count" role="status">1 record matches “jiashan”.</p>' in text
    )


def test_finds_workstations_by_the_word_workstation(client):
    """The word workstation finds academician workstations and links their list."""
    f.make_workstation(
        name_en="Zhang Academician Workstation", name_zh="张院士工作站", slug="zhang"
    )
    f.make_workstation(
        name_en="Li Academician Expert Station", name_zh="李院士专家站", slug="li"
    )
    response = search(client, "workstation")
    assert totals(response) == {"workstation": 1}
    list_url = reverse("programs:workstation-list")
    assert (
        f'See every one of:\n  <a href="{list_url}">Academician workstations</a>'
        in (response.text)
    )
    assert totals(search(client, "工作站")) == {"workstation": 1}


def test_words_are_matched_in_any_order_and_any_field(client):
    """Every word must be found, each in any searched field, in either language."""
    f.make_project(name_en="Qingpu Solar Project", slug="solar")
    f.make_project(name_en="Jiashan Park", summary_zh="青浦光伏产业园的配套项目。")
    f.make_project(name_en="Qingpu Wind Project")
    assert totals(search(client, "qingpu solar")) == {"project": 1}
    assert totals(search(client, "solar qingpu")) == {"project": 1}
    assert totals(search(client, "  SOLAR\u3000qingpu ")) == {"project": 1}
    assert totals(search(client, "solar wujiang")) == {}
    # A Chinese word is a substring, wherever it stands in a summary.
    assert totals(search(client, "青浦光伏")) == {"project": 1}
    assert totals(search(client, "jiashan 光伏")) == {"project": 1}
    assert totals(search(client, "qingpu")) == {"project": 2}


@pytest.mark.parametrize("q", ["solar qingpu", "青浦 solar", "workstation", "光伏"])
def test_a_list_finds_what_search_counts(client, q):
    """The list's q matches the same records as site-wide search, word by word."""
    f.make_project(name_en="Qingpu Solar Project", name_zh="青浦光伏项目")
    f.make_project(name_en="Park", summary_en="Solar roofs in Qingpu.")
    f.make_project(name_en="Lab", summary_en="Hosts an academician workstation.")
    f.make_project(name_en="Other", summary_zh="光伏")
    expected = totals(search(client, q)).get("project", 0)
    response = client.get(reverse("programs:project-list"), {"q": q})
    assert response.context["paginator"].count == expected
    assert expected


def test_search_words_drop_repeats_and_words_inside_others():
    """A repeated word, or one inside another, adds no condition."""
    words = filters.RecordFilterSet.words
    assert words("Qingpu qingpu QINGPU") == ["Qingpu"]
    assert words("qing solar qingpu") == ["solar", "qingpu"]
    assert words("青浦 青浦区") == ["青浦区"]
    assert words(" \t ") == []


def test_exact_names_rank_first_then_prefixes_then_other_fields(client):
    """The query as a whole name comes first, then names starting with it."""
    f.make_project(name_en="Alpha", summary_en="A solar farm.", slug="in-summary")
    f.make_project(name_en="Big Solar Roofs", slug="in-name")
    f.make_project(name_en="Solar Valley", slug="prefix")
    f.make_project(name_en="Solar", slug="exact")
    hits = search(client, "solar").context["results"][0].hits
    assert [hit.slug for hit in hits] == ["exact", "prefix", "in-name", "in-summary"]


def test_each_hit_says_where_its_words_were_found(client):
    """A match outside the name is named and shown in an excerpt around it."""
    f.make_district(
        name_en="Qingpu District",
        city_en="Shanghai",
        summary_en="Flat land. " * 20
        + "Had more than 40 academician workstations at the end of 2022.",
    )
    text = search(client, "workstation").text
    assert "Matched in: summary" in text
    assert "academician <mark>workstation</mark>s at the end of 2022." in text
    # The excerpt starts near the match, not at the start of the summary.
    assert "…" in text.split("<mark>workstation</mark>")[0][-200:]
    text = search(client, "qingpu workstation").text
    assert "Matched in: name · summary" in text
    assert "<mark>Qingpu</mark> District" in text


def test_chinese_summary_match_is_marked_with_its_language(client):
    """On an English page an excerpt of a Chinese summary carries lang="zh-Hans"."""
    f.make_organization(name_en="Park", summary_zh="位于青浦区的产业园。")
    text = search(client, "青浦").text
    assert '<span lang="zh-Hans">位于<mark>青浦</mark>区的产业园。</span>' in text


def test_announced_figures_are_a_group_linked_to_their_sources(client):
    """A figure's label finds it; it shows its numbers and links to its source."""
    source = f.make_source(title_en="Zone report", slug="zone-report")
    f.make_figure(
        label_en="Academician workstations in Qingpu",
        label_zh="青浦院士工作站",
        subject="workstations",
        qualifier="more_than",
        value=40,
        date_rule="as_of",
        as_of=datetime.date(2022, 12, 31),
        source=source,
        slug="qingpu-workstations",
    )
    f.make_figure(label_en="Draft workstations", publication_status=DRAFT)
    f.make_workstation(name_en="Zhang Workstation", established_on=None)
    response = search(client, "workstation")
    figures = response.context["figures"]
    assert figures.total == 1
    assert response.context["total"] == 2
    text = response.text
    assert '<h2 id="results-figure">Announced figures' in text
    link = reverse("programs:source-detail", args=["zone-report"])
    assert (
        f'<a href="{link}#figure-qingpu-workstations">Academician '
        "<mark>workstation</mark>s in Qingpu</a>"
    ) in text
    assert "<strong>more than 40</strong> announced, <strong>0</strong> on record" in (
        text
    )
    assert "Draft workstations" not in text
    response = search(client, "工作站 青浦")
    assert totals(response) == {}
    assert response.context["figures"].total == 1


def test_a_figure_of_an_unpublished_source_is_not_linked(client):
    """A published figure whose source is a draft shows no link to it."""
    source = f.make_source(title_en="Secret draft", publication_status=DRAFT)
    f.make_figure(label_en="Experts appointed", source=source)
    text = search(client, "experts appointed").text
    assert "<mark>Experts</mark> <mark>appointed</mark>" in text
    assert "Secret draft" not in text
    assert "#figure-" not in text


@pytest.mark.parametrize("key", KINDS)
def test_see_all_link_lists_the_same_matches(client, key):
    """The "See all N" link opens the kind's list filtered to those N records."""
    make_of_each(count=7)
    make_of_each("Wujiang", "吴江", count=2)
    group = next(
        g for g in search(client, "qingpu").context["results"] if g.kind.key == key
    )
    assert group.total == 7
    assert len(group.hits) == 5
    assert group.see_all_url == f"{reverse(f'programs:{key}-list')}?q=qingpu"
    listed = client.get(group.see_all_url).context
    assert listed["paginator"].count == group.total
    first_rows = [record.slug for record in listed["object_list"][: len(group.hits)]]
    assert [hit.slug for hit in group.hits] == first_rows


def test_results_follow_the_list_order(client):
    """A kind's results come in its list's order: newest projects first."""
    for year in (2019, 2023, 2021):
        f.make_project(name_en=f"Qingpu {year}", announced_on=datetime.date(year, 1, 1))
    text = search(client, "qingpu").text
    shown = re.findall(r"<mark>Qingpu</mark> (\d{4})</a>", text)
    assert shown == ["2023", "2021", "2019"]


def test_unpublished_records_are_never_found(client):
    """Drafts and archived records of every kind stay out of results and counts."""
    make_of_each(count=2, publication_status=DRAFT)
    make_of_each(count=1, publication_status=PublicationStatus.ARCHIVED)
    response = search(client, "qingpu")
    assert totals(response) == {}
    assert "<mark>" not in response.text


def test_staff_only_fields_are_never_searched_or_shown(client):
    """Contact details and source notes neither match nor appear in a snippet."""
    f.make_expert(
        name_en="Dr Wang", email="wang.secret@example.org", phone="13912345678"
    )
    f.make_entrepreneur(name_en="Ms Chen", email="chen.secret@example.org")
    f.make_source(title_en="Qingpu notice", outlet="Qingpu Daily", notes="private-note")
    for q in ("wang.secret@example.org", "secret", "13912345678", "private-note"):
        assert totals(search(client, q)) == {}, q
    text = search(client, "qingpu").text
    assert "<mark>Qingpu</mark> Daily" in text
    assert "<mark>Qingpu</mark> Daily · <time" in text
    assert "private-note" not in text


def test_matches_are_highlighted_in_name_and_snippet(client):
    """Each case-insensitive occurrence is wrapped in <mark>, keeping its case."""
    f.make_expert(
        name_en="Qingpu Expert", name_zh="青浦专家", title_en="Adviser to QINGPU"
    )
    text = search(client, "qingpu").text
    assert "<mark>Qingpu</mark> Expert" in text
    assert "Adviser to <mark>QINGPU</mark>" in text
    # The other language's name shows why a Chinese search found an English name.
    text = search(client, "青浦").text
    assert (
        '<span class="other-language" lang="zh-Hans"><mark>青浦</mark>专家</span>'
        in text
    )


def test_markup_in_names_and_query_is_escaped(client):
    """<script> in a record's name or in q is shown as text, never run."""
    f.make_organization(name_en="<script>alert(1)</script> Lab")
    text = search(client, "<script>").text
    assert "<script>alert" not in text
    assert "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt; Lab" in text
    assert "“&lt;script&gt;”" in text
    assert 'value="&lt;script&gt;"' in text


def test_highlight_never_breaks_entities():
    """The query is matched in the raw text, so escaping comes out whole."""
    assert highlight("R&D Centre", "amp") == "R&amp;D Centre"
    assert highlight("R&D Centre", "&") == "R<mark>&amp;</mark>D Centre"
    assert highlight("a<b", "<B") == "a<mark>&lt;b</mark>"
    assert highlight("Qingpu", "") == "Qingpu"
    assert highlight('say "hi"', "quot") == "say &quot;hi&quot;"


def test_blank_search_suggests_searches_and_lists(client):
    """Without a query the page offers example searches and every list."""
    for q in ("", "   "):
        response = search(client, q)
        assert response.context["results"] == []
        text = response.text
        assert 'href="/search/?q=%E9%9D%92%E6%B5%A6" lang="zh-Hans">青浦</a>' in text
        assert 'href="/search/?q=Qingpu" lang="en">Qingpu</a>' in text
        assert 'href="/search/?q=workstation"' in text
        for kind in KINDS:
            assert f'href="{reverse(f"programs:{kind}-list")}"' in text
        assert 'role="status"' not in text


def test_no_match_says_so_and_suggests_what_to_try(client):
    """A search that finds nothing says so and suggests spelling, language, lists."""
    make_of_each(count=1)
    text = search(client, "zzzq").text
    assert '<p class="result-count" role="status">0 records match “zzzq”.</p>' in text
    assert "Nothing on record matches “zzzq”." in text
    assert "Check the spelling" in text
    assert "Try the other language" in text
    assert f'href="{reverse("programs:expert-list")}"' in text


@pytest.mark.parametrize(
    "q",
    [
        "\x00",
        "Qing\x00pu",
        "x" * 300,
        "%" * 300,
        "青浦" * 80,
        "%",
        "_",
        "' OR 1=1 --",
        '"qingpu zzz"',
        "% _ %%",
        " ".join("abcdefghijklmnopqrstuvwxyz"),
    ],
    ids=[
        "nul",
        "nul-inside",
        "long",
        "percent-300",
        "chinese-160",
        "percent",
        "under",
        "sql",
        "quotes",
        "wildcards",
        "26-words",
    ],
)
def test_hostile_queries_never_fail(client, q):
    """Nonsense in q gives a page, never a server error, and matches nothing."""
    make_of_each(count=1)
    response = search(client, q)
    assert response.context["results"] == []


def test_too_long_a_query_says_so(client):
    """A query longer than the lists accept is refused with the limit named."""
    text = search(client, "x" * 300).text
    assert "Search for at most 100 characters (this search has 300)." in text
    assert 'aria-invalid="true"' in text


def test_nul_byte_is_refused_with_a_message(client):
    """A NUL byte, which PostgreSQL cannot store or compare, is refused politely."""
    text = search(client, "Qing\x00pu").text
    assert "Null characters are not allowed." in text
    assert "\x00" not in text


def test_wildcards_are_matched_literally(client):
    """% and _ are characters to find, not patterns that match everything."""
    make_of_each(count=1)
    f.make_project(name_en="100% Qingpu", slug="full-qingpu")
    assert totals(search(client, "%")) == {"project": 1}
    assert totals(search(client, "_")) == {}


def test_query_count_does_not_grow_with_matches(client, django_assert_num_queries):
    """Rows and counts of every kind come in one query, for 3 or 6 matches each."""
    make_of_each(count=3)
    with django_assert_num_queries(CACHE_CHECK + 1):
        response = search(client, "qingpu")
    assert set(totals(response).values()) == {3}
    make_of_each(count=3)
    with django_assert_num_queries(CACHE_CHECK + 1):
        response = search(client, "qingpu")
    assert set(totals(response).values()) == {6}


def test_figures_come_in_the_same_one_query(client, django_assert_num_queries):
    """Figures, with their sources and counts on record, add no query of their own."""
    make_of_each(count=3)
    for n in range(3):
        f.make_figure(label_en=f"Qingpu figure {n}", subject="workstations")
    with django_assert_num_queries(CACHE_CHECK + 1):
        response = search(client, "qingpu")
    assert response.context["figures"].total == 3
    assert response.text.count('class="search-figure"') == 3


def test_blank_or_invalid_search_runs_no_query(client, django_assert_num_queries):
    """Nothing to search for costs no query of its own."""
    with django_assert_num_queries(CACHE_CHECK):
        search(client, "")
    with django_assert_num_queries(CACHE_CHECK):
        search(client, "\x00")


def test_results_page_keeps_the_query_and_is_not_indexed(client):
    """The query stays in both search boxes and the title; robots are told noindex."""
    f.make_project(name_en="Qingpu Project")
    response = search(client, "Qingpu")
    assert response.text.count('value="Qingpu"') == 2
    assert "<title>Search: Qingpu · " in response.text
    assert response["X-Robots-Tag"] == "noindex"


def test_chinese_results_link_to_chinese_pages(client):
    """On the Chinese site results, names and "See all" stay in Chinese pages."""
    project = f.make_project(name_en="Qingpu Project", name_zh="青浦项目")
    response = search(client, "青浦", prefix="/zh-hans")
    text = response.text
    assert f'href="/zh-hans/projects/{project.slug}/"><mark>青浦</mark>项目</a>' in text
    assert 'href="/zh-hans/projects/?q=%E9%9D%92%E6%B5%A6"' in text
    assert '<span class="other-language" lang="en">Qingpu Project</span>' in text


def test_fallback_name_is_marked_with_its_language(client):
    """A record with no Chinese name shows its English one marked lang="en"."""
    f.make_organization(name_en="Qingpu Lab", name_zh="")
    text = search(client, "qingpu", prefix="/zh-hans").text
    assert '<span lang="en"><mark>Qingpu</mark> Lab</span>' in text


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_every_page_has_a_search_box(client, prefix):
    """Other pages carry a labelled search form that searches in their language."""
    project = f.make_project()
    with translation.override("zh-hans" if prefix else "en"):
        url = project.get_absolute_url()
    text = client.get(url).text
    form = '<form class="site-search" method="get" action="{}/search/" role="search"'
    assert form.format(prefix) in text
    assert '<label class="visually-hidden" for="site-search-q">' in text
    assert '<input type="search" name="q" id="site-search-q" value=""' in text


def test_snippet_gives_context_once(client):
    """A district's snippet names its city and province, once when they are one."""
    f.make_district(
        name_en="Qingpu District", city_en="Shanghai", province_en="Shanghai"
    )
    f.make_district(name_en="Jiashan County", city_en="Jiaxing", province_en="Zhejiang")
    assert '<p class="search-context">Shanghai</p>' in search(client, "qingpu").text
    text = search(client, "jiashan").text
    assert '<p class="search-context">Jiaxing · Zhejiang</p>' in text


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL-only behaviour"
)
def test_summaries_and_figure_labels_are_searched_through_trigram_indexes():
    """Migration 0014's indexes serve a word found in summaries and labels.

    With scans discouraged, as tests/test_postgres.py does at this small size,
    the plan must read the summaries' and the labels' trigram indexes: one
    field left unindexed would make the whole OR a scan.
    """
    for n in range(50):
        f.make_project(name_en=f"Project {n}", summary_en="Solar roofs.")
        f.make_figure(label_en=f"Figure {n}")
    plans = []
    # Without the publication filter, whose b-tree the planner prefers at
    # this size (test_postgres.py explains).
    project = BY_KEY["project"]
    for queryset in (
        project.filterset.matching(project.model.objects.all(), "workstation"),
        FigureFilterSet.matching(AnnouncedFigure.objects.all(), "workstation"),
    ):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE programs_project")
            cursor.execute("ANALYZE programs_announcedfigure")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "programs_project_summary_en_trgm" in plans[0]
    assert "programs_project_summary_zh_trgm" in plans[0]
    assert "programs_announcedfigure_label_en_trgm" in plans[1]
    assert "Seq Scan" not in "".join(plans)
