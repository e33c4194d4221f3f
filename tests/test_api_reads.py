"""Reading the API: the public site's records and rules, as JSON."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import AnonRateThrottle

from programs.api.urls import PREFIXES
from programs.kinds import KINDS
from programs.models import PublicationStatus

from . import factories as f
from .budgets import CACHE_CHECK  # noqa: F401  (the API is not page-cached)

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
KIND_KEYS = [kind.key for kind in KINDS]
STAFF_SECRETS = {"email": "secret@example.org", "phone": "+86 21 5555 0100"}


def api(kind_key):
    return f"/api/v1/{PREFIXES[kind_key]}/"


def slugs(response):
    return [row["slug"] for row in response.json()["results"]]


@pytest.mark.parametrize("kind", KINDS, ids=KIND_KEYS)
def test_lists_and_details_show_published_records_only(client, kind):
    published = f.make_of_kind(kind)
    draft = f.make_of_kind(kind, publication_status=DRAFT)

    listed = client.get(api(kind.key))
    assert listed.status_code == 200
    assert published.slug in slugs(listed) and draft.slug not in slugs(listed)
    assert listed.json()["count"] == 1

    detail = client.get(f"{api(kind.key)}{published.slug}/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["slug"] == published.slug
    assert body["url"] == f"http://testserver{api(kind.key)}{published.slug}/"
    assert body["page"] == f"http://testserver{published.get_absolute_url()}"
    assert client.get(f"{api(kind.key)}{draft.slug}/").status_code == 404


@pytest.mark.parametrize("kind", KINDS, ids=KIND_KEYS)
def test_every_public_column_in_both_languages_and_no_staff_field(client, kind):
    record = f.make_of_kind(kind)
    body = client.get(f"{api(kind.key)}{record.slug}/").json()
    for column in kind.direct_columns:
        assert column in body
    for name in record.STAFF_ONLY_FIELDS:
        assert name not in body
    assert "notes" not in body and "is_demo" not in body


def test_staff_only_values_never_appear(client):
    expert = f.make_expert(**STAFF_SECRETS)
    source = f.make_source(notes="internal remark")
    text = client.get(f"{api('expert')}{expert.slug}/").content.decode()
    text += client.get(f"{api('source')}{source.slug}/").content.decode()
    for secret in [*STAFF_SECRETS.values(), "internal remark"]:
        assert secret not in text


def test_unpublished_related_records_are_null_or_left_out(client):
    hidden = f.make_organization(publication_status=DRAFT, name_en="Hidden org")
    source = f.make_source(publication_status=DRAFT, title_en="Hidden source")
    project = f.make_project(lead_organization=hidden)
    project.sources.add(source, f.make_source(title_en="Open source"))
    agreement = f.make_agreement(parties=[hidden, f.make_organization()])

    body = client.get(f"{api('project')}{project.slug}/").json()
    assert body["lead_organization"] is None
    assert body["lead_organization_url"] is None
    assert source.slug not in body["sources"] and len(body["sources"]) == 1
    parties = client.get(f"{api('agreement')}{agreement.slug}/").json()["parties"]
    assert hidden.slug not in [party["organization"] for party in parties]
    assert len(parties) == 1


def test_related_records_are_referred_to_by_slug_and_address(client):
    district = f.make_district(slug="qingpu")
    project = f.make_project(district=district)
    body = client.get(f"{api('project')}{project.slug}/").json()
    assert body["district"] == "qingpu"
    assert body["district_url"] == "http://testserver/api/v1/districts/qingpu/"
    assert client.get(body["district_url"]).json()["slug"] == "qingpu"


@pytest.mark.parametrize("kind", KINDS, ids=KIND_KEYS)
def test_the_same_query_string_gives_the_same_rows_as_the_list_page(client, kind):
    """The API uses the list's own FilterSet: search, sort and district agree."""
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu District")
    for n in range(4):
        fields = {"name_en": f"Lake record {n}"} if kind.key != "source" else {}
        if kind.has_district and kind.key != "district":
            fields["district"] = qingpu
        f.make_of_kind(kind, **fields)
    query = {"sort": "-name_en" if kind.key != "source" else "-title_en"}
    if kind.has_district and kind.key != "district":
        query["district"] = "qingpu"
    page = client.get(kind.list_url(**query) or kind.list_url())
    rows = [record.slug for record in page.context["object_list"]]
    assert slugs(client.get(api(kind.key), query)) == rows


def test_figures_carry_their_count_on_record(client):
    district = f.make_district()
    f.make_figure(subject="experts", value=4, district=district)
    f.make_expert(district=district)
    [figure] = client.get(api("announcedfigure")).json()["results"]
    assert figure["value"] == 4
    assert "on_record" in figure


