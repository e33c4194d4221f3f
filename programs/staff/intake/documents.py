"""A report's file or pasted text, as plain text, or one clear line why not."""

import io
import zipfile

from bs4 import BeautifulSoup
from django.utils.translation import gettext as _

# Reports are a few pages; a bigger file is not one report.
MAX_BYTES = 2 * 1024 * 1024
# The kinds of file staff receive reports as.
EXTENSIONS = (".txt", ".html", ".htm", ".docx")
# Tags whose text is not the report's.
NOT_TEXT = ["script", "style", "noscript", "template", "head", "nav", "footer"]
# Tags that end a paragraph, so that the text keeps the report's paragraphs.
BLOCKS = ["p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section"]


class IntakeError(ValueError):
    """A report that cannot be read; its message says why, in one line."""


def read_document(filename, data):
    """Return the text of a report file named ``filename`` holding ``data``."""
    if len(data) > MAX_BYTES:
        raise IntakeError(
            _("%(name)s is over 2 MB: a report is a few pages.") % {"name": filename}
        )
    if not data.strip():
        raise IntakeError(_("%(name)s is empty.") % {"name": filename})
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == ".docx":
        text = _docx_text(filename, data)
    elif extension in (".html", ".htm"):
        text = html_text(_decoded(filename, data))
    elif extension in (".txt", ""):
        text = _decoded(filename, data)
    else:
        raise IntakeError(
            _("%(name)s is not a .txt, .html or .docx file.") % {"name": filename}
        )
    return checked_text(text, filename)


def checked_text(text, where):
    """Return pasted or read ``text`` normalised, or refuse it if it holds none."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    if not text.strip():
        raise IntakeError(_("%(name)s holds no text.") % {"name": where})
    if len(text.encode()) > MAX_BYTES:
        raise IntakeError(
            _("%(name)s is over 2 MB: a report is a few pages.") % {"name": where}
        )
    return text.strip()


def html_text(html):
    """Return the visible text of ``html``, a paragraph per block."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(NOT_TEXT):
        tag.decompose()
    for tag in soup.find_all(BLOCKS):
        tag.insert_after("\n\n")
    return soup.get_text()


def _decoded(filename, data):
    if b"\x00" in data[:8192]:
        raise IntakeError(
            _("%(name)s is a binary file, not text.") % {"name": filename}
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IntakeError(
        _("%(name)s is neither UTF-8 nor GB18030 text.") % {"name": filename}
    )


def _docx_text(filename, data):
    # python-docx reads Word's own format; a renamed or damaged file fails
    # in several ways, all of which mean the same to staff.
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise IntakeError(
            _("%(name)s cannot be read as a Word document (.docx).")
            % {"name": filename}
        ) from error
    return "\n\n".join(paragraph.text for paragraph in document.paragraphs)
