import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from programs.models import ContentSummary, Expert, Project, PublicationStatus
from programs.site import aggregates, filters, stats
from programs.site.cache import content_version
from programs.site.timeline import EVENT_KINDS

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
SVG = "{http://www.w3.org/2000/svg}"

# Nothing but the version: the content comes from the cache, where it is kept
# rendered under the content version (programs/site/aggregates.py).
STATS_QUERY_BUDGET = CACHE_CHECK
# Making the statistics page's content, when it is not kept: the version it is
# made for, the districts and the fields (their counts come from the summary).
STATS_CONTENT = 3
# Looking the summary up in its table, when another process made it.
SUMMARY_LOOKUP = 1
# Counting it, when no one has: by district, field, year and status, and
# storing it.
SUMMARY_COUNTING = SUMMARY_LOOKUP + 4 + 1
# Nothing but the version: the content comes from the cache, where it is kept
# rendered under the content version.
HOME_QUERY_BUDGET = CACHE_CHECK
# Making the home page's content, when it is not kept: the version it is made
# for, the districts (their counts come from the summary), the figures, the
# paragraphs they cite, and one UNION for the latest records.
HOME_PARTS = 5


def charts(text):
    """Return each chart's <figure> on the page, parsed as XML."""
    return [
        ET.fromstring(figure)
        for figure in re.findall(r'<figure class="chart">.*?</figure>', text, re.S)
    ]


def table_links(figure):
    """Return {href: number} for the numbers in a chart's table."""
    return {a.get("href"): a.text for a in figure.iter("a")}


def populate(rows, year=2023):
    """Build ``rows`` public records of every kind in one district and field."""
    district = f.make_district(slug="qingpu", name_en="Qingpu District")
    field = f.make_field(slug="ai", name_en="Artificial intelligence")
    on = datetime.date(year, 6, 15)
    for _ in range(rows):
        f.make_agreement(district=district, signed_on=on, status="in_force")
        f.make_project(district=district, field=field, announced_on=on)
        f.make_workstation(district=district, field=field, established_on=on)
        f.make_expert(district=district, appointed_on=on).research_fields.add(field)
        f.make_entrepreneur(district=district, field=field, signed_on=on)
    return district, field


# Counting ---------------------------------------------------------------------


def test_district_counts_leave_out_drafts_and_unpublished_districts():
    """A district's counts are its public records; a draft district has no row."""
    district = f.make_district()
    f.make_project(district=district)
    f.make_project(district=district)
    f.make_project(district=district, publication_status=DRAFT)
    f.make_expert(district=district, is_demo=True)
    hidden = f.make_district(publication_status=DRAFT)
    f.make_project(district=hidden)
    rows = stats.districts_with_counts(aggregates.count_all())
    assert rows == [district]
    assert (rows[0].project_count, rows[0].expert_count) == (2, 1)
    assert rows[0].agreement_count == 0
    assert rows[0].demo_count == 1


def test_counts_by_year_use_each_kinds_date_and_skip_drafts_and_undated():
    """Records count in the year of their own date; drafts and undated do not."""
    f.make_agreement(signed_on=datetime.date(2022, 1, 1))
    f.make_agreement(signed_on=datetime.date(2023, 1, 1))
    f.make_agreement(signed_on=datetime.date(2023, 5, 1), publication_status=DRAFT)
    f.make_agreement(signed_on=None)
    f.make_workstation(established_on=datetime.date(2023, 2, 2))
    assert aggregates.counts_by_year() == {
        ("agreement", 2022): 1,
        ("agreement", 2023): 1,
        ("workstation", 2023): 1,
    }


def test_counts_by_status_skip_drafts():
    """Status counts are of public records only."""
    f.make_project(status="under_way")
    f.make_project(status="under_way")
    f.make_project(status="under_way", publication_status=DRAFT)
    f.make_expert(status="ended")
    assert aggregates.counts_by_status() == {
        ("project", "under_way"): 2,
        ("expert", "ended"): 1,
    }


