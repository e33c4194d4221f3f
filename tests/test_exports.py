"""CSV and JSON exports of the public lists."""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from programs.models import Expert, PublicationStatus
from programs.site import exports
from programs.site.exports import EXPORTS, Export

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
BOM = b"\xef\xbb\xbf"

# Every public list, with a builder of one published record for it.
LISTS = {
    "district": f.make_district,
    "organization": f.make_organization,
    "agreement": f.make_agreement,
    "project": f.make_project,
    "workstation": f.make_workstation,
    "expert": f.make_expert,
    "entrepreneur": f.make_entrepreneur,
    "source": f.make_source,
}


def export(client, url, export_format, **query):
    """Return the response and its body for an export of the list at ``url``."""
    response = client.get(url, {**query, "format": export_format})
    assert response.status_code == 200, response.content
    return response, b"".join(response.streaming_content)


def csv_rows(body):
    """Return the header and the rows of a CSV export."""
    assert body.startswith(BOM)
    header, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))
    return header, rows


def csv_records(body):
    header, rows = csv_rows(body)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_every_list_exports_as_a_streamed_download(client, kind, export_format):
    """Each list downloads its records as a dated, streamed CSV or JSON file."""
    record = LISTS[kind]()
    response, body = export(client, reverse(f"programs:{kind}-list"), export_format)
    assert isinstance(response, StreamingHttpResponse)
    filename = f"{kind}s-{timezone.localdate():%Y-%m-%d}"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{filename}.{export_format}"'
    )
    url = f"http://testserver{record.get_absolute_url()}"
    if export_format == "csv":
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        [row] = csv_records(body)
        assert row["URL"] == url
    else:
        assert response["Content-Type"] == "application/json"
        [row] = json.loads(body)
        assert row["url"] == url


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_export_holds_every_filtered_row_not_one_page(client, export_format):
    """All 27 rows the filter selects are exported, past the 25 of a page."""
    qingpu, wujiang = f.make_district(slug="qingpu"), f.make_district()
    for n in range(27):
        f.make_project(name_en=f"Qingpu {n:02}", district=qingpu)
    for n in range(3):
        f.make_project(name_en=f"Wujiang {n}", district=wujiang)
    url = reverse("programs:project-list")
    query = {"district": "qingpu", "sort": "-name_en", "page": "2"}
    _response, body = export(client, url, export_format, **query)
    if export_format == "csv":
        names = [row["Name (English)"] for row in csv_records(body)]
    else:
        names = [row["name_en"] for row in json.loads(body)]
    assert names == [f"Qingpu {n:02}" for n in reversed(range(27))]


def test_project_csv_has_readable_headers_and_public_columns(client):
    """The CSV header names each column in words; staff and status never appear."""
    f.make_project()
    _response, body = export(client, reverse("programs:project-list"), "csv")
    header, _rows = csv_rows(body)
    assert header == [
        "Name (English)",
        "Name (Chinese)",
        "Kind",
        "Status",
        "Announced or signed on",
        "Lead or host organization",
        "District",
        "Agreement",
        "Field",
        "Summary (English)",
        "Summary (Chinese)",
        "Sources",
        "Demo data",
        "URL",
    ]


def test_values_are_written_for_people_in_csv_and_typed_in_json(client):
    """Related records by name, choices by label, dates ISO, sources joined."""
    district = f.make_district(name_en="Qingpu District", name_zh="青浦区")
    project = f.make_project(
        name_en="Talent platform",
        name_zh="人才平台",
        district=district,
        lead_organization=f.make_organization(name_en="Qingpu Government"),
        announced_on=datetime.date(2023, 6, 15),
    )
    project.sources.add(
        f.make_source(title_en="Later report", published_on=datetime.date(2023, 7, 1)),
        f.make_source(title_en="First report", published_on=datetime.date(2023, 6, 16)),
    )
    url = reverse("programs:project-list")
    [row] = csv_records(export(client, url, "csv")[1])
    assert row["Name (Chinese)"] == "人才平台"
    assert row["Kind"] == "Key project under an agreement"
    assert row["Announced or signed on"] == "2023-06-15"
    assert row["Lead or host organization"] == "Qingpu Government"
    assert row["District"] == "Qingpu District"
    assert row["Agreement"] == ""
    assert row["Sources"] == "Later report; First report"
    [item] = json.loads(export(client, url, "json")[1])
    assert item["announced_on"] == "2023-06-15"
    assert item["agreement"] is None
    assert item["sources"] == ["Later report", "First report"]


