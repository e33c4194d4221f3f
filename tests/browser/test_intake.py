"""Add from a report, in Chromium: paste, review, untick, edit, confirm.

The report is a short one of our own, read by the real extractor; the page
is checked against the strict Content-Security-Policy as it is used.
"""

import pytest
from django.urls import reverse

from programs.models import (
    Agreement,
    AnnouncedFigure,
    Evidence,
    Organization,
    PublicationStatus,
    Role,
)

from .. import factories as f
from .test_policies import PASSWORD, Watcher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = """Riverside park signs with a university

Eastlake University and the Riverside Photonics Company signed a talent \
cooperation agreement on Tuesday.

Five key projects were launched at the signing. By the end of last year, the \
company had set up 12 academician workstations.

The company plans to spend 30 million yuan on housing for researchers."""


@pytest.fixture
def signed_in(page, staff_roles):
    """The page, signed in to the admin as an editor, watched for violations."""
    user = f.make_staff("editor", Role.EDITOR)
    user.set_password(PASSWORD)
    user.save()
    watcher = Watcher(page)
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return watcher


def test_a_report_becomes_reviewed_drafts_with_their_evidence(signed_in):
    """An editor pastes a report, unticks one figure, corrects a name and
    confirms; the drafts and the sentences they stand on are in the admin."""
    page = signed_in.page
    page.goto(reverse("admin:programs_source_changelist"))
    page.get_by_role("link", name="Add from a report").click()

    page.get_by_label("Text of the report").fill(REPORT)
    page.get_by_label("Outlet").fill("Riverside Weekly")
    page.get_by_label("Published on").fill("2024-05-10")
    page.get_by_role("button", name="Read the report").click()

    # The review: each proposal beside its sentence, marked in the text.
    page.get_by_role("heading", name="The report", exact=True).wait_for()
    assert page.locator(".intake-text mark").count() >= 3
    page.locator("#organizations-1 a[href^='#sentence-']").click()
    assert "#sentence-" in page.url
    assert "Other numbers" in page.content()

    page.locator("#id_figures-0-keep").uncheck()  # the five key projects
    page.locator("#id_organizations-1-name_en").fill("Riverside Photonics Co.")
    page.get_by_role("button", name="Create the drafts").click()

    # What was drawn from the report, each with its paragraph and sentence.
    page.get_by_text("Created as drafts").wait_for()
    drawn = page.locator("table.intake-drawn")
    for name in ("Eastlake University", "Riverside Photonics Co."):
        assert drawn.get_by_role("link", name=name).is_visible()
    assert drawn.get_by_text("By the end of last year").is_visible()
    assert signed_in.problems() == []

    page.goto(
        reverse("admin:programs_organization_changelist")
        + "?publication_status__exact=draft"
    )
    page.get_by_role("link", name="Riverside Photonics Co.").click()
    assert page.get_by_label("Publication status").input_value() == "draft"

    made = Organization.objects.get(name_en="Riverside Photonics Co.")
    assert made.publication_status == PublicationStatus.DRAFT
    assert made.evidence.get().paragraph == 2
    assert Agreement.objects.get().parties.count() == 2
    figure = AnnouncedFigure.objects.get()  # the unticked one was not made
    assert (figure.subject, figure.value) == ("workstations", 12)
    assert Evidence.objects.filter(source=figure.source).count() == 4
