"""Spreadsheet import and export in the admin: resources.py and admin/importing.py."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from import_export.tmp_storages import CacheStorage

from programs.models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    District,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    ResearchField,
    Role,
    Source,
    Workstation,
)
from tests.factories import (
    make_agreement,
    make_district,
    make_entrepreneur,
    make_expert,
    make_field,
    make_figure,
    make_organization,
    make_project,
    make_source,
    make_staff,
    make_workstation,
)

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # the import and export forms' format choices
FORMATS = [CSV, XLSX]


# Building, uploading and downloading files.


def as_file(rows, file_format):
    """Return ``rows`` (header first) as an uploaded CSV or XLSX file."""
    if file_format == CSV:
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        return SimpleUploadedFile("records.csv", text.getvalue().encode("utf-8"))
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile("records.xlsx", content.getvalue())


def read_rows(response, file_format):
    """Return an export response's rows, header first, as lists of strings."""
    if file_format == CSV:
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def url(model, view, query=""):
    return reverse(f"admin:programs_{model._meta.model_name}_{view}") + query


def preview(client, model, upload, resource="0"):
    """Upload a file to the import page and return the preview response."""
    return client.post(
        url(model, "import"),
        {
            "resource": resource,
            "format": XLSX if upload.name.endswith(".xlsx") else CSV,
            "import_file": upload,
        },
    )


def confirm(client, model, preview_response):
    """Confirm a previewed import, as the preview's "Confirm import" button does."""
    return client.post(
        url(model, "process_import"), preview_response.context["confirm_form"].initial
    )


def export(client, model, file_format=CSV, query="", resource="0"):
    """Export with every column ticked, as the export form is by default."""
    form = client.get(url(model, "export", query)).context["form"]
    data = {
        name: "on"
        for name, field in form.fields.items()
        if getattr(field, "is_selectable_field", False)
        and field.resource_index == int(resource)
    }
    data.update(format=file_format, resource=resource)
    return client.post(url(model, "export", query), data)


def row_types(response):
    """Return {slug or row number: import type} for the preview's valid rows."""
    return {
        row.object_repr: row.import_type
        for row in response.context["result"].valid_rows()
    }


def error_cells(response):
    """Return the (row, column, error) triples of the preview's error table."""
    return {
        (row.number + 1, column, message)
        for row in response.context["result"].invalid_rows
        for column, messages in row.error_dict.items()
        for message in messages
    }


def history_count(*models):
    return sum(model.history.count() for model in models)


HEADER = ["slug", "name_en", "name_zh", "kind", "district", "sources"]


@pytest.fixture
def organizations(qingpu):
    """An organization a file leaves unchanged, and one it renames."""
    source = make_source(slug="report")
    same = make_organization(slug="same", name_en="Same", name_zh="", district=qingpu)
    same.sources.add(source)
    renamed = make_organization(slug="renamed", name_en="Old name", name_zh="")
    return same, renamed


def three_rows(file_format):
    return as_file(
        [
            HEADER,
            ["same", "Same", "", "company", "qingpu", "report"],
            ["renamed", "New name", "", "company", "", ""],
            ["new", "New one", "新机构", "university", "qingpu", "report"],
        ],
        file_format,
    )


# Preview and confirmation.


@pytest.mark.parametrize("file_format", FORMATS)
def test_preview_lists_new_changed_and_unchanged_rows_and_writes_nothing(
    admin_client, organizations, file_format
):
    """The preview says what each row would do, with changed columns; writes nothing."""
    records, history = Organization.objects.count(), history_count(Organization)

    response = preview(admin_client, Organization, three_rows(file_format))

    assert row_types(response) == {
        "Same": "skip",
        "New name": "update",
        "New one": "new",
    }
    assert [row.changed_columns for row in response.context["result"].rows] == [
        [],
        ["name_en"],
        [],
    ]
    page = response.content.decode()
    assert "Changed: name_en" in page and "Unchanged" in page and "New" in page
    assert "confirm_form" in response.context
    assert Organization.objects.count() == records
    assert history_count(Organization) == history
    assert Organization.objects.get(slug="renamed").name_en == "Old name"


