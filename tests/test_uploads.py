"""Limits on imported files (programs/staff/uploads.py): refused before they
are read or stored, with what to do."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from import_export import tmp_storages

from programs.models import Organization
from programs.staff.resources import RecordResource

from .test_import_export import CSV, XLSX, as_file, preview

pytestmark = pytest.mark.django_db

HEADER = ["slug", "name_en", "kind", "publication_status"]


def organizations_csv(count, name="Firm"):
    rows = ([f"firm-{n}", f"{name} {n}", "company", "draft"] for n in range(count))
    return as_file([HEADER, *rows], CSV)


def test_a_file_over_the_size_limit_is_refused_unread(admin_client, settings):
    """A file larger than DJANGO_IMPORT_MAX_MB is refused, saying the limit."""
    settings.IMPORT_MAX_BYTES = 1_000_000
    stored = []
    original = tmp_storages.CacheStorage.save
    tmp_storages.CacheStorage.save = lambda self, data: stored.append(data)
    try:
        big = organizations_csv(10_000, name="A firm with a long name " * 4)
        response = preview(admin_client, Organization, big)
    finally:
        tmp_storages.CacheStorage.save = original

    errors = response.context["form"].errors["import_file"]
    assert "the most an import takes is 1 MB" in errors[0]
    assert "confirm_form" not in response.context
    assert stored == []


def test_a_zip_bomb_workbook_is_refused_from_its_directory(admin_client, settings):
    """An XLSX whose parts unpack far beyond a sheet of records is refused."""
    settings.IMPORT_MAX_BYTES = 10_000  # so 200 kB unpacked is the most
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 2_000_000)
    bomb = SimpleUploadedFile("records.xlsx", content.getvalue())
    assert bomb.size < 10_000

    response = preview(admin_client, Organization, bomb)

    errors = response.context["form"].errors["import_file"]
    assert "would unpack to far more than a sheet of records" in errors[0]


@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_a_file_over_the_row_limit_is_refused_before_any_row_is_read(
    admin_client, settings, monkeypatch, file_format
):
    """More rows than DJANGO_IMPORT_MAX_ROWS: refused, saying how many, before a
    single row is imported (a 20,000-row file once went through every row)."""
    settings.IMPORT_MAX_ROWS = 3
    rows_read = []
    monkeypatch.setattr(
        RecordResource, "import_row", lambda self, *a, **k: rows_read.append(a)
    )
    upload = as_file(
        [HEADER, *([f"firm-{n}", "Firm", "company", "draft"] for n in range(4))],
        file_format,
    )

    response = preview(admin_client, Organization, upload)

    assert "This file has 4 rows; an import takes at most 3" in response.text
    assert rows_read == []
    assert not Organization.objects.exists()


def test_a_file_within_the_limits_is_previewed(admin_client, settings):
    """At the limits a file is read and previewed as ever."""
    settings.IMPORT_MAX_ROWS = 3

    for file_format in (CSV, XLSX):
        upload = as_file(
            [HEADER, *([f"firm-{n}", "Firm", "company", "draft"] for n in range(3))],
            file_format,
        )
        response = preview(admin_client, Organization, upload)
        assert "confirm_form" in response.context


def test_a_waiting_file_expires_within_the_hour(admin_client):
    """A previewed file waits in the cache an hour at most, not the library's day."""
    timeouts = []
    original = tmp_storages.cache.set

    def remember(key, value, timeout=None, **kwargs):
        timeouts.append(timeout)
        return original(key, value, timeout, **kwargs)

    tmp_storages.cache.set = remember
    try:
        preview(admin_client, Organization, organizations_csv(2))
    finally:
        tmp_storages.cache.set = original

    assert timeouts and all(timeout <= 3600 for timeout in timeouts)
