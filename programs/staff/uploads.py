"""
Limits on the files staff import, so that no file can take a worker down.

A 4 MB zip bomb of an XLSX (1.2 GB of sheet XML) once grew a worker to 1.1
GB until it was killed; a 60 MB CSV took 767 MB. Every upload is now checked
before it is read or stored anywhere:

- its size (``DJANGO_IMPORT_MAX_MB``, 5 by default);
- for an XLSX, which is a zip, what its parts would unpack to, read from the
  zip's directory without unpacking anything (``IMPORT_MAX_UNPACKED_BYTES``);
- its number of rows, once read (``DJANGO_IMPORT_MAX_ROWS``).

Each refusal says what the limit is and what to do. A file that passed, and
waits for its confirmation in the cache, expires there after an hour
(``ExpiringCacheStorage``) rather than the library's day.
"""

import zipfile

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from import_export.forms import ImportForm
from import_export.tmp_storages import CacheStorage

# An XLSX compresses its XML about tenfold; a sheet that unpacks to more than
# this many times the size limit is not a spreadsheet of records.
UNPACKED_RATIO = 20


def unpacked_limit():
    return settings.IMPORT_MAX_BYTES * UNPACKED_RATIO


class LimitedImportForm(ImportForm):
    """The import form, refusing a file too large to read safely."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "This file is %(size)s MB; the most an import takes is "
                    "%(limit)s MB. Split it into smaller files."
                )
                % {"size": _megabytes(upload.size), "limit": _megabytes(limit)}
            )
        if zipfile.is_zipfile(upload):
            unpacked = _unpacked_size(upload)
            if unpacked is None or unpacked > unpacked_limit():
                raise forms.ValidationError(
                    _(
                        "This workbook would unpack to far more than a sheet of "
                        "records: it is refused. Save the sheet again from "
                        "Excel, or as CSV UTF-8."
                    )
                )
        upload.seek(0)
        return upload


def _unpacked_size(upload):
    """Return what a zip's parts add up to unpacked, or None if unreadable."""
    try:
        with zipfile.ZipFile(upload) as archive:
            return sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)


class TooManyRows(ValueError):
    """A file with more rows than an import takes; its message says so."""


def refuse_too_many_rows(dataset):
    """Raise TooManyRows, in words, if ``dataset`` has more rows than allowed."""
    limit = settings.IMPORT_MAX_ROWS
    if dataset.height > limit:
        raise TooManyRows(
            _(
                "This file has %(rows)s rows; an import takes at most %(limit)s. "
                "Split it into smaller files."
            )
            % {"rows": dataset.height, "limit": limit}
        )


def _megabytes(size):
    return f"{size / 1_000_000:.1f}".removesuffix(".0")


class ExpiringCacheStorage(CacheStorage):
    """The shared cache a previewed file waits in: an hour, not a day."""

    CACHE_LIFETIME = 60 * 60