def test_the_preview_marks_what_changed_with_no_style_attribute(
    admin_client, organizations
):
    """A changed cell shows what went and what came as <del> and <ins>, coloured
    by admin.css: the Content-Security-Policy would refuse a style attribute."""
    response = preview(admin_client, Organization, three_rows("csv"))
    page = response.content.decode()
    assert "<del>Old</del><ins>New</ins><span> name</span>" in page
    assert "<ins>新机构</ins>" in page
    assert " style=" not in page


@pytest.mark.parametrize("file_format", FORMATS)
def test_confirm_writes_every_row_with_history_by_the_importing_user(
    admin_client, admin_user, organizations, qingpu, file_format
):
    """Confirming adds and updates rows, each with a history entry by the importer."""
    unchanged_history = Organization.history.filter(slug="same").count()
    response = confirm(
        admin_client,
        Organization,
        preview(admin_client, Organization, three_rows(file_format)),
    )

    assert response.status_code == 302
    new = Organization.objects.get(slug="new")
    assert (new.name_zh, new.kind, new.district) == ("新机构", "university", qingpu)
    assert list(new.sources.values_list("slug", flat=True)) == ["report"]
    assert Organization.objects.get(slug="renamed").name_en == "New name"
    for slug in ("new", "renamed"):
        latest = Organization.history.filter(slug=slug).latest("history_date")
        assert latest.history_user == admin_user
    # The unchanged row was not saved again.
    assert Organization.history.filter(slug="same").count() == unchanged_history


def test_the_file_waits_in_the_shared_cache_between_preview_and_confirmation(
    admin_client, organizations
):
    """The previewed file is kept in the cache, which every app server shares."""
    response = preview(admin_client, Organization, three_rows(CSV))

    name = response.context["confirm_form"].initial["import_file_name"]
    assert cache.get(CacheStorage.CACHE_PREFIX + name)
    confirm(admin_client, Organization, response)
    assert cache.get(CacheStorage.CACHE_PREFIX + name) is None


@pytest.mark.parametrize("file_format", FORMATS)
def test_bad_rows_are_named_by_row_column_and_reason_and_cannot_be_confirmed(
    admin_client, qingpu, file_format
):
    """Each bad row is listed with column and reason; the file cannot be confirmed."""
    upload = as_file(
        [
            ["slug", "name_en", "signed_on", "district", "sources"],
            ["good", "Good", "2023-06-15", "qingpu", ""],
            ["nowhere", "Bad district", "2023-06-15", "nowhere", ""],
            ["undated", "Bad date", "15 June", "qingpu", "missing-source"],
        ],
        file_format,
    )

    response = preview(admin_client, Agreement, upload)

    assert error_cells(response) == {
        (3, "district", "No district has the slug “nowhere”."),
        (4, "signed_on", "“15 June” is not a date: write it as YYYY-MM-DD."),
        (4, "sources", "No source has the slug “missing-source”."),
    }
    assert "confirm_form" not in response.context
    page = response.content.decode()
    assert "No district has the slug “nowhere”." in page
    assert "Nothing has been imported." in page
    assert row_types(response) == {"Good": "new"}
    assert not Agreement.objects.exists()


def test_model_validation_errors_name_their_column(admin_client):
    """A value the model refuses (bad choice, blank name) is an error in its column."""
    upload = as_file([["slug", "name_en", "kind"], ["odd", "", "spaceship"]], CSV)

    response = preview(admin_client, Organization, upload)

    columns = {column for _row, column, _message in error_cells(response)}
    assert columns == {"name_en", "kind"}


def test_unknown_columns_are_an_error_rather_than_ignored(admin_client):
    """A misspelt or database-id column is named, and the file cannot be confirmed."""
    upload = as_file([["id", "slug", "nmae_en"], ["1", "park", "Park"]], CSV)

    response = preview(admin_client, Organization, upload)

    errors = [str(e.error) for e in response.context["result"].base_errors]
    assert errors and errors[0].startswith("Unknown columns: id, nmae_en.")
    assert "confirm_form" not in response.context