def test_field_counts_include_experts_fields_and_skip_drafts():
    """Experts count in each of their fields; draft records and fields do not."""
    ai = f.make_field(name_en="AI")
    hidden = f.make_field(publication_status=DRAFT)
    f.make_project(field=ai)
    f.make_project(field=ai, publication_status=DRAFT)
    f.make_expert().research_fields.add(ai, hidden)
    f.make_expert(publication_status=DRAFT).research_fields.add(ai)
    f.make_project(field=hidden)
    (row,) = stats.fields_with_counts(aggregates.count_all())
    assert row == ai
    assert (row.project_count, row.expert_count, row.workstation_count) == (1, 1, 0)


@pytest.mark.parametrize(
    ("filterset", "make", "lookup"),
    [
        (filters.ProjectFilterSet, f.make_project, "field"),
        (filters.WorkstationFilterSet, f.make_workstation, "field"),
        (filters.EntrepreneurFilterSet, f.make_entrepreneur, "field"),
    ],
)
def test_field_filter_keeps_records_of_that_field(filterset, make, lookup):
    """`field` on projects, workstations and entrepreneurs keeps that field's."""
    field = f.make_field(slug="ai")
    make(name_en="In AI", field=field)
    make(name_en="Elsewhere")
    result = filterset({"field": "ai"}, queryset=filterset._meta.model.objects.all())
    assert [record.name_en for record in result.qs] == ["In AI"]


def test_field_filter_keeps_experts_in_that_field():
    """`field` on experts keeps those with the field among theirs, once each."""
    ai, ic = f.make_field(slug="ai"), f.make_field(slug="ic")
    f.make_expert(name_en="Both").research_fields.add(ai, ic)
    f.make_expert(name_en="Other").research_fields.add(ic)
    result = filters.ExpertFilterSet({"field": "ai"}, queryset=Expert.objects.all())
    assert [expert.name_en for expert in result.qs] == ["Both"]


def test_project_list_filters_by_year():
    """`year` on projects uses the date they were announced."""
    f.make_project(name_en="Then", announced_on=datetime.date(2021, 3, 1))
    f.make_project(name_en="Now", announced_on=datetime.date(2023, 3, 1))
    result = filters.ProjectFilterSet({"year": "2021"}, queryset=Project.objects.all())
    assert [project.name_en for project in result.qs] == ["Then"]


# The statistics page ---------------------------------------------------------


def test_stats_page_draws_four_accessible_charts(client):
    """Each chart is an SVG image with a title, a caption and a table of numbers."""
    populate(3)
    text = client.get(reverse("programs:stats")).text
    figures = charts(text)
    assert len(figures) == 4
    for figure in figures:
        svg = figure.find(f"{SVG}svg")
        assert svg.get("role") == "img"
        title = svg.find(f"{SVG}title")
        assert svg.get("aria-labelledby") == title.get("id") and title.text
        caption = figure.find("figcaption")
        assert svg.get("aria-describedby") == caption.get("id")
        table = figure.find("div/table")
        assert table.find("caption").text
        assert table.findall(".//th[@scope='col']")
        assert table.findall(".//th[@scope='row']")
        bars = [
            path for path in svg.iter(f"{SVG}path") if "series-" in path.get("class")
        ]
        assert bars, "every chart here has bars"
    assert 'href="/stats/" aria-current="page"' in text


def test_stats_numbers_link_to_the_lists_they_count(client):
    """Every number in a chart's table opens a list with that many matches."""
    populate(3)
    f.make_project(status="under_way", announced_on=datetime.date(2021, 1, 1))
    text = client.get(reverse("programs:stats")).text
    links = {}
    for figure in charts(text):
        links.update(table_links(figure))
    for expected in (
        "/projects/?district=qingpu",
        "/agreements/?year=2023",
        "/projects/?year=2021",
        "/experts/?field=ai",
        "/projects/?status=under_way",
        "/agreements/?status=in_force",
    ):
        assert expected in links
    for href, number in links.items():
        listing = client.get(href).text
        assert f">{number} match" in listing, href


