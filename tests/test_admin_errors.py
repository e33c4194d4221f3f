"""Errors in the admin said plainly: refusals (403), unreadable imports, labels."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs.models import Organization, Project, Role
from programs.staff.denied import permission_denied
from tests.factories import (
    client_of,
    make_district,
    make_organization,
    make_project,
    make_staff,
)

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # the import and export forms' format choices


def admin_url(model, view, *args):
    return reverse(f"admin:programs_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def qingpu_editor_client(qingpu):
    return client_of(make_staff("wang", Role.DISTRICT_EDITOR, [qingpu]))


# Refusals: the 403 page.


@pytest.mark.parametrize(
    ("method", "view"), [("post", "change"), ("get", "delete"), ("post", "delete")]
)
def test_another_districts_record_is_refused_in_the_admins_look(
    qingpu_editor_client, wujiang, method, view
):
    """Changing or deleting a Wujiang project as Qingpu's editor answers 403 with an
    admin page that says so, and what a Qingpu district editor may do."""
    project = make_project(district=wujiang)

    response = getattr(qingpu_editor_client, method)(
        admin_url(Project, view, project.pk),
        {"post": "yes"} if method == "post" else {},
    )

    text = response.content.decode()
    assert response.status_code == 403
    assert [t.name for t in response.templates][0] == "admin/403.html"
    assert str(admin.site.site_header) in text
    assert "<h1>You may not do this</h1>" in text
    assert "Role: District editor · Qingpu District" in text
    assert "the records of Qingpu District" in text
    assert Project.objects.filter(pk=project.pk).exists()


def test_a_viewer_is_told_that_viewers_change_nothing(client):
    """A viewer refused the import page reads what viewers may do."""
    client.force_login(make_staff("li", Role.VIEWER))

    response = client.get(admin_url(Organization, "import"))

    assert response.status_code == 403
    assert "As a viewer, you may see every record" in response.content.decode()


def test_the_public_403_page_is_in_the_sites_look(rf):
    """Outside the admin, a refusal renders 403.html, a page of the public site."""
    request = rf.get("/")
    request.user = AnonymousUser()

    response = permission_denied(request, PermissionDenied())

    text = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in text
    assert 'class="site-header"' in text
    assert "You may not do this" not in text


# Imports of files that cannot be read.


def upload(client, content, name, file_format):
    return client.post(
        admin_url(Organization, "import"),
        {
            "resource": "0",
            "format": file_format,
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def gbk_csv():
    """Return a CSV file as Excel's plain "CSV" writes it on a Chinese Windows."""
    text = io.StringIO()
    csv.writer(text).writerows([["slug", "name_en", "name_zh"], ["a", "A", "青浦区"]])
    return text.getvalue().encode("gbk")


@pytest.mark.parametrize(
    ("content", "name", "file_format", "message"),
    [
        (
            gbk_csv(),
            "records.csv",
            CSV,
            "This file is not UTF-8 text. In Excel, save it as “CSV UTF-8 "
            "(Comma delimited)”, then upload it again.",
        ),
        (
            b"not a workbook",
            "records.xlsx",
            XLSX,
            "This file could not be read as an Excel workbook (.xlsx).",
        ),
    ],
    ids=["csv-not-utf-8", "xlsx-unreadable"],
)
def test_an_unreadable_file_says_what_to_do_and_keeps_the_columns(
    admin_client, content, name, file_format, message
):
    """A file that cannot be read is answered with what to do, not an exception's
    name, and the page still lists the columns to import."""
    response = upload(admin_client, content, name, file_format)

    text = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [message]
    assert "encountered" not in text
    assert "This importer will import the following fields" in text
    [(resource, columns)] = response.context["fields_list"]
    assert resource == "Organizations"
    assert columns[:3] == ["slug", "name_en", "name_zh"]
    assert "<code>slug, name_en, name_zh" in text
    assert not Organization.objects.exists()


# The export form's labels.


def test_export_form_labels_columns_by_verbose_name(admin_client):
    """The export form offers "Name (English)", not the library's "Name En"."""
    form = admin_client.get(admin_url(Organization, "export")).context["form"]

    labels = {
        name.removeprefix("organizationresource_"): field.label
        for name, field in form.fields.items()
        if getattr(field, "is_selectable_field", False)
    }

    assert labels["name_en"] == "Name (English)"
    assert labels["slug"] == "Slug"
    assert "Name En" not in labels.values()


def test_exported_headers_stay_field_names(admin_client):
    """The file's header row keeps the field names, so that an export imports back."""
    make_organization(slug="sast")
    form = admin_client.get(admin_url(Organization, "export")).context["form"]
    data = {
        name: "on"
        for name, field in form.fields.items()
        if getattr(field, "is_selectable_field", False)
    }

    response = admin_client.post(
        admin_url(Organization, "export"), data | {"format": CSV, "resource": "0"}
    )

    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:3] == ["slug", "name_en", "name_zh"]


def test_another_districts_record_opens_read_only_and_says_why(client):
    """A Qingpu editor opening a Wujiang record is told why it is read-only."""
    qingpu, wujiang = make_district(slug="qingpu"), make_district(slug="wujiang")
    client.force_login(make_staff("qingpu-editor", Role.DISTRICT_EDITOR, [qingpu]))
    theirs = make_project(district=wujiang)

    response = client.get(reverse("admin:programs_project_change", args=[theirs.pk]))

    assert response.status_code == 200
    assert "You can see this record but not change it." in response.text
    assert qingpu.name in response.text
