import datetime
import re
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.kinds import KINDS
from programs.models import AgreementParty, PublicationStatus
from programs.site import aggregates

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT

# Query budgets: constant however many rows and related records a page shows
# (docs/performance.md, "Queries per page constant").
# A list: district choices, the count, the page, and what sources announce
# about its kind (the figures, and the paragraphs they cite when any show).
LIST_QUERY_BUDGET = CACHE_CHECK + 5
# And one grouped query per facet of its filters, the counts beside each
# choice (programs/site/facets.py): the HTML page's only, not the exports'.
LIST_FACET_QUERIES = {
    "programs:district-list": 1,  # in the demonstration zone
    "programs:organization-list": 2,  # district, kind
    "programs:agreement-list": 2,  # district, status
    "programs:project-list": 3,  # district, kind, status
    "programs:workstation-list": 2,  # district, status
    "programs:expert-list": 2,  # district, status
    "programs:entrepreneur-list": 2,  # district, status
    "programs:source-list": 0,
}
# A detail page: the record, its relations, and the figures it counts toward
# with the paragraphs they cite.
DETAIL_QUERY_BUDGET = CACHE_CHECK + 8


def three_of_each():
    """Build three published records of every kind, each with related records."""
    district = f.make_district(name_en="Qingpu District", name_zh="青浦区")
    host = f.make_organization(district=district)
    source = f.make_source()
    records = {"district": district, "organization": host, "source": source}
    for _ in range(3):
        agreement = f.make_agreement(
            parties=[host, f.make_organization()], district=district
        )
        agreement.sources.add(source)
        project = f.make_project(
            agreement=agreement, district=district, lead_organization=host
        )
        project.sources.add(source)
        expert = f.make_expert(appointed_by=host, district=district)
        expert.research_fields.add(f.make_field(), f.make_field(), f.make_field())
        workstation = f.make_workstation(host_organization=host, district=district)
        workstation.experts.add(expert, f.make_expert(), f.make_expert())
        entrepreneur = f.make_entrepreneur(
            host_organization=host, district=district, project=project
        )
        f.make_entrepreneur(project=project)
        f.make_entrepreneur(project=project)
        for record in (expert, workstation, entrepreneur, district, host):
            record.sources.add(source, f.make_source())
        f.make_figure(district=district, agreement=agreement, source=source)
        records.update(
            agreement=agreement,
            project=project,
            expert=expert,
            workstation=workstation,
            entrepreneur=entrepreneur,
        )
    return records


LIST_URLS = [kind.list_url_name for kind in KINDS]
DETAIL_KINDS = [kind.key for kind in KINDS]


@pytest.mark.parametrize("url_name", LIST_URLS)
def test_list_query_budget(client, django_assert_max_num_queries, url_name):
    """A list page stays within its query budget with filters and related rows:
    the budget of every list, plus one query per facet counted."""
    records = three_of_each()
    query = {"q": "e", "sort": "-name_en" if "source" not in url_name else "title_en"}
    if url_name not in {"programs:district-list", "programs:source-list"}:
        query["district"] = records["district"].slug
    budget = LIST_QUERY_BUDGET + LIST_FACET_QUERIES[url_name]
    with django_assert_max_num_queries(budget):
        response = client.get(reverse(url_name), query)
    assert response.status_code == 200
    assert "form-errors" not in response.text


