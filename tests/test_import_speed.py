"""Imports read and write in bulk: programs/staff/bulk_import.py and resources.py.

What per-row saves used to do (history by the importer, edit versions, sort
keys, links, the content version) must still be done, and an import's
queries must not grow with its rows.
"""

import datetime
import re

import pytest
import tablib
from django.db import connection
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.test.utils import CaptureQueriesContext
from import_export.resources import Diff

from programs.models import ContentVersion, Expert, PublicationStatus
from programs.staff import bulk_import
from programs.staff.resources import RESOURCES, cell_diff_html
from tests.factories import (
    make_district,
    make_expert,
    make_field,
    make_organization,
    make_source,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "slug",
    "name_en",
    "name_zh",
    "appointed_by",
    "appointed_on",
    "district",
    "research_fields",
    "sources",
    "publication_status",
]


@pytest.fixture
def related():
    """What the files' rows name: districts, organizations, fields, a source."""
    return {
        "districts": [make_district(slug=f"d{n}") for n in range(3)],
        "organizations": [make_organization(slug=f"org{n}") for n in range(3)],
        "fields": [make_field(slug=f"f{n}") for n in range(3)],
        "source": make_source(slug="report"),
    }


def experts_file(rows, related, changed=0):
    """Return a file of ``rows`` experts: ``changed`` on file and renamed, the rest new.

    Every row names a district, an organization, fields and a source, so that
    a look-up per row or per cell would show in the queries.
    """
    on_file = []
    for n in range(changed):
        expert = make_expert(
            slug=f"old-{rows}-{n}", appointed_by=related["organizations"][0]
        )
        expert.research_fields.add(related["fields"][0])
        on_file.append(expert)
    dataset = tablib.Dataset(headers=HEADER)
    for n in range(rows):
        slug = on_file[n].slug if n < changed else f"new-{rows}-{n}"
        dataset.append(
            [
                slug,
                f"Expert {n}",
                f"专家{n}",
                related["organizations"][n % 3].slug,
                "2024-05-01",
                related["districts"][n % 3].slug,
                f"f{n % 3};f{(n + 1) % 3}",
                "report",
                "published",
            ]
        )
    return dataset


def run_import(dataset, user, dry_run):
    """Import ``dataset`` into experts as the admin does; return the Result."""
    return RESOURCES[Expert][0]().import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        rollback_on_validation_errors=True,
        retain_instance_in_row_result=not dry_run,
        user=user,
    )


def queries_of(dataset, user, dry_run):
    with CaptureQueriesContext(connection) as context:
        result = run_import(dataset, user, dry_run)
    assert not result.has_errors() and not result.has_validation_errors()
    return len(context.captured_queries)


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "confirm"])
def test_an_imports_queries_do_not_grow_with_its_rows(admin_user, related, dry_run):
    """Ten rows or thirty cost the same queries: no look-up, save or link per row."""
    ten = queries_of(experts_file(10, related, changed=3), admin_user, dry_run)
    thirty = queries_of(experts_file(30, related, changed=9), admin_user, dry_run)

    assert ten == thirty
    # A query per related table, the records, each link table, each write (a
    # few per table), and the savepoints around each step.
    assert thirty <= (16 if dry_run else 36)


