"""The counts kept for each content version (programs/site/aggregates.py).

The tests marked ``transaction=True`` commit for real, so that the refresh a
commit triggers runs as it does on a server (in the other tests, the test's
own transaction never commits and no on-commit callback runs).
"""

import collections
import datetime
import json

import pytest
from django.db import transaction
from django.urls import reverse

from programs.kinds import PROGRAMME_KINDS
from programs.models import ContentSummary, District, Project, PublicationStatus
from programs.site import aggregates, facets
from programs.site.cache import bump_content_version, content_version

from . import factories as f
from .test_stats import HOME_QUERY_BUDGET, STATS_QUERY_BUDGET

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT


def varied_records():
    """Build records of every kind across districts, fields, years and statuses,
    with drafts, demo records, undated records and a draft district and field."""
    qingpu, wujiang = f.make_district(), f.make_district()
    hidden_district = f.make_district(publication_status=DRAFT)
    ai, ic = f.make_field(), f.make_field()
    hidden_field = f.make_field(publication_status=DRAFT)
    for n, kind in enumerate(PROGRAMME_KINDS):
        for year, district, field, demo in [
            (2021, qingpu, ai, False),
            (2022, qingpu, ic, True),
            (2022, wujiang, ai, False),
            (2023, hidden_district, hidden_field, False),
        ][: n + 1]:
            fields = {
                "district": district,
                "is_demo": demo,
                kind.model.date_field: datetime.date(year, 3, 1),
            }
            if kind.key in aggregates.FIELD_LOOKUPS and kind.key != "expert":
                fields["field"] = field
            record = f.make_of_kind(kind, **fields)
            if kind.key == "expert":
                record.research_fields.add(field, ai)
        f.make_of_kind(kind, district=qingpu, publication_status=DRAFT)
        f.make_of_kind(kind, district=wujiang, **{kind.model.date_field: None})
    f.make_project(district=qingpu, status=Project.Status.COMPLETED)


def plain_counts():
    """Return the summary's counts, each made the plainest way there is."""
    by_district, demo_by_district = {}, collections.Counter()
    by_field, by_year, by_status = {}, collections.Counter(), collections.Counter()
    for kind in PROGRAMME_KINDS:
        public = kind.model.objects.public()
        for district in District.objects.public():
            records = public.filter(district=district)
            by_district[(kind.key, district.pk)] = records.count()
            demo_by_district[district.pk] += records.filter(is_demo=True).count()
        for record in public:
            by_status[(kind.key, record.status)] += 1
            date = getattr(record, kind.model.date_field)
            if date is not None:
                by_year[(kind.key, date.year)] += 1
            if kind.key == "expert":
                for field in record.research_fields.all():
                    key = (kind.key, field.pk)
                    by_field[key] = by_field.get(key, 0) + 1
            elif kind.key in aggregates.FIELD_LOOKUPS and record.field_id:
                key = (kind.key, record.field_id)
                by_field[key] = by_field.get(key, 0) + 1
    return aggregates.Summary(
        by_district=by_district,
        demo_by_district=dict(demo_by_district),
        by_field=by_field,
        by_year=dict(by_year),
        by_status=dict(by_status),
    )


def test_the_summary_holds_the_plain_counts():
    """Every count of the summary equals the count of the records it stands for."""
    varied_records()
    assert aggregates.count_all() == plain_counts()


def test_a_stored_summary_reads_back_the_same():
    """A summary comes back from its JSON, and from its row, key for key."""
    varied_records()
    summary = aggregates.count_all()
    as_json = json.loads(json.dumps(summary.to_json()))
    assert aggregates.Summary.from_json(as_json) == summary
    assert aggregates.refresh() == summary
    row = ContentSummary.objects.get()
    assert aggregates.Summary.from_json(row.counts) == summary


def test_a_summary_of_another_version_is_never_shown(client):
    """After a write, the page counts what the database holds, not what the
    summary of the version before said."""
    district = f.make_district(slug="qingpu")
    f.make_project(district=district)
    aggregates.refresh()
    assert client.get(reverse("programs:stats")).status_code == 200
    f.make_project(district=district)  # no commit here, so no refresh: a miss
    text = client.get(reverse("programs:stats")).text
    assert '<a href="/projects/?district=qingpu">2</a>' in text


def test_storing_a_summary_leaves_the_content_version_alone():
    """A summary is not content: writing one must not call for another."""
    f.make_project()
    version = content_version()
    aggregates.refresh()
    assert ContentSummary.objects.get().version == version
    assert content_version() == version


def test_a_summary_is_read_from_its_table_once_per_process(
    monkeypatch, django_assert_num_queries
):
    """A process reads a version's summary by primary key once, then keeps it."""
    f.make_project()
    version = content_version()
    aggregates.refresh()
    monkeypatch.setattr(aggregates, "_last", (None, None))
    with django_assert_num_queries(1):
        aggregates.summary_of(version)
    with django_assert_num_queries(0):
        aggregates.summary_of(version)


def test_an_explicit_bump_refreshes_the_summary_on_commit(
    django_capture_on_commit_callbacks,
):
    """A write that sends no signal bumps the version by hand, and that alone
    has the summary made anew once it commits (generate_demo's bulk writes)."""
    with django_capture_on_commit_callbacks() as callbacks:
        bump_content_version()
    assert callbacks.count(aggregates.refresh) == 1