def test_a_row_that_went_bad_after_the_preview_rolls_back_the_whole_import(
    admin_client, qingpu
):
    """If one row fails on confirmation, no row of the file is written."""
    upload = as_file(
        [
            ["slug", "name_en", "district"],
            ["first", "First", ""],
            ["second", "Second", "qingpu"],
        ],
        CSV,
    )
    response = preview(admin_client, Agreement, upload)
    District.objects.filter(pk=qingpu.pk).update(slug="qingpu-district")
    history = history_count(Agreement)

    response = confirm(admin_client, Agreement, response)

    assert response.status_code == 302
    assert response.url == url(Agreement, "import")
    assert not Agreement.objects.exists()
    assert history_count(Agreement) == history
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Nothing was imported" in m for m in messages)


# Round trips.


def build_every_kind():
    """One record of every kind, with foreign keys and many-to-many set."""
    district = make_district(slug="qingpu")
    source = make_source(slug="report", notes="Staff note")
    field = make_field(slug="ai")
    organization = make_organization(slug="park", district=district)
    organization.sources.add(source)
    agreement = make_agreement(slug="pact", district=district, parties=[organization])
    project = make_project(
        slug="lab",
        agreement=agreement,
        district=district,
        lead_organization=organization,
        field=field,
    )
    expert = make_expert(
        slug="dr-li",
        appointed_by=organization,
        district=district,
        email="li@example.org",
        phone="123",
    )
    expert.research_fields.add(field)
    workstation = make_workstation(
        slug="ws", district=district, host_organization=organization, field=field
    )
    workstation.experts.add(expert)
    workstation.sources.add(source)
    make_entrepreneur(
        slug="ent", host_organization=organization, project=project, district=district
    )
    make_figure(slug="eight", source=source, district=district, agreement=agreement)


EVERY_MODEL = [
    Source,
    District,
    ResearchField,
    Organization,
    Agreement,
    Project,
    Expert,
    Workstation,
    Entrepreneur,
    AnnouncedFigure,
]


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("model", EVERY_MODEL, ids=lambda m: m.__name__)
def test_importing_an_export_again_changes_nothing(admin_client, model, file_format):
    """An export imported back is all unchanged: no save, history or new timestamp."""
    build_every_kind()
    stamps = dict(model.objects.values_list("slug", "updated_at"))
    history = model.history.count()
    exported = export(admin_client, model, file_format)
    upload = SimpleUploadedFile(
        f"export.{'csv' if file_format == CSV else 'xlsx'}", exported.content
    )

    response = preview(admin_client, model, upload)
    assert set(row_types(response).values()) == {"skip"}
    confirm(admin_client, model, response)

    assert dict(model.objects.values_list("slug", "updated_at")) == stamps
    assert model.history.count() == history


@pytest.mark.parametrize("file_format", FORMATS)
def test_foreign_keys_and_many_to_many_round_trip_by_slug(admin_client, file_format):
    """A deleted record comes back from its export with its related records, by slug."""
    build_every_kind()
    exported = export(admin_client, Workstation, file_format)
    header = read_rows(exported, file_format)[0]
    Workstation.objects.all().delete()

    upload = SimpleUploadedFile(
        f"w.{'csv' if file_format == CSV else 'xlsx'}", exported.content
    )
    confirm(admin_client, Workstation, preview(admin_client, Workstation, upload))

    workstation = Workstation.objects.get(slug="ws")
    assert (
        workstation.district.slug,
        workstation.host_organization.slug,
        workstation.field.slug,
    ) == ("qingpu", "park", "ai")
    assert [e.slug for e in workstation.experts.all()] == ["dr-li"]
    assert [s.slug for s in workstation.sources.all()] == ["report"]
    assert "id" not in header