@pytest.mark.parametrize("kind", DETAIL_KINDS)
def test_detail_query_budget(client, django_assert_max_num_queries, kind):
    """A detail page stays within its query budget with three of every relation."""
    record = three_of_each()[kind]
    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        response = client.get(record.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("kind", DETAIL_KINDS)
def test_detail_query_count_does_not_grow(client, kind):
    """A detail page makes as many queries with three times the related records."""
    first = three_of_each()[kind]
    with CaptureQueriesContext(connection) as small:
        client.get(first.get_absolute_url())
    three_of_each()
    three_of_each()
    with CaptureQueriesContext(connection) as large:
        client.get(first.get_absolute_url())
    assert len(large) == len(small)


@pytest.mark.parametrize("kind", DETAIL_KINDS)
def test_unpublished_detail_is_404(client, kind):
    """A draft record's page answers 404 with the site's own page."""
    record = three_of_each()[kind]
    type(record).objects.filter(pk=record.pk).update(publication_status=DRAFT)
    response = client.get(record.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_unknown_slug_is_404(client):
    """A slug that names nothing answers 404."""
    response = client.get(reverse("programs:project-detail", args=["no-such-project"]))
    assert response.status_code == 404


def test_list_hides_drafts_and_counts_matches(client):
    """A list shows published records only and says how many match."""
    f.make_project(name_en="Visible project")
    f.make_project(name_en="Hidden project", publication_status=DRAFT)
    f.make_project(name_en="Old project", publication_status=PublicationStatus.ARCHIVED)
    response = client.get(reverse("programs:project-list"))
    assert "Visible project" in response.text
    assert "Hidden project" not in response.text
    assert "Old project" not in response.text
    assert "1 match" in response.text


def test_list_empty_state(client):
    """A list with nothing published says so instead of showing an empty table."""
    response = client.get(reverse("programs:expert-list"))
    assert "Nothing has been published here yet." in response.text
    assert "<table" not in response.text


def test_list_no_match_offers_reset(client):
    """A filter that matches nothing says so and links back to the whole list."""
    f.make_project()
    response = client.get(reverse("programs:project-list"), {"q": "zzz"})
    assert "Nothing matches these filters." in response.text
    assert "0 matches" in response.text


def test_pagination_keeps_filters(client):
    """The next-page link keeps the search and sort of the current page."""
    for n in range(30):
        f.make_project(name_en=f"Solar project {n:02}")
    f.make_project(name_en="Unrelated")
    response = client.get(
        reverse("programs:project-list"), {"q": "solar", "sort": "name_en"}
    )
    assert "30 matches" in response.text
    assert response.context["page_obj"].paginator.num_pages == 2
    assert 'href="?q=solar&amp;sort=name_en&amp;page=2"' in response.text
    second = client.get(
        reverse("programs:project-list"), {"q": "solar", "sort": "name_en", "page": 2}
    )
    assert [p.name_en for p in second.context["object_list"]] == [
        f"Solar project {n:02}" for n in range(25, 30)
    ]


def test_sort_links_keep_filters_and_reset_page(client):
    """A column's sort link keeps the filters and goes back to the first page."""
    f.make_project()
    response = client.get(reverse("programs:project-list"), {"q": "p", "page": 1})
    assert 'href="?q=p&amp;sort=name_en"' in response.text


def test_page_past_the_end_is_404(client):
    """A page number past the last page answers 404."""
    f.make_project()
    response = client.get(reverse("programs:project-list"), {"page": 2})
    assert response.status_code == 404


HOSTILE_QUERIES = [
    {"year": "99999999"},
    {"year": "-1"},
    {"year": "2023.5"},
    {"year": "abc"},
    {"sort": "password"},
    {"sort": "-__class__"},
    {"district": "../../etc"},
    {"district": ["a", "b"]},
    {"status": "<script>alert(1)</script>"},
    {"kind": "' OR 1=1 --"},
    {"q": "\x00"},
    {"q": "%" * 300},
    {"q": "青浦" * 80},
    {"organization": "not a slug!"},
    {"in_demonstration_zone": "maybe"},
    {"page": "0"},
    {"page": "-1"},
    {"page": "1e9"},
]


@pytest.mark.parametrize("url_name", LIST_URLS)
@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=lambda q: next(iter(q)))
def test_hostile_query_strings_never_fail(client, url_name, query):
    """Nonsense in the query string gives a page or a 404, never a server error."""
    f.make_project()
    response = client.get(reverse(url_name), query)
    assert response.status_code in {200, 404}


def test_invalid_filter_says_what_is_wrong(client):
    """An invalid year is named on the form, and no rows are listed."""
    f.make_project()
    response = client.get(reverse("programs:project-list"), {"year": "99999999"})
    assert response.status_code == 200
    assert "Some filters could not be used" in response.text
    assert (
        'href="#id_year">Year</a>: Ensure this value is less than or equal to 2100'
        in response.text
    )
    assert response.context["paginator"].count == 0


def test_expert_contact_details_never_public(client):
    """An expert's email and phone are not on any public page."""
    expert = f.make_expert(email="secret@example.org", phone="+86 21 5555 0000")
    entrepreneur = f.make_entrepreneur(email="hidden@example.org", phone="13800000000")
    pages = [
        expert.get_absolute_url(),
        entrepreneur.get_absolute_url(),
        reverse("programs:expert-list"),
        reverse("programs:entrepreneur-list"),
        expert.appointed_by.get_absolute_url(),
    ]
    for page in pages:
        text = client.get(page).text
        for secret in (
            "secret@example.org",
            "5555",
            "hidden@example.org",
            "13800000000",
        ):
            assert secret not in text, (page, secret)


def test_unpublished_related_records_stay_hidden(client):
    """A published project does not reveal its draft lead organization or agreement."""
    lead = f.make_organization(name_en="Secret Lead Co", publication_status=DRAFT)
    agreement = f.make_agreement(name_en="Secret Agreement", publication_status=DRAFT)
    project = f.make_project(lead_organization=lead, agreement=agreement)
    text = client.get(project.get_absolute_url()).text
    assert "Secret Lead Co" not in text
    assert "Secret Agreement" not in text
    assert "Secret" not in client.get(reverse("programs:project-list")).text


def test_agreement_detail_shows_parties_projects_and_figures(client):
    """An agreement's page lists parties with roles, projects, figures, sources."""
    sast = f.make_organization(name_en="SAST", name_zh="上海市科协")
    qingpu = f.make_organization(name_en="Qingpu Government")
    hidden = f.make_organization(name_en="Draft Party", publication_status=DRAFT)
    source = f.make_source(title_en="Cooperation report")
    agreement = f.make_agreement(
        name_en="Strategic cooperation",
        name_zh="战略合作协议",
        parties=[sast, qingpu, hidden],
        cooperation_areas_en="Transfer of results\nTalent",
    )
    AgreementParty.objects.filter(organization=qingpu).update(role="witness")
    agreement.sources.add(source)
    f.make_project(name_en="Workstation upgrade", agreement=agreement)
    f.make_figure(label_en="Key projects unveiled", agreement=agreement, value=8)
    text = client.get(agreement.get_absolute_url()).text
    assert "Strategic cooperation" in text and "战略合作协议" in text
    assert "SAST" in text and "Witness" in text
    assert "Draft Party" not in text
    assert "<li>Transfer of results</li>" in text
    assert "Workstation upgrade" in text
    assert "Key projects unveiled" in text
    assert "<strong>8</strong> announced, <strong>1</strong> on record" in text
    assert "Cooperation report" in text


def test_district_detail_lists_everything_with_see_all(client):
    """A district's page lists each kind of record, linking to the full list."""
    district = f.make_district(name_en="Qingpu District")
    for n in range(12):
        f.make_project(name_en=f"Project {n:02}", district=district)
    f.make_workstation(name_en="Academician workstation A", district=district)
    f.make_project(name_en="Elsewhere project")
    text = client.get(district.get_absolute_url()).text
    assert "Academician workstation A" in text
    assert "Elsewhere project" not in text
    assert text.count("Project ") == 10
    assert f'/projects/?district={district.slug}">See all' in text


def test_figure_shows_qualifier(client):
    """A "more than" figure says so, beside the records on file."""
    district = f.make_district()
    f.make_figure(
        subject="workstations",
        value=40,
        qualifier="more_than",
        date_rule="as_of",
        as_of=datetime.date(2022, 12, 31),
        district=district,
    )
    f.make_workstation(district=district, established_on=datetime.date(2020, 1, 1))
    text = client.get(district.get_absolute_url()).text
    assert (
        "<strong>more than 40</strong> announced, <strong>1</strong> on record" in text
    )


def test_home_shows_figures_per_district_and_latest_agreements(
    client, django_assert_max_num_queries
):
    """The home page shows each district's figures and the latest agreements."""
    records = three_of_each()
    # As the commit of the writes above would (programs/site/aggregates.py).
    aggregates.refresh()
    with django_assert_max_num_queries(5):
        response = client.get(reverse("programs:home"))
    text = response.text
    assert "Qingpu District" in text
    # Three figures, each scoped to its own agreement with one project.
    assert text.count("<strong>8</strong> announced, <strong>1</strong> on record") == 3
    assert records["agreement"].name_en in text


def test_pages_are_styled_by_our_stylesheet(client):
    """Every page links the site's stylesheet and has a main landmark."""
    text = client.get(reverse("programs:home")).text
    assert "programs/site.css" in text
    assert '<main id="main"' in text
    assert '<html lang="en">' in text


def test_stylesheet_is_served_by_whitenoise_as_in_production(client, production_static):
    """After collectstatic, the stylesheet's hashed URL answers as CSS, cached
    for good, from whitenoise with DEBUG off."""
    url = static("programs/site.css")
    assert re.fullmatch(r"/static/programs/site\.[0-9a-f]{12}\.css", url)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "immutable" in response["Cache-Control"]
    assert b"font-family" in b"".join(response.streaming_content)


def test_healthz_ok(client):
    """The health check answers 200 with a JSON body when the database answers."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_database_down(client):
    """The health check answers 503 when the database does not."""
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("down"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_server_error_page_exists(client):
    """A failing view renders the site's own 500 page."""
    client.raise_request_exception = False
    with mock.patch(
        "programs.site.home.HomeView.get_context_data",
        side_effect=RuntimeError("boom"),
    ):
        response = client.get(reverse("programs:home"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text


def test_source_staff_notes_never_public(client):
    """A source's staff notes are on neither its page nor the list of sources."""
    source = f.make_source(notes="Copy received by email from the district office")
    for page in (source.get_absolute_url(), reverse("programs:source-list")):
        assert "received by email" not in client.get(page).text
