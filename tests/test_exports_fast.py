"""The lists' downloads, read and written by the database, are the reference's bytes.

``Export.rows`` with ``write_csv``/``write_json`` (model objects, cell by
cell in Python) is the reference; the lists' downloads are written by the
database instead (``programs/site/export_sql.py``): by one COPY on
PostgreSQL, from ``values_list`` tuples elsewhere. Every kind, both formats,
both languages, all rows and a filtered, re-sorted selection, over records
whose text is built to trip a writer up, with drafts and staff-only data
beside them that must not leak. The suite runs on SQLite and, in CI, on
PostgreSQL, where the values path is compared as well.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from programs.kinds import KINDS
from programs.models import (
    Agreement,
    Expert,
    Organization,
    Project,
    PublicationStatus,
)
from programs.site import export_sql, exports
from programs.site.exports import EXPORTS
from programs.sorting import in_page_order

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
ARCHIVED = PublicationStatus.ARCHIVED
ORIGIN = "http://testserver"
LANGUAGES = ("en", "zh-hans")
# What a CSV or JSON writer can get wrong: separators, quotes, line breaks,
# formula starts, control characters, backslashes, text beyond ASCII.
AWKWARD = (
    'Alpha, "quoted" and\nbroken\r\nlines',
    "=SUM(A1) Alpha",
    "+86 Alpha",
    "-minus Alpha",
    "@at Alpha",
    "\tTab Alpha",
    "\rReturn Alpha",
    "Alpha \\ back\\slash \\.",
    "Alpha \x0b vertical tab \x1f \x7f",
    "Alpha 青浦区 \u2028 😀",
)
# Never to appear in any download.
SECRETS = ("secret@example.org", "+86 555 0100", "secret-note", "secret-text")
DRAFT_NAMES = ("Draft district", "Draft source", "Draft expert", "Archived field")


def awkward(n):
    return AWKWARD[n % len(AWKWARD)]


@pytest.fixture
def records():
    """Build records of every kind, published and not, with awkward values."""
    draft_district = f.make_district(name_en="Draft district", publication_status=DRAFT)
    district = f.make_district(
        name_en="=Qingpu District", name_zh="", city_en="Shanghai, China"
    )
    f.make_district(
        name_en="Alpha Jiashan", name_zh="嘉善县", in_demonstration_zone=False
    )
    f.make_district(name_en="Alpha Wujiang", name_zh="吴江区", summary_en=awkward(0))
    sources = [
        f.make_source(
            title_en=f"Report {n}",
            title_zh="" if n % 2 else f"报道{n}",
            outlet=awkward(n),
            published_on=datetime.date(2023, 6, 1 + n % 3),
            url=f"https://example.org/{n}?a=b,c",
            notes="secret-note",
            text="secret-text",
        )
        for n in range(6)
    ]
    sources[0].title_en = "=Formula report"
    sources[0].save()
    draft_source = f.make_source(title_en="Draft source", publication_status=DRAFT)
    fields = [
        f.make_field(name_en="", name_zh="无英文名"),
        f.make_field(name_en="Alpha field", name_zh="甲领域"),
        f.make_field(name_en="-Beta field", name_zh=""),
        f.make_field(name_en="Archived field", publication_status=ARCHIVED),
    ]
    organizations = [
        f.make_organization(
            name_en=awkward(n),
            name_zh="" if n % 3 else f"机构{n}",
            district=(district, draft_district, None)[n % 3],
            website="https://example.org/a=b",
            summary_en=awkward(n + 1),
        )
        for n in range(4)
    ]
    draft_organization = f.make_organization(
        name_en="Draft body", publication_status=DRAFT
    )
    for n in range(6):
        agreement = f.make_agreement(
            name_en=awkward(n),
            name_zh=awkward(n + 3) if n % 2 else "",
            signed_on=None if n == 2 else datetime.date(2022, 1 + n, 9),
            district=(district, draft_district, None)[n % 3],
            parties=[
                organizations[n % 4],
                organizations[(n + 1) % 4],
                draft_organization,
            ],
            cooperation_areas_en="Alpha\nBeta",
            summary_zh=awkward(n + 5),
        )
        agreement.sources.add(*sources[n % 3 : n % 3 + 3], draft_source)
        project = f.make_project(
            name_en=awkward(n + 2),
            kind=Project.Kind.choices[n % 4][0],
            announced_on=None if n == 1 else datetime.date(2021, 3, 1 + n),
            lead_organization=(organizations[n % 4], draft_organization, None)[n % 3],
            district=(district, draft_district)[n % 2],
            agreement=agreement if n % 2 else None,
            field=fields[n % 4],
        )
        project.sources.add(*sources[n:])
        expert = f.make_expert(
            name_en=awkward(n + 4),
            name_zh="" if n % 2 else f"专家{n}",
            title_en=awkward(n + 6),
            appointed_by=(organizations[n % 4], draft_organization)[n % 2],
            appointed_on=None if n == 3 else datetime.date(2020, 5, 1 + n),
            district=(district, draft_district, None)[n % 3],
            status=Expert.Status.choices[n % 2][0],
            email="secret@example.org",
            phone="+86 555 0100",
        )
        expert.research_fields.add(*fields[: n % 5])
        expert.sources.add(sources[(n + 2) % 6], draft_source)
        workstation = f.make_workstation(
            name_en=awkward(n + 7),
            host_organization=organizations[n % 4],
            district=(district, draft_district)[n % 2],
            field=fields[(n + 1) % 4],
            established_on=datetime.date(2019, 1, 1 + n),
        )
        workstation.experts.add(
            expert, f.make_expert(name_en="Draft expert", publication_status=DRAFT)
        )
        f.make_entrepreneur(
            name_en=awkward(n + 8),
            country_or_region_en=awkward(n),
            venture_zh=awkward(n + 1),
            host_organization=organizations[(n + 2) % 4],
            district=(district, draft_district, None)[n % 3],
            field=fields[n % 4],
            project=project if n % 2 else None,
            signed_on=datetime.date(2018, 2, 1 + n),
            email="secret@example.org",
        ).sources.add(*sources[:n])
    # A stored value that is no longer a choice is written as it is.
    Agreement.objects.filter(name_en=awkward(4)).update(status="mystery")
    Organization.objects.filter(pk=organizations[1].pk).update(kind="")
    f.make_expert(name_en="Draft expert", publication_status=DRAFT)


def selection(kind, query):
    """Return the records the list of ``kind`` exports for ``query``."""
    return kind.filterset(data=query, queryset=kind.model.objects.public()).qs


def reference(kind, queryset, export_format):
    """Return the file the model-object reference writes for ``queryset``."""
    export = EXPORTS[kind.model]
    write = exports.write_csv if export_format == "csv" else exports.write_json
    return b"".join(write(export.columns_linking_to(ORIGIN), export.rows(queryset)))


def by_database(kind, queryset, export_format):
    """Return the file the lists' downloads write for ``queryset``."""
    export = EXPORTS[kind.model]
    return b"".join(export.written_by_database(queryset, ORIGIN, export_format))