def test_the_preview_writes_nothing(admin_user, related):
    """The preview reads the file's records and checks each row, and writes nothing."""
    dataset = experts_file(10, related, changed=3)
    with CaptureQueriesContext(connection) as context:
        result = run_import(dataset, admin_user, True)

    assert result.totals["new"] == 7 and result.totals["update"] == 3
    written = [
        query["sql"]
        for query in context.captured_queries
        if query["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert written == []
    assert not Expert.objects.filter(slug__startswith="new-").exists()


def test_a_confirmed_import_writes_records_links_history_and_stamps(
    admin_user, related
):
    """Each new or changed record gets what its save would have given it."""
    dataset = experts_file(4, related, changed=2)
    before = {expert.slug: expert for expert in Expert.objects.all()}
    version = ContentVersion.objects.get().number

    result = run_import(dataset, admin_user, dry_run=False)

    assert result.totals["new"] == 2 and result.totals["update"] == 2
    assert ContentVersion.objects.get().number != version
    for n, slug in enumerate(dataset["slug"]):
        expert = Expert.objects.get(slug=slug)
        fields = {f"f{n % 3}", f"f{(n + 1) % 3}"}
        assert {field.slug for field in expert.research_fields.all()} == fields
        assert [source.slug for source in expert.sources.all()] == ["report"]
        assert expert.name_pinyin == f"zhuan jia {n}"
        latest = expert.history.latest("history_date")
        assert latest.history_user == admin_user
        assert latest.name_en == f"Expert {n}"
        # The version holds the links as saved, as an admin save's does.
        assert {link.researchfield.slug for link in latest.research_fields.all()} == (
            fields
        )
        if expert.slug in before:
            assert expert.version == before[expert.slug].version + 1
            assert expert.updated_at > before[expert.slug].updated_at
            assert latest.history_type == "~"
        else:
            assert (expert.version, latest.history_type) == (1, "+")
            # Published by the importer: it was not, it is now.
            assert expert.publication_changed_by == admin_user


def test_a_changed_record_keeps_the_columns_the_file_leaves_out(admin_user, related):
    """Only the file's columns are written: a record's other fields stay."""
    expert = make_expert(
        slug="kept",
        title_en="Professor",
        email="kept@example.org",
        district=related["districts"][0],
        appointed_by=related["organizations"][0],
    )
    dataset = tablib.Dataset(headers=["slug", "name_en", "district"])
    dataset.append(["kept", "Renamed", ""])

    run_import(dataset, admin_user, dry_run=False)

    expert.refresh_from_db()
    assert (expert.name_en, expert.district) == ("Renamed", None)
    assert (expert.title_en, expert.email) == ("Professor", "kept@example.org")
    assert expert.appointed_by == related["organizations"][0]


def test_links_the_file_drops_are_removed(admin_user, related):
    """A record's links become those its row names, added and removed."""
    expert = make_expert(slug="linked", appointed_by=related["organizations"][0])
    expert.research_fields.add(related["fields"][0], related["fields"][1])
    dataset = tablib.Dataset(headers=["slug", "research_fields"])
    dataset.append(["linked", "f1;f2"])

    run_import(dataset, admin_user, dry_run=False)

    assert {field.slug for field in expert.research_fields.all()} == {"f1", "f2"}


def test_a_file_naming_a_record_twice_is_refused(admin_user, related):
    """A slug on two rows is an error on the second, naming the first."""
    dataset = experts_file(3, related)
    dataset.append(dataset[0])

    result = run_import(dataset, admin_user, dry_run=True)

    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors == {
        4: {"slug": ["Row 2 names this record too: a file names each record once."]}
    }


def test_a_failed_write_leaves_nothing_written(admin_user, related, monkeypatch):
    """All or nothing: if a batch's writes fail, no row of the file is written."""
    dataset = experts_file(5, related, changed=2)
    names = dict(Expert.objects.values_list("slug", "name_en"))
    history = Expert.history.count()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk_import, "copy_links", fail)
    result = run_import(dataset, admin_user, False)

    assert {str(error.error) for error in result.base_errors} == {"disk full"}
    assert dict(Expert.objects.values_list("slug", "name_en")) == names
    assert Expert.history.count() == history


@pytest.mark.parametrize(
    ("left", "right", "new"),
    [
        ("same", "same", False),
        ("", "", False),
        ("draft", "draft", True),
        ("", "Added <b>bold</b> & more\nlines", True),
        ("draft", "published", True),
        ("Old name", "", False),
        ("", "New", False),
        ("Old name", "New name", False),
        ("a;b", "a;c", False),
        ("<i>x</i>", "<i>y</i>", False),
    ],
)
def test_the_preview_cells_are_the_librarys(left, right, new):
    """A cell's markup is byte for byte what the library's Diff would write,
    but for the style attributes that the Content-Security-Policy refuses."""
    diff = Diff.__new__(Diff)
    diff.left, diff.right, diff.new = [left], [right], new
    library = re.sub(r' style="[^"]*"', "", diff.as_html()[0])

    assert cell_diff_html(left, right, new) == library


RECEIVERS = {
    pre_save: {"raise_version", "fill_sort_keys_before_save"},
    post_save: {"post_save", "_bump_on_write"},
}


def receiver_names(signal, sender):
    names = set()
    for receiver in signal._live_receivers(sender)[0]:
        function = getattr(receiver, "func", receiver)  # a functools.partial
        names.add(getattr(function, "__name__", repr(function)))
    return names


@pytest.mark.parametrize("model", list(RESOURCES), ids=lambda model: model.__name__)
def test_bulk_writes_stand_in_for_every_save_signal(model):
    """A new receiver of a record's save would be skipped by imports: add it there.

    Bulk writes send no signal; bulk_import does what these receivers do.
    """
    for signal, expected in RECEIVERS.items():
        assert receiver_names(signal, model) <= expected
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        assert receiver_names(m2m_changed, through) <= {"m2m_changed", "_bump_on_write"}


def test_an_unchanged_file_changes_nothing(admin_user, related):
    """Importing the same file twice: the second time every row is unchanged."""
    dataset = experts_file(5, related, changed=2)
    run_import(dataset, admin_user, dry_run=False)
    history = Expert.history.count()
    stamps = dict(Expert.objects.values_list("slug", "updated_at"))

    result = run_import(dataset, admin_user, dry_run=False)

    assert result.totals["skip"] == 5
    assert Expert.history.count() == history
    assert dict(Expert.objects.values_list("slug", "updated_at")) == stamps


def test_dates_and_blank_links_are_written_on_update(admin_user, related):
    """A changed date, a cleared foreign key and cleared links are all written."""
    expert = make_expert(
        slug="dated",
        appointed_on=datetime.date(2020, 1, 1),
        district=related["districts"][0],
        appointed_by=related["organizations"][0],
        publication_status=PublicationStatus.DRAFT,
    )
    expert.sources.add(related["source"])
    dataset = tablib.Dataset(headers=["slug", "appointed_on", "district", "sources"])
    dataset.append(["dated", "2021-02-03", "", ""])

    run_import(dataset, admin_user, dry_run=False)

    expert.refresh_from_db()
    assert expert.appointed_on == datetime.date(2021, 2, 3)
    assert expert.district is None
    assert not expert.sources.exists()