def test_chinese_text_round_trips_in_both_formats(client):
    """Chinese names come back unchanged, and JSON carries them unescaped."""
    f.make_organization(name_en="Qingpu Government", name_zh="上海市青浦区人民政府")
    url = reverse("programs:organization-list")
    _response, csv_body = export(client, url, "csv")
    assert csv_records(csv_body)[0]["Name (Chinese)"] == "上海市青浦区人民政府"
    _response, json_body = export(client, url, "json")
    assert "上海市青浦区人民政府" in json_body.decode("utf-8")
    assert json.loads(json_body)[0]["name_zh"] == "上海市青浦区人民政府"


def test_export_from_chinese_page_is_in_chinese(client):
    """An export asked from /zh-hans/ has Chinese headers, names and links."""
    district = f.make_district(name_en="Qingpu District", name_zh="青浦区")
    project = f.make_project(district=district)
    response = client.get("/zh-hans/projects/", {"format": "csv"})
    # The body is written as the server reads it, after the view has returned.
    translation.activate("en")
    header, [row] = csv_rows(b"".join(response.streaming_content))
    assert header[0] == "名称（英文）"
    assert header[-1] == "网址"
    assert "青浦区" in row and "Qingpu District" not in row
    assert row[-1] == f"http://testserver/zh-hans/projects/{project.slug}/"
    english = client.get("/projects/", {"format": "csv"})
    header, [row] = csv_rows(b"".join(english.streaming_content))
    assert header[0] == "Name (English)"
    assert "Qingpu District" in row and "青浦区" not in row


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_staff_only_fields_and_unpublished_records_never_leave(client, export_format):
    """Contact details, source notes and drafts, direct or related, stay inside."""
    draft_district = f.make_district(name_en="Draft district", publication_status=DRAFT)
    draft_source = f.make_source(title_en="Draft source", publication_status=DRAFT)
    public_source = f.make_source(title_en="Public source", notes="secret-note")
    expert = f.make_expert(
        email="secret@example.org", phone="+86 555 0100", district=draft_district
    )
    f.make_expert(name_en="Draft expert", publication_status=DRAFT)
    expert.sources.add(draft_source, public_source)
    workstation = f.make_workstation()
    workstation.experts.add(expert, Expert.objects.get(name_en="Draft expert"))
    bodies = [
        export(client, reverse(f"programs:{kind}-list"), export_format)[1]
        for kind in ("expert", "workstation", "source")
    ]
    text = b"".join(bodies).decode("utf-8")
    assert expert.name_en in text and "Public source" in text
    for secret in (
        "secret@example.org",
        "+86 555 0100",
        "secret-note",
        "Draft district",
        "Draft source",
        "Draft expert",
        "publication",
    ):
        assert secret not in text


def test_no_export_names_a_staff_only_or_internal_field():
    """Every export's columns leave out staff-only fields, ids and status."""
    for model, definition in EXPORTS.items():
        keys = {column.key for column in definition.columns}
        assert not keys & {*model.STAFF_ONLY_FIELDS, "id", "publication_status"}


def test_an_export_cannot_be_declared_with_a_staff_only_field():
    """Naming a staff-only field in an export fails when the site starts."""
    with pytest.raises(ImproperlyConfigured, match="email"):
        Export(Expert, ("name_en", "email"))


@pytest.mark.parametrize("export_format", ["csv", "json"])
@pytest.mark.parametrize(
    ("query", "named"),
    [({"year": "abc"}, "year (Year)"), ({"district": "nowhere"}, "district")],
)
def test_bad_filter_is_a_clear_400_not_an_unfiltered_export(
    client, export_format, query, named
):
    """A filter that cannot be used is named in a plain 400, never ignored."""
    f.make_project()
    url = reverse("programs:project-list")
    response = client.get(url, {**query, "format": export_format})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "could not be used" in response.text
    assert f"- {named}" in response.text
    assert "Project" not in response.text