def sort_descending(kind):
    """Return ``?sort=`` for the list's first sort field, reversed."""
    first = next(iter(kind.filterset.base_filters["sort"].param_map))
    return f"-{first}"


def queries(kind):
    """Return every selection compared: all rows, and a search sorted backwards."""
    return {
        "all": {},
        "filtered": {"q": "Alpha", "sort": sort_descending(kind)},
    }


def row_count(body, export_format):
    if export_format == "json":
        return len(json.loads(body))
    return body.count(b"\r\n") - 1  # rough, but enough to see rows are there


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("export_format", ["csv", "json"])
@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_database_writes_the_references_bytes(records, kind, export_format, language):
    """Every kind's download, in either language, is the reference, byte for byte."""
    with translation.override(language):
        for name, query in queries(kind).items():
            queryset = selection(kind, query)
            expected = reference(kind, queryset, export_format)
            assert row_count(expected, export_format) > (name == "filtered"), name
            assert by_database(kind, queryset, export_format) == expected, name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is compared above")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("export_format", ["csv", "json"])
@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_values_path_writes_the_references_bytes_on_postgresql(
    records, kind, export_format, language, monkeypatch
):
    """The path SQLite takes writes the same bytes on PostgreSQL too."""
    monkeypatch.setattr(export_sql, "copies", lambda queryset: False)
    with translation.override(language):
        for query in queries(kind).values():
            queryset = selection(kind, query)
            expected = reference(kind, queryset, export_format)
            assert by_database(kind, queryset, export_format) == expected


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_chinese_page_download_is_the_references(client, rf, records, export_format):
    """/zh-hans/experts/?format= gives the reference's Chinese file (the view's)."""
    chinese_page = "/zh-hans/experts/"
    response = client.get(chinese_page, {"format": export_format})
    body = b"".join(response.streaming_content)
    with translation.override("zh-hans"):
        kind = next(kind for kind in KINDS if kind.model is Expert)
        # In the Chinese page's order, by pinyin.
        order = in_page_order(Expert, Expert._meta.ordering, rf.get(chinese_page))
        expected = reference(kind, selection(kind, {}).order_by(*order), export_format)
    assert "专家0" in body.decode()
    assert body == expected


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_drafts_and_staff_only_data_never_leave(client, records, export_format):
    """No download names a draft, an archived record or a staff-only value."""
    for kind in KINDS:
        url = reverse(kind.list_url_name)
        response = client.get(url, {"format": export_format})
        text = b"".join(response.streaming_content).decode()
        for secret in (*SECRETS, *DRAFT_NAMES, "Draft body", "publication"):
            assert secret not in text, (kind, secret)


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_a_selection_of_nothing_is_the_references_empty_file(records, export_format):
    """A filter that matches no record gives the header alone, or ``[]``."""
    kind = KINDS[0]
    queryset = selection(kind, {"q": "nothing-has-this-word"})
    expected = reference(kind, queryset, export_format)
    assert by_database(kind, queryset, export_format) == expected
    assert expected.endswith(b"\r\n" if export_format == "csv" else b"[\n]\n")
    empty = queryset.none()
    assert by_database(kind, empty, export_format) == expected