def test_pages_carry_their_total_and_link_headers(client):
    for _ in range(7):
        f.make_project()
    response = client.get(api("project"), {"page_size": 3, "page": 2})
    assert response.json()["count"] == 7
    assert len(response.json()["results"]) == 3
    links = response["Link"]
    for rel in ("first", "prev", "next", "last"):
        assert f'rel="{rel}"' in links
    assert "page=3" in links


def test_page_size_has_a_ceiling(client):
    for _ in range(3):
        f.make_project()
    response = client.get(api("project"), {"page_size": 100000})
    assert response.status_code == 200


@pytest.mark.parametrize("kind", ["project", "announcedfigure"])
def test_conditional_requests_get_304(client, kind):
    record = f.make_project() if kind == "project" else f.make_figure()
    for url in (api(kind), f"{api(kind)}{record.slug}/"):
        first = client.get(url)
        assert first["ETag"] and first["Last-Modified"]
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
        assert since.status_code == 304


def test_an_edit_changes_the_etags(client):
    project = f.make_project()
    detail = f"{api('project')}{project.slug}/"
    tags = [client.get(url)["ETag"] for url in (api("project"), detail)]
    project.name_en = "Renamed"
    project.save()
    assert [client.get(url)["ETag"] for url in (api("project"), detail)] != tags
    assert client.get(detail, headers={"If-None-Match": tags[1]}).status_code == 200


def test_reads_are_open_to_other_sites(client):
    response = client.get(api("project"), headers={"Origin": "https://example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        api("project"),
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "PUT",
        },
    )
    assert "PUT" not in preflight.get("Access-Control-Allow-Methods", "")


def test_anonymous_readers_are_limited_with_retry_after(client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [client.get(api("district")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(api("district"))
    assert int(refused["Retry-After"]) > 0
    assert "detail" in refused.json()


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/projects/?district=nowhere", 400, "district"),
        ("/api/v1/projects/?year=99999", 400, "year"),
        ("/api/v1/projects/?sort=password", 400, "sort"),
        ("/api/v1/projects/?page=9", 404, "detail"),
        ("/api/v1/projects/?page=x", 404, "detail"),
        ("/api/v1/projects/no-such-project/", 404, "detail"),
        ("/api/v1/nothing-here/", 404, "detail"),
        ("/api/elsewhere", 404, "detail"),
    ],
)
def test_errors_are_json_naming_the_field(client, url, status, field):
    response = client.get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()


@pytest.mark.parametrize("kind", [*KIND_KEYS, "announcedfigure"])
def test_queries_do_not_grow_with_rows(client, kind):
    def make(n):
        for _ in range(n):
            if kind == "announcedfigure":
                f.make_figure()
            else:
                kind_ = next(k for k in KINDS if k.key == kind)
                record = f.make_of_kind(kind_)
                if kind_.has_sources:
                    record.sources.add(f.make_source())

    make(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(api(kind)).status_code == 200
    make(4)
    with CaptureQueriesContext(connection) as large:
        assert client.get(api(kind)).status_code == 200
    # The content version, the total (kept under it once counted), the page's
    # rows, and one query per many-to-many relation or parties shown.
    assert len(large) == len(small) <= 5


@pytest.mark.parametrize("kind", KINDS, ids=KIND_KEYS)
def test_a_detail_costs_the_same_however_many_related_records(client, kind):
    record = f.make_of_kind(kind)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{api(kind.key)}{record.slug}/").status_code == 200
        return len(queries)

    few = count()
    if kind.has_sources:
        record.sources.add(*(f.make_source() for _ in range(3)))
    # The record's row, and one query per many-to-many relation or parties.
    assert count() == few <= 3


def test_making_the_schema_changes_nothing_the_lists_accept(client):
    """Generating the schema builds the FilterSets' fields at class level; the
    district filter's choices must still be this request's (it once rejected
    every district for the rest of the process)."""
    f.make_district(slug="qingpu")
    assert client.get("/api/schema/").status_code == 200
    assert "form-errors" not in client.get("/projects/?district=qingpu").text
    assert client.get(api("project"), {"district": "qingpu"}).status_code == 200


def test_the_schema_and_its_docs_are_served_from_here(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for prefix in PREFIXES.values():
        assert f"/api/v1/{prefix}/" in paths
        assert f"/api/v1/{prefix}/{{slug}}/" in paths
    docs = client.get("/api/docs/").text
    assert "/static/drf_spectacular_sidecar/" in docs
    assert "cdn" not in docs.lower() and "<style>" not in docs
