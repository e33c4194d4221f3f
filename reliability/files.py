"""
Hostile files for the staff import: a zip bomb, a huge CSV, too many rows.

Each is what a careless or malicious upload looks like, not a valid import:
the app must refuse all three before reading them into memory.
"""

import zipfile

# The columns of a project row that the import knows
# (programs/staff/resources.py): a slug, a name and a kind are enough.
PROJECT_HEADER = "slug,name_en,kind\n"

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels"
 ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="projects" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
</Relationships>"""
_ROW = b'<row><c t="inlineStr"><is><t>chaos</t></is></c></row>'


def zip_bomb(path, unpacked_bytes=1_000_000_000):
    """Write an .xlsx whose one sheet unpacks to ``unpacked_bytes`` of XML.

    The same row over and over deflates about 350-fold: 1 GB of sheet is a
    file of about 3 MB, under the 5 MB upload limit, so only the check of
    what the file unpacks to stands between it and a worker's memory.
    """
    rows = _ROW * (1_048_576 // len(_ROW))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet><sheetData>'
            )
            written = 0
            while written < unpacked_bytes:
                sheet.write(rows)
                written += len(rows)
            sheet.write(b"</sheetData></worksheet>")


def huge_csv(size_bytes=60_000_000):
    """Return a CSV of project rows about ``size_bytes`` long."""
    row = f"chaos-huge,{'Chaos ' * 20},other\n"
    return (PROJECT_HEADER + row * (size_bytes // len(row))).encode()


def many_rows_csv(rows=20_000):
    """Return a CSV of ``rows`` short project rows: well under the size limit."""
    lines = (f"chaos-{n},Chaos {n},other\n" for n in range(rows))
    return (PROJECT_HEADER + "".join(lines)).encode()