def test_kept_parts_of_another_version_are_never_shown(client):
    """After a write, the home page makes its latest records again."""
    f.make_project(name_en="Old venture")
    aggregates.refresh()
    assert "Old venture" in client.get(reverse("programs:home")).text
    f.make_project(name_en="New venture")  # no commit here, so no refresh
    assert "New venture" in client.get(reverse("programs:home")).text


def test_parts_are_made_without_the_cache_while_it_fails(
    client, monkeypatch, settings, django_assert_num_queries
):
    """While the cache server is failing, the home page makes its parts itself
    and shows the same."""
    settings.PAGE_CACHE_SECONDS = 0  # every request rendered
    f.make_figure(district=f.make_district())
    f.make_project(name_en="Lakeside lab")
    aggregates.refresh()
    kept = client.get(reverse("programs:home")).content
    monkeypatch.setattr(facets.CacheRest, "until", float("inf"))
    # The version, the districts, and the parts: figures, paragraphs, latest.
    with django_assert_num_queries(1 + 1 + 3):
        cache_failing = client.get(reverse("programs:home"))
    assert cache_failing.content == kept


# Real commits -------------------------------------------------------------------


@pytest.fixture
def refreshes(monkeypatch):
    """Count the refreshes that commits run; they still refresh."""
    calls = []
    refresh = aggregates.refresh

    def counted_refresh():
        calls.append(content_version())
        return refresh()

    monkeypatch.setattr(aggregates, "refresh", counted_refresh)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_transaction_refreshes_once_when_it_commits(refreshes):
    """However many rows a transaction writes, one refresh, after it commits,
    and it stores the summary of the version the commit left."""
    with transaction.atomic():
        district = f.make_district()
        for _ in range(3):
            f.make_project(district=district)
        f.make_expert(district=district).research_fields.add(f.make_field())
        assert refreshes == []
    assert refreshes == [content_version()]
    (row,) = ContentSummary.objects.all()
    assert row.version == content_version()
    counts = aggregates.Summary.from_json(row.counts)
    assert counts.by_district[("project", district.pk)] == 3


@pytest.mark.django_db(transaction=True)
def test_after_a_commit_the_page_counts_nothing(client, django_assert_num_queries):
    """The first request after an edit reads the summary the edit left."""
    with transaction.atomic():
        district = f.make_district(slug="qingpu")
        f.make_project(district=district)
    with django_assert_num_queries(STATS_QUERY_BUDGET):
        text = client.get(reverse("programs:stats")).text
    assert '<a href="/projects/?district=qingpu">1</a>' in text


@pytest.mark.django_db(transaction=True)
def test_after_a_commit_the_home_page_makes_nothing(client, django_assert_num_queries):
    """The first home page after an edit finds its parts kept by the edit."""
    with transaction.atomic():
        f.make_figure(district=f.make_district())
        f.make_project(name_en="Lakeside lab")
    with django_assert_num_queries(HOME_QUERY_BUDGET):
        text = client.get(reverse("programs:home")).text
    assert "Lakeside lab" in text


@pytest.mark.django_db(transaction=True)
def test_writes_outside_a_transaction_leave_the_counting_to_the_page(refreshes, client):
    """Row by row in autocommit, no write counts everything again; the next
    page counts for itself and shows every row."""
    district = f.make_district(slug="qingpu")
    for _ in range(3):
        f.make_project(district=district)
    assert refreshes == []
    text = client.get(reverse("programs:stats")).text
    assert '<a href="/projects/?district=qingpu">3</a>' in text
    assert ContentSummary.objects.get().version == content_version()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_refreshes_nothing(refreshes):
    """Nothing committed, nothing counted."""
    with pytest.raises(RuntimeError), transaction.atomic():
        f.make_project()
        raise RuntimeError
    assert refreshes == []
    assert not ContentSummary.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_does_not_lose_the_refresh(refreshes):
    """A write after a savepoint rolled back still has its commit refresh once."""
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            f.make_project()
            raise RuntimeError
        f.make_project()
        f.make_project()
    assert len(refreshes) == 1
    assert ContentSummary.objects.get().version == content_version()


@pytest.mark.django_db(transaction=True)
def test_only_the_summary_of_the_current_version_is_kept():
    """Each refresh deletes the rows of the versions gone by."""
    with transaction.atomic():
        f.make_project()
    with transaction.atomic():
        f.make_project()
    assert list(ContentSummary.objects.values_list("version", flat=True)) == [
        content_version()
    ]


@pytest.mark.django_db(transaction=True)
def test_a_failed_refresh_keeps_the_write_and_the_page_counts_for_itself(
    client, monkeypatch
):
    """A refresh that fails after the commit loses no write: the next page
    finds no summary and counts one."""
    monkeypatch.setattr(aggregates, "count_all", lambda: 1 / 0)
    with transaction.atomic():
        f.make_project(district=f.make_district(slug="qingpu"))
    assert not ContentSummary.objects.exists()
    monkeypatch.undo()
    text = client.get(reverse("programs:stats")).text
    assert '<a href="/projects/?district=qingpu">1</a>' in text
    assert ContentSummary.objects.get().version == content_version()