@pytest.mark.parametrize("model", EVERY_MODEL, ids=lambda m: m.__name__)
def test_exports_name_columns_by_field_and_leave_out_ids_and_versions(
    admin_client, model
):
    """Columns are field names, slug first, with no database id or edit version."""
    build_every_kind()

    header = read_rows(export(admin_client, model), CSV)[0]

    assert header[0] == "slug"
    assert not {"id", "version", "publication_changed_by", "is_demo"} & set(header)


def test_related_records_are_exported_by_slug(admin_client):
    """A foreign key is its record's slug; several related records are joined by “;”."""
    build_every_kind()
    make_source(slug="second-report").workstations.add(Workstation.objects.get())

    rows = read_rows(export(admin_client, Workstation), CSV)
    record = dict(zip(rows[0], rows[1], strict=True))

    assert record["district"] == "qingpu"
    assert record["host_organization"] == "park"
    assert sorted(record["sources"].split(";")) == ["report", "second-report"]


def test_staff_exports_include_contact_details_and_notes(admin_client):
    """The admin export is for staff: it has contact details and source notes."""
    build_every_kind()

    expert = dict(zip(*read_rows(export(admin_client, Expert), CSV), strict=True))
    source = dict(zip(*read_rows(export(admin_client, Source), CSV), strict=True))

    assert (expert["email"], expert["phone"]) == ("li@example.org", "123")
    assert source["notes"] == "Staff note"


# Export follows the changelist.


def test_export_keeps_the_changelist_filter(admin_client, qingpu, wujiang):
    """Exporting from a filtered list exports only the rows the list shows."""
    make_organization(slug="in-qingpu", district=qingpu)
    make_organization(slug="in-wujiang", district=wujiang)
    changelist = admin_client.get(
        url(Organization, "changelist", f"?district__id__exact={qingpu.pk}")
    )
    assert f"export/?district__id__exact={qingpu.pk}" in changelist.content.decode()

    rows = read_rows(
        export(admin_client, Organization, query=f"?district__id__exact={qingpu.pk}"),
        CSV,
    )

    assert [row[0] for row in rows[1:]] == ["in-qingpu"]


def test_export_keeps_the_changelist_search(admin_client):
    """Exporting after a search exports only the rows found."""
    make_organization(slug="park", name_en="Qingpu Industrial Park")
    make_organization(slug="uni", name_en="Tongji University")

    rows = read_rows(export(admin_client, Organization, XLSX, query="?q=Tongji"), XLSX)

    assert [row[0] for row in rows[1:]] == ["uni"]


# Parties to agreements: their own rows, keyed by agreement and organization.


def test_agreement_parties_export_for_the_listed_agreements_and_import_back(
    admin_client, qingpu, wujiang
):
    """Parties export as (agreement, organization, role) rows and import by slug."""
    park, uni = make_organization(slug="park"), make_organization(slug="uni")
    make_agreement(slug="pact", district=qingpu, parties=[park])
    make_agreement(slug="other", district=wujiang, parties=[uni])

    rows = read_rows(
        export(
            admin_client,
            Agreement,
            query=f"?district__id__exact={qingpu.pk}",
            resource="1",
        ),
        CSV,
    )
    assert rows == [
        ["agreement", "organization", "role"],
        ["pact", "park", "signatory"],
    ]

    upload = as_file(
        [rows[0], ["pact", "park", "signatory"], ["pact", "uni", "witness"]], CSV
    )
    response = preview(admin_client, Agreement, upload, resource="1")
    assert [row.import_type for row in response.context["result"].rows] == [
        "skip",
        "new",
    ]
    confirm(admin_client, Agreement, response)

    assert AgreementParty.objects.get(
        agreement__slug="pact", organization=uni
    ).role == ("witness")


# Who may import.


