"""The Chinese catalogue is complete and compiled.

These tests run Django's `makemessages` on a copy of the code, so a string
added to a template or module without a Chinese translation fails here, as
does a `.po` edited without recompiling its `.mo`.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "programs" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")


def _require_gettext():
    if shutil.which("xgettext") and shutil.which("msgfmt"):
        return
    reason = "GNU gettext is not installed: apt-get install gettext"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI=1 requires the catalogue tests to run)")
    pytest.skip(reason)


def _translations(entries):
    """Map each message (with its context and plural) to its translations."""
    table = {}
    for entry in entries:
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
        if entry.msgid_plural:
            table[key] = tuple(
                entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)
            )
        else:
            table[key] = (entry.msgstr,)
    return table


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Return the catalogue makemessages builds from the code as it is now."""
    _require_gettext()
    copy = tmp_path_factory.mktemp("project")
    for name in ("manage.py", "talentzone", "programs", "templates"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("*.mo"))
        else:
            shutil.copy(source, copy / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans"]
        + ["--no-location", "--no-obsolete", "--ignore", ".venv"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_DEBUG": "1"},
    )
    return polib.pofile(
        str(copy / "programs" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    )


def test_every_string_in_the_code_has_a_chinese_translation(extracted):
    """No template or Python string is missing from, or untranslated in, the .po."""
    committed = {
        key: value
        for key, value in _translations(polib.pofile(str(CATALOGUE))).items()
        if all(value)
    }
    fuzzy = {e.msgid for e in polib.pofile(str(CATALOGUE)) if e.fuzzy}
    missing = [
        key[1]
        for key in _translations(extracted)
        if key not in committed or key[1] in fuzzy
    ]
    assert missing == [], f"{len(missing)} strings lack a Chinese translation"


def test_the_catalogue_is_well_formed():
    """msgfmt accepts the catalogue, placeholders included."""
    _require_gettext()
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file", os.devnull, str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_compiled_catalogue_matches_the_po():
    """The committed .mo holds exactly the .po's translations: it is not stale."""
    po = polib.pofile(str(CATALOGUE))
    expected = _translations(e for e in po.translated_entries() if not e.fuzzy)
    compiled = _translations(e for e in polib.mofile(str(COMPILED)) if e.msgid)
    assert compiled == expected


def test_every_template_with_messages_is_one_makemessages_reads():
    """makemessages reads .html and .txt templates only: a message in any
    other template (an .svg, say) would never reach the catalogue."""
    unread = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
        and path.suffix not in {".html", ".txt"}
        and "translate" in path.read_text(encoding="utf-8", errors="ignore")
    ]
    assert not unread
