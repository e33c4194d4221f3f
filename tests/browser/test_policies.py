"""The Content-Security-Policy and Permissions-Policy hold in a real browser.

Every page of the site and of the admin that a visitor or staff member opens
is loaded in Chromium with the policies the server sends, and the test fails
on anything the browser refuses (a ``securitypolicyviolation`` event) or logs
as an error, such as a Permissions-Policy feature it does not know.
"""

import pytest
from django.urls import reverse

from programs.kinds import KINDS

from .. import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-enough-password-1"

# Installed before any page script runs, in every page and frame.
WATCH_VIOLATIONS = """
window.policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.policyViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}` +
    ` at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Watcher:
    """Collect what the browser refused or complained about, page by page."""

    def __init__(self, page):
        self.page = page
        self.errors = []
        page.on("console", self._console)
        page.context.add_init_script(WATCH_VIOLATIONS)

    def _console(self, message):
        # A 404 page's own status is logged as an error; its resources' are not
        # excused, since they are at other addresses.
        own_status = (
            message.text.startswith("Failed to load resource")
            and message.location.get("url") == self.page.url
        )
        if message.type == "error" and not own_status:
            self.errors.append(f"{self.page.url}: {message.text}")

    def visit(self, path):
        response = self.page.goto(path)
        assert response.status < 500, path
        return response

    def problems(self):
        """Return the violations of the current page and every console error."""
        found = [
            f"{self.page.url}: {violation}"
            for violation in self.page.evaluate("window.policyViolations")
        ]
        return found + self.errors

    def check(self, path):
        """Open ``path`` and fail on any violation or error."""
        self.visit(path)
        assert self.problems() == []


@pytest.fixture
def watcher(page):
    return Watcher(page)


@pytest.fixture
def records():
    """One published record of each kind, with an announced figure."""
    made = {kind.key: f.make_of_kind(kind) for kind in KINDS}
    f.make_figure(source=made["source"])
    return made


def public_paths(records):
    paths = ["/", "/stats/", "/search/?q=project", "/data/", "/no-such-page/"]
    for kind in KINDS:
        paths.append(reverse(kind.list_url_name))
        paths.append(records[kind.key].get_absolute_url())
    return paths + [f"/zh-hans{path}" for path in paths]


def test_public_pages_break_neither_policy(watcher, records):
    """Every kind's list and detail page, home, stats, search and a 404, in
    both languages: the strict policy refuses nothing they do."""
    response = watcher.visit("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    for path in public_paths(records):
        watcher.check(path)


def test_the_api_docs_break_neither_policy(watcher, records):
    """The API's docs page, with every asset served here, renders the schema
    within the strict policy."""
    watcher.check("/api/docs/")
    watcher.page.get_by_text("/api/v1/projects/").first.wait_for()
    assert watcher.problems() == []


def test_the_admin_breaks_neither_policy(watcher, records):
    """Signing in, the index, a list, the add and change forms with their
    widgets, history, import, export with its select-all box, and the language
    switch: the admin lives within the same strict policy."""
    boss = f.make_staff("chief", is_superuser=True)
    boss.set_password(PASSWORD)
    boss.save()
    page = watcher.page
    watcher.check(reverse("admin:login"))
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    assert watcher.problems() == []

    project = records["project"]
    for path in [
        reverse("admin:index"),
        reverse("admin:programs_project_changelist"),
        reverse("admin:programs_project_changelist") + "?q=project",
        reverse("admin:programs_agreement_add"),
        reverse("admin:programs_project_change", args=[project.pk]),
        reverse("admin:programs_project_history", args=[project.pk]),
        reverse("admin:programs_project_import"),
        reverse("admin:password_change"),
    ]:
        watcher.check(path)

    watcher.check(reverse("admin:programs_project_export"))
    select_all = page.get_by_label("Select all")
    select_all.uncheck()
    assert not page.locator("input[type=checkbox][name*=name_en]").first.is_checked()
    assert watcher.problems() == []

    watcher.visit(reverse("admin:index"))
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert watcher.problems() == []


def test_the_watcher_sees_a_violation(watcher, records):
    """The checks above can fail: an inline style attribute, as an injected
    payload would add, is refused and reported."""
    watcher.visit("/")
    watcher.page.evaluate("document.body.setAttribute('style', 'color: red')")
    watcher.page.wait_for_function("window.policyViolations.length > 0")
    assert "style-src-attr" in watcher.problems()[0]
