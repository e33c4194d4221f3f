"""Facet counts beside the choices of the list filters (programs/site/facets.py),
the folded filter form and the labelled table cells of the list pages."""

import re
from unittest import mock

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.kinds import KINDS
from programs.models import Expert, Project, PublicationStatus
from programs.site import facets, filters

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

APPOINTED, ENDED = Expert.Status.APPOINTED, Expert.Status.ENDED


def options(html, name):
    """Return ``{value: (label, attributes)}`` of the ``name`` select's options."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {name} select"
    return {
        value: (label, attributes)
        for value, attributes, label in re.findall(
            r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select.group(1)
        )
    }


@pytest.fixture
def experts():
    """Qingpu: 3 appointed, 3 ended; Wujiang: 3 appointed; Jiashan: none.

    Three records behind every count, so that a count made per row would show.
    """
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu District")
    wujiang = f.make_district(slug="wujiang", name_en="Wujiang District")
    f.make_district(slug="jiashan", name_en="Jiashan County")
    for district, status in (
        (qingpu, APPOINTED),
        (qingpu, ENDED),
        (wujiang, APPOINTED),
    ):
        for _ in range(3):
            f.make_expert(district=district, status=status)
    return {"qingpu": qingpu, "wujiang": wujiang}


def test_each_choice_counts_with_the_other_filters_but_not_its_own(client, experts):
    """Filtered by Qingpu and "appointed", each district says how many appointed
    experts it has, and each status how many Qingpu experts have it."""
    html = client.get(
        reverse("programs:expert-list"), {"district": "qingpu", "status": "appointed"}
    ).text
    districts = options(html, "district")
    assert districts["qingpu"][0] == "Qingpu District (3)"
    assert districts["wujiang"][0] == "Wujiang District (3)"
    assert districts["jiashan"][0] == "Jiashan County (0)"
    statuses = options(html, "status")
    assert statuses["appointed"][0] == "Appointed (3)"
    assert statuses["ended"][0] == "Appointment ended (3)"


def test_the_empty_choice_has_no_count(client, experts):
    """ "All districts" and "Any status" are shown as they were."""
    html = client.get(reverse("programs:expert-list")).text
    assert options(html, "district")[""][0] == "All districts"
    assert options(html, "status")[""][0] == "Any status"


def test_search_narrows_every_count(client, experts):
    """The text search applies to the counts as to the list."""
    f.make_expert(district=experts["wujiang"], name_en="Zhao Unique")
    html = client.get(reverse("programs:expert-list"), {"q": "unique"}).text
    assert options(html, "district")["wujiang"][0] == "Wujiang District (1)"
    assert options(html, "district")["qingpu"][0] == "Qingpu District (0)"


def test_a_choice_that_gives_nothing_is_disabled_unless_chosen(client, experts):
    """Jiashan has no expert: disabled; chosen anyway, it stays selectable."""
    url = reverse("programs:expert-list")
    jiashan = options(client.get(url).text, "district")["jiashan"]
    assert "disabled" in jiashan[1]
    chosen = options(client.get(url, {"district": "jiashan"}).text, "district")
    assert "selected" in chosen["jiashan"][1]
    assert "disabled" not in chosen["jiashan"][1]
    assert "disabled" not in chosen["qingpu"][1]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("district", "qingpu"),
        ("district", "wujiang"),
        ("status", "appointed"),
        ("status", "ended"),
    ],
)
def test_a_count_is_what_choosing_it_lists(client, experts, name, value):
    """Each count is the number of matches the list gives when it is chosen."""
    url = reverse("programs:expert-list")
    others = {"q": "expert", "status": "appointed", "district": "qingpu"}
    label = options(client.get(url, others).text, name)[value][0]
    count = int(re.search(r"\((\d+)\)$", label).group(1))
    chosen = client.get(url, {**others, name: value}).text
    assert f">{count} match" in chosen


def test_drafts_are_not_counted(client, experts):
    """Only published records count, as only they are listed."""
    f.make_expert(
        district=experts["wujiang"], publication_status=PublicationStatus.DRAFT
    )
    html = client.get(reverse("programs:expert-list")).text
    assert options(html, "district")["wujiang"][0] == "Wujiang District (3)"


def test_a_draft_district_is_no_choice(client, experts):
    """A draft district is neither an option nor counted."""
    draft = f.make_district(slug="draft", publication_status=PublicationStatus.DRAFT)
    f.make_expert(district=draft)
    assert "draft" not in options(
        client.get(reverse("programs:expert-list")).text, "district"
    )


def test_boolean_choice_is_counted(client):
    """The districts list counts "in the demonstration zone" yes and no."""
    f.make_district(in_demonstration_zone=True)
    f.make_district(in_demonstration_zone=True)
    f.make_district(in_demonstration_zone=False)
    html = client.get(reverse("programs:district-list")).text
    zone = options(html, "in_demonstration_zone")
    assert zone["true"][0] == "Yes (2)"
    assert zone["false"][0] == "No (1)"


def test_kind_choice_is_counted(client):
    """The projects list counts its kinds, with the status filter applied."""
    for _ in range(3):
        f.make_project(kind=Project.Kind.PLATFORM, status=Project.Status.UNDER_WAY)
        f.make_project(kind=Project.Kind.KEY_PROJECT, status=Project.Status.SIGNED)
    html = client.get(reverse("programs:project-list"), {"status": "signed"}).text
    kinds = options(html, "kind")
    assert kinds["key_project"][0] == "Key project under an agreement (3)"
    assert "disabled" in kinds["platform"][1]


@pytest.mark.parametrize(
    "query", [{"district": "nowhere"}, {"status": "retired"}, {"year": "abc"}]
)
def test_an_invalid_filter_is_reported_without_counts(client, experts, query):
    """A bad value still gives the form's error, the form open, and no counts."""
    response = client.get(reverse("programs:expert-list"), query)
    assert response.status_code == 200
    html = response.text
    assert "form-errors" in html
    assert '<details class="filter-disclosure" open>' in html
    assert options(html, "district")["qingpu"][0] == "Qingpu District"