def test_viewers_may_export_but_not_import(client):
    """A viewer gets the export but is refused the import, by the server."""
    client.force_login(make_staff("viewer", Role.VIEWER))
    make_organization(slug="park")

    changelist = client.get(url(Organization, "changelist")).content.decode()
    assert "export/" in changelist and "import/" not in changelist
    assert client.get(url(Organization, "import")).status_code == 403
    assert preview(client, Organization, three_rows(CSV)).status_code == 403
    assert client.post(url(Organization, "process_import"), {}).status_code == 403
    assert read_rows(export(client, Organization), CSV)[1][0] == "park"
    assert Organization.objects.count() == 1


def test_a_district_editor_may_not_import_into_another_district(
    client, qingpu, wujiang
):
    """Rows adding, changing or moving a record outside their districts fail."""
    client.force_login(make_staff("qingpu-editor", Role.DISTRICT_EDITOR, [qingpu]))
    make_organization(slug="theirs", name_en="Theirs", name_zh="", district=wujiang)
    make_organization(slug="ours", name_en="Ours", name_zh="", district=qingpu)
    make_organization(slug="left-alone", name_en="Left", name_zh="", district=wujiang)
    upload = as_file(
        [
            ["slug", "name_en", "name_zh", "kind", "district"],
            ["theirs", "Renamed", "", "company", "wujiang"],
            ["ours", "Ours", "", "company", "wujiang"],
            ["new-there", "New", "", "company", "wujiang"],
            ["new-here", "New here", "", "company", "qingpu"],
            ["left-alone", "Left", "", "company", "wujiang"],
        ],
        CSV,
    )

    response = preview(client, Organization, upload)

    refused = "District wujiang is not one of yours."
    assert error_cells(response) == {
        (2, "district", refused),
        (3, "district", refused),
        (4, "district", refused),
    }
    assert row_types(response) == {"New here": "new", "Left": "skip"}
    assert "confirm_form" not in response.context


# What an import sets besides the columns.


def test_an_import_records_who_published_and_outdates_open_forms(
    admin_client, admin_user
):
    """Publishing by import stamps who and when, and raises the edit version."""
    draft = make_organization(
        slug="draft",
        name_en="Draft",
        name_zh="",
        publication_status=PublicationStatus.DRAFT,
    )
    draft.sources.add(make_source())
    upload = as_file(
        [
            ["slug", "name_en", "kind", "publication_status"],
            ["draft", "Draft", "company", "published"],
        ],
        CSV,
    )

    confirm(admin_client, Organization, preview(admin_client, Organization, upload))

    draft.refresh_from_db()
    assert draft.publication_status == PublicationStatus.PUBLISHED
    assert draft.publication_changed_by == admin_user
    assert timezone.now() - draft.publication_changed_at < datetime.timedelta(minutes=1)
    assert draft.version == 2


# Formulas -------------------------------------------------------------------

FORMULA = "=cmd|' /C calc'!A0"


def test_a_staff_csv_export_marks_a_formula_as_text(admin_client):
    """A name that starts like a formula reaches the CSV behind an apostrophe."""
    make_project(name_en=FORMULA, name_zh="+1", slug="formula")

    rows = read_rows(export(admin_client, Project, CSV), CSV)
    header, row = rows[0], rows[1]

    assert row[header.index("name_en")] == "'" + FORMULA
    assert row[header.index("name_zh")] == "'+1"


def test_a_staff_xlsx_export_writes_a_formula_as_text(admin_client):
    """The XLSX cell holds the characters as text: nothing runs when it opens."""
    make_project(name_en=FORMULA, slug="formula")

    response = export(admin_client, Project, XLSX)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("name_en") + 1)

    assert cell.data_type == "s"
    assert cell.value == FORMULA


@pytest.mark.parametrize("file_format", FORMATS)
def test_an_export_with_formulas_imports_back_unchanged(admin_client, file_format):
    """Guarding a formula on export is undone on import: nothing changes."""
    make_project(name_en=FORMULA, name_zh="-3 dB", slug="formula")
    response = export(admin_client, Project, file_format)
    extension = "csv" if file_format == CSV else "xlsx"
    upload = SimpleUploadedFile(f"projects.{extension}", response.content)

    result = preview(admin_client, Project, upload)

    assert row_types(result) == {FORMULA: "skip"}