def test_unknown_format_is_a_400_naming_the_formats(client):
    """An export format the site does not make is refused, saying which it does."""
    response = client.get(reverse("programs:project-list"), {"format": "xlsx"})
    assert response.status_code == 400
    assert "format=csv or format=json" in response.text


def test_blank_format_shows_the_page(client):
    """``?format=`` with no value is the ordinary HTML list."""
    response = client.get(reverse("programs:project-list"), {"format": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_csv_cells_never_start_a_formula(client):
    """Text starting with = + - @ is written with a leading apostrophe in CSV."""
    f.make_organization(
        name_en='=HYPERLINK("http://evil.example","x")',
        name_zh="+1",
        summary_en="-2+3",
        summary_zh="@SUM(A1)",
        website="https://example.org/a=b",
    )
    url = reverse("programs:organization-list")
    [row] = csv_records(export(client, url, "csv")[1])
    assert row["Name (English)"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["Name (Chinese)"] == "'+1"
    assert row["Summary (English)"] == "'-2+3"
    assert row["Summary (Chinese)"] == "'@SUM(A1)"
    assert row["Website"] == "https://example.org/a=b"
    [item] = json.loads(export(client, url, "json")[1])
    assert item["name_zh"] == "+1"


def add_projects(count):
    """Build ``count`` projects, each with four related records and two sources."""
    district = f.make_district()
    for _ in range(count):
        project = f.make_project(
            district=district,
            lead_organization=f.make_organization(),
            agreement=f.make_agreement(),
            field=f.make_field(),
        )
        project.sources.add(f.make_source(), f.make_source())


def add_of_each(count):
    """Build ``count`` records of every kind, with their many-to-many relations."""
    district, host = f.make_district(), f.make_organization()
    for _ in range(count):
        agreement = f.make_agreement(parties=[host, f.make_organization()])
        expert = f.make_expert(appointed_by=host, district=district)
        expert.research_fields.add(f.make_field(), f.make_field())
        workstation = f.make_workstation(host_organization=host, district=district)
        workstation.experts.add(expert, f.make_expert())
        records = (agreement, expert, workstation, f.make_entrepreneur(), host)
        for record in (*records, f.make_district()):
            record.sources.add(f.make_source(), f.make_source())


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_queries_do_not_grow_with_rows(client, kind, export_format):
    """Twice the rows, each with related records, cost no more queries (no N+1)."""
    url = reverse(f"programs:{kind}-list")
    add_projects(3)
    add_of_each(3)
    with CaptureQueriesContext(connection) as small:
        _response, small_body = export(client, url, export_format)
    add_projects(3)
    add_of_each(3)
    with CaptureQueriesContext(connection) as large:
        _response, large_body = export(client, url, export_format)
    assert len(large_body) > len(small_body)
    assert len(large) == len(small) <= CACHE_CHECK + 4


def test_related_records_are_right_across_read_chunks(client, monkeypatch):
    """Sources prefetched chunk by chunk stay with their own records."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    monkeypatch.setattr(exports.export_sql, "CHUNK_SIZE", 2)
    for n in range(5):
        f.make_project(name_en=f"Project {n}").sources.add(
            f.make_source(title_en=f"Source of {n}")
        )
    url = reverse("programs:project-list")
    _response, body = export(client, url, "json", sort="name_en")
    assert [(row["name_en"], row["sources"]) for row in json.loads(body)] == [
        (f"Project {n}", [f"Source of {n}"]) for n in range(5)
    ]


def test_list_page_links_to_downloads_with_its_filters_but_no_page(client):
    """The download links keep the filters and sort, and drop the page number."""
    district = f.make_district(slug="qingpu")
    for _ in range(30):
        f.make_project(district=district)
    url = reverse("programs:project-list")
    response = client.get(url, {"district": "qingpu", "sort": "name_en", "page": "2"})
    text = response.text
    assert 'href="?district=qingpu&amp;sort=name_en&amp;format=csv"' in text
    assert 'href="?district=qingpu&amp;sort=name_en&amp;format=json"' in text
    assert 'aria-label="Download all matches as CSV"' in text


def test_no_download_links_while_filters_are_wrong(client):
    """A list whose filters cannot be used offers no download that would fail."""
    f.make_project()
    response = client.get(reverse("programs:project-list"), {"year": "abc"})
    assert "format=csv" not in response.text
