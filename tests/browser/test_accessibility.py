"""axe-core finds no accessibility violation on any public page.

At a desktop width and a narrow phone's, in both languages, on the seeded
site. axe-core comes bundled in the axe-playwright-python package and is
evaluated in the page through the browser's debugging protocol, so the
site's Content-Security-Policy (no inline or third-party scripts) stays on.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from ..public_pages import LANGUAGE_PREFIXES, public_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1280, "phone": 360}
# The WCAG 2.1 A and AA rules, which the site holds itself to.
RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_no_axe_violations_on_any_public_page(page, width):
    """Every public page, in both languages, has no WCAG A/AA violation."""
    call_command("load_seeds", verbosity=0)
    page.set_viewport_size({"width": width, "height": 800})
    axe = Axe()
    found = {}
    for prefix in LANGUAGE_PREFIXES:
        for path in public_paths():
            page.goto(prefix + path)
            results = axe.run(page, options=RULES)
            violations = results.response["violations"]
            if violations:
                found[prefix + path] = [
                    f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
                    f"{v['nodes'][0]['target']})"
                    for v in violations
                ]
    assert not found, found
