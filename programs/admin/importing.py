"""Spreadsheet import (with a preview) and export of every kind of record."""


class RecordImportExportAdmin:
    """CSV and XLSX import and export, rows matched by slug."""
