"""
The bulk download's page, /data/, and its two files.

Both build the files first if an edit has made them stale
(``data_package.current_package``), so the page's dates and sizes are those
of the files its links give. The page is cached like any public page, under
the content version read before it was rendered, so the edit that makes its
files stale makes it stale too.
"""

import datetime
import os
from dataclasses import dataclass

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from . import data_package

CONTENT_TYPES = {"zip": "application/zip", "json": "application/json"}
CONTENTS = {
    "zip": _(
        "One CSV file per kind of record, and datapackage.json, which names "
        "the licence and the sources and describes every column "
        "(a Frictionless Data Package)."
    ),
    "json": _("The same records in one JSON file, with the same description."),
}


@dataclass(frozen=True)
class BuiltFile:
    """One file of the bulk download, as the page lists it."""

    file_format: str
    size: int
    built_at: datetime.datetime

    @property
    def name(self):
        return f"{data_package.NAME}.{self.file_format}"

    @property
    def url(self):
        return reverse(f"programs:data-{self.file_format}")

    @property
    def contents(self):
        return CONTENTS[self.file_format]


def built_file(package, file_format):
    stat = package.path(file_format).stat()
    return BuiltFile(file_format, stat.st_size, modified_at(stat))


def modified_at(stat):
    return datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.UTC)


class DataView(TemplateView):
    """List the bulk download's files, with when they were built and their size."""

    template_name = "programs/data.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            files = self.built_files()
        except FileNotFoundError:
            # A rebuild replaced them between the check and the reading.
            files = self.built_files()
        context["files"] = files
        context["licence"] = data_package.data_licence()
        return context

    def built_files(self):
        package = data_package.current_package()
        return [built_file(package, f) for f in data_package.FORMATS]


def download(request, file_format):
    """Send the current ``file_format`` file, rebuilt first if it was stale."""
    package, opened = data_package.open_current(file_format)
    stat = os.fstat(opened.fileno())
    built_at = modified_at(stat)
    filename = f"{data_package.NAME}-{timezone.localdate(built_at):%Y-%m-%d}"
    response = FileResponse(
        opened,
        as_attachment=True,
        filename=f"{filename}.{file_format}",
        content_type=CONTENT_TYPES[file_format],
    )
    # A new version or a new build is a new file.
    etag = f'"{package.version}-{stat.st_mtime_ns}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stat.st_mtime)
    # Browsers ask each time (a 304 costs one query) rather than keep a file
    # that an edit has since made stale.
    patch_cache_control(response, no_cache=True)
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(stat.st_mtime), response=response
    )
    if conditional is not response:
        # The file only: HttpResponse.close() would also send request_finished
        # in the middle of this request, closing its database connection.
        opened.close()
    return conditional