def test_stats_leave_out_drafts_and_their_districts_and_fields(client):
    """Draft records, and public records under a draft district, are not charted."""
    district, field = populate(1)
    f.make_project(district=district, field=field, publication_status=DRAFT)
    hidden_district = f.make_district(
        name_en="Secret District", publication_status=DRAFT
    )
    f.make_project(district=hidden_district)
    f.make_project(field=f.make_field(name_en="Secret Field", publication_status=DRAFT))
    f.make_field(name_en="Idle Field")
    text = client.get(reverse("programs:stats")).text
    assert "Secret" not in text
    assert "Idle Field" not in text, "a field with no records is not charted"
    by_district = table_links(charts(text)[0])
    assert by_district["/projects/?district=qingpu"] == "1"


def test_empty_charts_say_nothing_is_on_record(client):
    """With nothing published, each chart says so instead of drawing an empty SVG."""
    f.make_project(publication_status=DRAFT)
    text = client.get(reverse("programs:stats")).text
    assert text.count("Nothing on record yet.") == 4
    assert "<svg" not in text


def populate_for_budget(rows):
    """Build ``rows`` records of every kind, and a second district and field."""
    populate(rows)
    f.make_project(
        district=f.make_district(name_en="Wujiang District"), field=f.make_field()
    )


@pytest.mark.parametrize("rows", [3, 6])
def test_stats_query_count_does_not_grow_with_records(
    client, django_assert_num_queries, rows
):
    """With the summary counted and the content kept when the content
    changed, the statistics page costs the version at 3 or 6 rows per kind,
    and counts nothing."""
    populate_for_budget(rows)
    aggregates.refresh()  # as the commit of the writes above would
    with django_assert_num_queries(STATS_QUERY_BUDGET):
        response = client.get(reverse("programs:stats"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 6])
def test_stats_read_a_summary_another_process_made_in_one_query(
    client, django_assert_num_queries, monkeypatch, rows
):
    """A process that finds no content kept (an emptied cache) and has not read
    the summary yet makes the content from the stored summary, looked up by
    primary key."""
    populate_for_budget(rows)
    aggregates.refresh()
    cache.clear()
    monkeypatch.setattr(aggregates, "_last", (None, None))
    with django_assert_num_queries(STATS_QUERY_BUDGET + STATS_CONTENT + SUMMARY_LOOKUP):
        client.get(reverse("programs:stats"))


@pytest.mark.parametrize("rows", [3, 6])
def test_stats_count_a_missing_summary_in_a_fixed_number_of_queries(
    client, django_assert_num_queries, rows
):
    """With no summary of the current content (nothing has committed here), the
    page counts it in the same queries at 3 or 6 rows per kind, and stores it."""
    populate_for_budget(rows)
    with django_assert_num_queries(
        STATS_QUERY_BUDGET + STATS_CONTENT + SUMMARY_COUNTING
    ):
        response = client.get(reverse("programs:stats"))
    assert response.status_code == 200
    assert ContentSummary.objects.filter(version=content_version()).exists()


def test_stats_page_speaks_chinese(client):
    """/zh-hans/stats/ names districts in Chinese and links to Chinese lists."""
    f.make_project(district=f.make_district(slug="qingpu", name_zh="青浦区"))
    response = client.get("/zh-hans/stats/")
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in response.text
    assert "青浦区" in response.text
    assert 'href="/zh-hans/projects/?district=qingpu"' in response.text
    for figure in charts(response.text):
        assert figure.find(f"{SVG}svg") is not None


# The home page ----------------------------------------------------------------


