"""
What every spreadsheet this site writes must respect: a cell that starts like
a formula is text, never a formula that runs when the file is opened (OWASP,
"CSV Injection"). The public exports (``programs.site.exports``) and the
staff's (``programs.staff.admin.importing``) both write through this.
"""

# Spreadsheets run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A leading apostrophe makes a spreadsheet show the rest as text.
TEXT_MARK = "'"


def guarded(text):
    """Return ``text`` so that no spreadsheet runs it as a formula."""
    if text.startswith(FORMULA_STARTS):
        return TEXT_MARK + text
    return text


def unguarded(text):
    """Return ``text`` as it was before ``guarded()``: an import reads back
    exactly what an export wrote."""
    if text.startswith(TEXT_MARK) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