def test_counting_costs_one_query_per_facet_however_many_rows(
    experts, django_assert_num_queries
):
    """Counting the expert list's facets is two grouped queries (district,
    status), with three records per option or with six."""

    def count():
        request = RequestFactory().get("/", {"q": "expert", "status": "appointed"})
        filterset = filters.ExpertFilterSet(
            request.GET, queryset=Expert.objects.public(), request=request
        )
        assert filterset.is_valid()  # the district choices' query, not a facet's
        with django_assert_num_queries(2):
            return facets.show_counts(filterset, version=next(versions))

    # A new content version each time, as after an edit: nothing cached.
    versions = iter(range(1, 10))
    assert count()["district"] == {"qingpu": 3, "wujiang": 3}
    for district in experts.values():
        for _ in range(3):
            f.make_expert(district=district, status=APPOINTED)
    assert count()["district"] == {"qingpu": 6, "wujiang": 6}


def test_a_list_page_costs_the_same_with_more_rows(client, experts):
    """The expert list makes as many queries with six records per option as
    with three: the counts are grouped, not made per row or per option."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("programs:expert-list"), {"q": "expert"})
        assert response.status_code == 200
        return len(captured)

    three = queries()
    for district in experts.values():
        for status in (APPOINTED, ENDED):
            for _ in range(3):
                f.make_expert(district=district, status=status)
    assert queries() == three
    # The page cache's check, the district choices, the count, the page and
    # what sources announce about experts (none here) come before the two
    # facets; the facets are the only grouped queries.
    assert three >= CACHE_CHECK + 3 + 2


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_exports_and_the_api_count_nothing(client, monkeypatch, kind):
    """The CSV and JSON downloads and the API use the same FilterSets, but no
    facet is counted for them."""

    def refuse(*args):
        raise AssertionError("a facet was counted")

    f.make_of_kind(kind)
    monkeypatch.setattr(facets, "count_facet", refuse)
    url = reverse(kind.list_url_name)
    for export_format in ("csv", "json"):
        assert client.get(url, {"format": export_format}).status_code == 200
    api = client.get(f"/api/v1/{url.strip('/')}/")
    assert api.status_code == 200


def test_the_summary_says_how_many_filters_are_on(client, experts):
    """The folded form's summary counts the filters set, not the sort order."""
    url = reverse("programs:expert-list")
    assert "<summary>Filter</summary>" in client.get(url).text
    html = client.get(
        url, {"district": "qingpu", "status": "ended", "sort": "name_en"}
    ).text
    assert "<summary>Filter (2 active)</summary>" in html
    assert '<details class="filter-disclosure">' in html


def test_a_filter_set_by_a_link_is_counted_and_shown_outside_the_fold(client):
    """?organization= (a hidden field) counts as active and stays in view."""
    host = f.make_organization(name_en="Host Org")
    f.make_expert(appointed_by=host)
    html = client.get(reverse("programs:expert-list"), {"organization": host.slug}).text
    assert "<summary>Filter (1 active)</summary>" in html
    assert html.index('class="active-filter"') < html.index("<details")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_every_cell_is_labelled_with_its_column(client, kind):
    """On a phone each cell shows its heading: every cell of every row carries
    data-label, one per column heading, in the same order."""
    f.make_of_kind(kind)
    html = client.get(reverse(kind.list_url_name)).text
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    headings = [
        re.sub(r"<[^>]+>|[▲▼]", "", cell).strip()
        for cell in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", head, re.S)
    ]
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][ >]", row)
        labels = re.findall(r'data-label="([^"]*)"', row)
        assert len(cells) == len(labels) == len(headings)
        assert labels == headings


def test_counts_are_kept_until_an_edit(client, experts):
    """A second visit with the same filters reads the counts from the cache;
    an edit (a new content version) counts again, and shows the new record."""
    url = reverse("programs:expert-list")
    client.get(url, {"q": "expert", "sort": "name_en"})
    with CaptureQueriesContext(connection) as second:
        client.get(url, {"q": "expert", "sort": "-name_en", "page": "1"})
    assert not [q for q in second.captured_queries if "GROUP BY" in q["sql"]]
    f.make_expert(name_en="Expert new", district=experts["qingpu"])
    html = client.get(url, {"q": "expert"}).text
    assert options(html, "district")["qingpu"][0] == "Qingpu District (7)"


def test_a_failing_cache_still_counts_and_is_then_left_alone(
    client, experts, monkeypatch, caplog
):
    """With the cache server failing, the counts are made without it; the
    next facets do not wait on it again."""
    hanging = mock.Mock()
    hanging.get.side_effect = ConnectionError("no answer in time")
    monkeypatch.setattr(facets, "cache", hanging)
    monkeypatch.setattr(facets.CacheRest, "until", 0.0)
    html = client.get(reverse("programs:expert-list"), {"q": "expert"}).text
    assert options(html, "district")["qingpu"][0] == "Qingpu District (6)"
    assert hanging.get.call_count == 1
    assert "The facet cache is unavailable" in caplog.text