def test_related_names_stay_with_their_records_across_chunks(monkeypatch):
    """The values path reads related names a chunk at a time, each for its own."""
    monkeypatch.setattr(export_sql, "copies", lambda queryset: False)
    monkeypatch.setattr(export_sql, "CHUNK_SIZE", 2)
    for n in range(5):
        f.make_expert(name_en=f"Expert {n}").research_fields.add(
            f.make_field(name_en=f"Field of {n}")
        )
    kind = next(kind for kind in KINDS if kind.model is Expert)
    body = by_database(kind, selection(kind, {"sort": "name_en"}), "json")
    assert [(row["name_en"], row["research_fields"]) for row in json.loads(body)] == [
        (f"Expert {n}", [f"Field of {n}"]) for n in range(5)
    ]


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_download_streams_as_it_reads(client, monkeypatch, export_format):
    """Rows reach the response a few at a time, not gathered into one piece."""
    monkeypatch.setattr(exports, "ROWS_PER_WRITE", 2)
    for _ in range(7):
        f.make_project()
    response = client.get(reverse("programs:project-list"), {"format": export_format})
    pieces = [piece for piece in response.streaming_content if piece]
    # The header or the bracket, four pieces of rows, the closing bracket.
    assert len(pieces) >= 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's COPY")
@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_postgresql_reads_every_row_in_one_copy(client, export_format):
    """One COPY, whatever the number of rows and related records."""
    url = reverse("programs:expert-list")

    def export_queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"format": export_format})
            b"".join(response.streaming_content)
        return [query["sql"] for query in captured]

    for _ in range(3):
        f.make_expert().research_fields.add(f.make_field(), f.make_field())
    few = export_queries()
    for _ in range(30):
        f.make_expert().sources.add(f.make_source(), f.make_source())
    many = export_queries()
    # The cache check, the district filter's choices, the COPY's settings.
    assert len(many) == len(few) == CACHE_CHECK + 3
    assert sum(sql.startswith("COPY (") for sql in many) == 1