def test_home_lists_latest_projects_and_a_timeline_of_signings(client):
    """The home page lists the latest projects and dated signings, oldest first."""
    f.make_agreement(name_en="Old accord", signed_on=datetime.date(2021, 3, 1))
    f.make_project(name_en="New venture", announced_on=datetime.date(2023, 7, 1))
    f.make_entrepreneur(name_en="Dr Returnee", signed_on=datetime.date(2022, 5, 2))
    f.make_project(name_en="Hidden plan", publication_status=DRAFT)
    f.make_agreement(name_en="Undated accord", signed_on=None)
    text = client.get(reverse("programs:home")).text
    latest = text[text.index('id="projects-heading"') :]
    assert "New venture" in latest[: latest.index("</section>")]
    timeline = text[text.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert re.findall(r'<time datetime="([\d-]+)"', timeline) == [
        "2021-03-01",
        "2022-05-02",
        "2023-07-01",
    ]
    assert timeline.index("Old accord") < timeline.index("Dr Returnee")
    assert "Overseas entrepreneur signed" in timeline
    assert "Undated accord" not in timeline
    assert "Hidden plan" not in text


def test_home_timeline_keeps_only_the_latest_signings(client):
    """The timeline holds the latest eight signings of all kinds together."""
    f.make_agreement(name_en="Early accord", signed_on=datetime.date(2020, 1, 1))
    for day in range(1, 11):
        f.make_entrepreneur(
            name_en=f"Returnee {day:02}", signed_on=datetime.date(2023, 1, day)
        )
    text = client.get(reverse("programs:home")).text
    timeline = text[text.index('<ol class="timeline">') :]
    timeline = timeline[: timeline.index("</ol>")]
    assert timeline.count("<time") == 8
    assert "Returnee 03" in timeline and "Returnee 02" not in timeline
    assert "Early accord" not in timeline


def test_home_cards_link_counts_to_the_districts_lists(client):
    """Each district card's counts open that kind's list filtered by the district."""
    populate(3)
    text = client.get(reverse("programs:home")).text
    assert (
        '<dt>Projects</dt><dd><a href="/projects/?district=qingpu">3</a></dd>' in text
    )
    assert '<a href="/stats/">' in text


def populate_home(rows):
    """Build ``rows`` records of every kind, figures and districts."""
    district, _field = populate(rows)
    for _ in range(rows):
        f.make_figure(district=district)
        f.make_district()


@pytest.mark.parametrize("rows", [3, 6])
def test_home_query_count_does_not_grow_with_records(
    client, django_assert_num_queries, rows
):
    """The home page costs one query at 3 or 6 records of every kind, with the
    summary counted and its parts kept when the content changed."""
    populate_home(rows)
    aggregates.refresh()
    with django_assert_num_queries(HOME_QUERY_BUDGET):
        response = client.get(reverse("programs:home"))
    text = response.text
    assert text.count('class="figure"') == rows
    events = [f"{kind.event}:" for kind in EVENT_KINDS.values()]
    assert sum(text.count(event) for event in events) == 8


@pytest.mark.parametrize("rows", [3, 6])
def test_home_counts_a_missing_summary_in_a_fixed_number_of_queries(
    client, django_assert_num_queries, rows
):
    """Without a summary or its parts, the home page makes them, in the same
    queries at 3 or 6 records of every kind."""
    populate_home(rows)
    with django_assert_num_queries(HOME_QUERY_BUDGET + HOME_PARTS + SUMMARY_COUNTING):
        response = client.get(reverse("programs:home"))
    assert '<dt>Projects</dt><dd><a href="/projects/?district=qingpu">' in (
        response.text
    )


@pytest.mark.parametrize("path", ["/projects/", "/workstations/", "/experts/"])
def test_a_bad_field_is_explained_not_a_server_error(client, path):
    """A `field` that is not a slug gets the form's message, not a 500."""
    response = client.get(path, {"field": "<script>"})
    assert response.status_code == 200
    assert "Some filters could not be used" in response.text
    assert "<script>" not in response.text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    ("page", "budget", "shown"),
    [
        ("programs:home", HOME_QUERY_BUDGET, 'class="figure"'),
        ("programs:stats", STATS_QUERY_BUDGET, "<figure"),
    ],
)
def test_kept_content_is_the_content_made_afresh(
    client, settings, django_assert_num_queries, language, page, budget, shown
):
    """The home and statistics pages read from their kept content are the
    pages that made it, byte for byte, in either language."""
    settings.PAGE_CACHE_SECONDS = 0
    populate_home(3)
    with translation.override(language):
        url = reverse(page)
    made = client.get(url).text
    with django_assert_num_queries(budget):
        kept = client.get(url).text
    assert kept == made
    assert shown in made
    assert f'<html lang="{"zh-Hans" if language == "zh-hans" else "en"}">' in made
