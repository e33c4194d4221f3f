"""The API's reads made from rows (programs/api/rows.py), its kept totals
(pagination.py), its filter backend and its throttles: the same answers as
before, for less."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from programs.api.rows import Plan
from programs.api.throttling import StaffRateThrottle
from programs.api.urls import PREFIXES
from programs.api.views import VIEWSETS
from programs.kinds import FIGURE_COLUMNS, KINDS, kind_of
from programs.models import (
    AgreementParty,
    ApiToken,
    Project,
    PublicationStatus,
    ResearchField,
)

from . import factories as f

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
PUBLISHED = PublicationStatus.PUBLISHED
KEYS = [*(kind.key for kind in KINDS), "announcedfigure"]


def api(key):
    return f"/api/v1/{PREFIXES[key]}/"


def make_related(model, status):
    """Return a new record of ``model`` in publication ``status``."""
    if model is ResearchField:
        return f.make_field(publication_status=status)
    return f.make_of_kind(kind_of(model), publication_status=status)


def make_with_every_relation(key, published):
    """Return a published record of ``key`` whose every related record is
    published (or, with ``published`` False, a draft), and whose every
    many-to-many relation holds one published record and one draft."""
    if key == "announcedfigure":
        record, columns = f.make_figure(), FIGURE_COLUMNS
    else:
        kind = next(kind for kind in KINDS if kind.key == key)
        record, columns = f.make_of_kind(kind), kind.direct_columns
    status = PUBLISHED if published else DRAFT
    for name in columns:
        field = record._meta.get_field(name)
        if field.many_to_many:
            getattr(record, name).add(
                make_related(field.related_model, PUBLISHED),
                make_related(field.related_model, DRAFT),
            )
        elif field.is_relation:
            setattr(record, name, make_related(field.related_model, status))
    record.save()
    if key == "agreement":
        for each in (PUBLISHED, DRAFT):
            AgreementParty.objects.create(
                agreement=record,
                organization=f.make_organization(publication_status=each),
            )
    return record


def serialized(key, records=None, record=None):
    """Return what the kind's serializer makes of the records, as JSON bytes,
    read as the view read them before rows (select_related, published
    many-to-many records prefetched)."""
    viewset = VIEWSETS[key]
    request = Request(APIRequestFactory().get("/"))
    queryset = (
        viewset.public_records(viewset())
        .select_related(*viewset.select_related)
        .prefetch_related(*viewset.prefetch_related)
    )
    context = {"request": request}
    if record is not None:
        data = viewset.serializer_class(
            queryset.get(pk=record.pk), context=context
        ).data
    else:
        data = viewset.serializer_class(queryset, many=True, context=context).data
    return JSONRenderer().render(data)


@pytest.mark.parametrize("key", KEYS)
def test_a_record_reads_byte_for_byte_as_its_serializer_shows_it(client, key):
    """Rows give the serializer's JSON: every field, in order, with published
    and unpublished related records, many-to-many ones and parties."""
    for published in (True, False):
        record = make_with_every_relation(key, published)
        response = client.get(f"{api(key)}{record.slug}/")
        assert response.status_code == 200
        assert response.content == serialized(key, record=record)


@pytest.mark.parametrize("key", KEYS)
def test_a_list_reads_as_its_serializer_shows_its_records(client, key):
    for published in (True, False, True):
        make_with_every_relation(key, published)
    results = client.get(api(key), {"page_size": 100}).json()["results"]
    assert len(results) >= 3
    assert results == json.loads(serialized(key))


def test_a_field_the_rows_cannot_show_is_refused_when_the_plan_is_made():
    """A serializer field of a new kind fails loudly, not by going missing."""
    base = VIEWSETS["project"].serializer_class
    extended = type(
        "ExtendedSerializer",
        (base,),
        {
            "shout": serializers.SerializerMethodField(),
            "get_shout": lambda self, record: record.name_en.upper(),
            "Meta": type(
                "Meta", (base.Meta,), {"fields": [*base.Meta.fields, "shout"]}
            ),
        },
    )
    with pytest.raises(TypeError, match="shout"):
        Plan(extended)


def counts_made(queries):
    return sum("COUNT(" in query["sql"].upper() for query in queries.captured_queries)


def test_a_lists_total_is_counted_once_per_content_version(client):
    for _ in range(3):
        f.make_project()
    assert client.get(api("project")).json()["count"] == 3
    with CaptureQueriesContext(connection) as queries:
        again = client.get(api("project"), {"page": 1, "page_size": 2})
    assert again.json()["count"] == 3
    assert counts_made(queries) == 0
    f.make_project()
    assert client.get(api("project")).json()["count"] == 4


def test_each_query_string_keeps_its_own_total(client):
    f.make_project(name_en="Lake park")
    f.make_project(name_en="Hill park")
    f.make_project(name_en="Lake school")
    assert client.get(api("project")).json()["count"] == 3
    assert client.get(api("project"), {"q": "Lake"}).json()["count"] == 2
    assert client.get(api("project"), {"q": "park"}).json()["count"] == 2
    assert client.get(api("project"), {"q": "Lake park"}).json()["count"] == 1
    sorted_ = client.get(api("project"), {"q": "Lake", "sort": "-name_en"})
    assert sorted_.json()["count"] == 2


def test_a_list_without_filters_builds_no_filterset_and_gives_the_same_rows(client):
    """Empty filter parameters go through the FilterSet (and its district
    choices' query); none at all, or only the page's, skip it, for the same
    rows."""
    district = f.make_district()
    for _ in range(3):
        f.make_project(district=district)
    # Each total once counted, so that only the FilterSet's query differs.
    client.get(api("project"))
    client.get(api("project"), {"district": "", "q": ""})
    with CaptureQueriesContext(connection) as plain_queries:
        plain = client.get(api("project")).json()
    with CaptureQueriesContext(connection) as empty_queries:
        empty = client.get(api("project"), {"district": "", "q": ""}).json()
    with CaptureQueriesContext(connection) as paged_queries:
        paged = client.get(api("project"), {"page": 1, "page_size": 25}).json()
    assert plain["results"] == empty["results"] == paged["results"]
    assert len(plain_queries) == len(paged_queries) == len(empty_queries) - 1


@pytest.mark.parametrize("key", KEYS)
def test_a_lists_first_pages_read_by_compiled_sql_are_the_same(
    client, monkeypatch, compiles, key
):
    """Without filters, a list's first pages are read by SQL compiled once per
    process: the same answers, page by page, as read through the ORM, and
    one compile for all of them."""
    from programs.api import rows, views

    for published in (True, False, True, True):
        make_with_every_relation(key, published)
    pages = [{"page": page, "page_size": 2} for page in (1, 2, 3)]
    with monkeypatch.context() as through_the_orm_only:
        through_the_orm_only.setattr(views, "sets_no_filter", lambda *args: False)
        through_the_orm = [client.get(api(key), page).content for page in pages]
    rows.first_rows.cache_clear()
    compiled_before = len(compiles)
    compiled = [client.get(api(key), page).content for page in pages]

    assert compiled == through_the_orm
    assert len(json.loads(compiled[0])["results"]) == 2
    assert len(compiles) - compiled_before == 1


def test_filters_still_apply_to_a_detail(client):
    """A detail read with a filter that excludes the record is not found, as
    when every detail went through the FilterSet."""
    project = f.make_project(district=f.make_district(slug="qingpu"))
    f.make_district(slug="wujiang")
    url = f"{api('project')}{project.slug}/"
    assert client.get(url, {"district": "qingpu"}).status_code == 200
    assert client.get(url, {"district": "wujiang"}).status_code == 404


def test_anonymous_readers_are_held_to_the_anonymous_rate_only(client, monkeypatch):
    """The staff rate is not an anonymous reader's: with it lower than the
    anonymous one, anonymous reads still pass; a token holder is held to it."""
    monkeypatch.setattr(StaffRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    assert [client.get(api("district")).status_code for _ in range(4)] == [200] * 4
    _token, key = ApiToken.issue(f.make_staff("reader", "Viewer"), "tests")
    headers = {"Authorization": f"Bearer {key}"}
    statuses = [
        client.get(api("district"), headers=headers).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_a_write_still_answers_through_the_serializer(client):
    """Writes are untouched by rows: what a write answers reads the same as a
    read of the record afterwards."""
    user = f.make_staff("boss", is_superuser=True)
    _token, key = ApiToken.issue(user, "tests")
    headers = {"Authorization": f"Bearer {key}"}
    project = f.make_project()
    read = client.get(f"{api('project')}{project.slug}/")
    changed = client.patch(
        f"{api('project')}{project.slug}/",
        {"name_en": "Renamed"},
        content_type="application/json",
        headers={**headers, "If-Match": read["ETag"]},
    )
    assert changed.status_code == 200
    assert changed.json() == client.get(f"{api('project')}{project.slug}/").json()
    assert Project.objects.get(pk=project.pk).name_en == "Renamed"
