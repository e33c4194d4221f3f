"""Every public page is well-formed HTML, in both languages."""

import html5lib
import pytest
from django.core.management import call_command

from .public_pages import LANGUAGE_PREFIXES, public_paths

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("load_seeds", verbosity=0)


def test_every_public_page_parses_without_errors(client, seeded):
    """A strict HTML parser finds no error on any public page in either language."""
    checked = 0
    for prefix in LANGUAGE_PREFIXES:
        for path in public_paths():
            response = client.get(prefix + path)
            assert response.status_code == 200, prefix + path
            parser = html5lib.HTMLParser(strict=False)
            parser.parse(response.content)
            errors = [
                f"line {line}, column {column}: {code} {details or ''}"
                for (line, column), code, details in parser.errors
            ]
            assert not errors, f"{prefix + path}: {errors}"
            checked += 1
    assert checked >= 2 * 16
