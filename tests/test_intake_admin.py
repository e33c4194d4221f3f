"""Add from a report in the admin (programs/staff/admin/intake.py).

The extractor is replaced by the hand-built report of test_intake_confirm,
so that these tests are about the pages: who may open them, in which
language, what they show and what confirming them does.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from programs.models import Agreement, Evidence, Organization, Role, Source
from programs.staff.admin import intake

from . import factories as f
from .test_intake_confirm import REPORT, as_post, counts, lakeside_report

pytestmark = pytest.mark.django_db

START = reverse("admin:programs_source_add_from_report")
CONFIRM = reverse("admin:programs_source_confirm_report")
CHANGELIST = reverse("admin:programs_source_changelist")


@pytest.fixture(autouse=True)
def extractor(monkeypatch):
    """Read every report as the hand-built Lakeside report (proposals the
    tests can count on), and note what the view passed on."""
    calls = []

    def propose(text, *, published_on=None, outlet="", url=""):
        calls.append({"text": text, "published_on": published_on, "outlet": outlet})
        proposals = lakeside_report()
        proposals.source.outlet = outlet
        return proposals

    monkeypatch.setattr(intake, "propose", propose)
    return calls


@pytest.fixture
def users(qingpu):
    """One user of each role that matters here."""
    return {
        "editor": f.make_staff("editor", Role.EDITOR),
        "district editor": f.make_staff("qp", Role.DISTRICT_EDITOR, districts=[qingpu]),
        "superuser": f.make_staff("root", is_superuser=True),
        "viewer": f.make_staff("viewer", Role.VIEWER),
    }


def in_language(user, language):
    """Return a client signed in as ``user``, reading the admin in ``language``."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def read(client, **fields):
    """Post step 1 with the report pasted; return the response (the review)."""
    data = {"text": REPORT, "outlet": "Lakeside Daily", "published_on": "2024-03-08"}
    return client.post(START, {**data, **fields})


def review_post(client, **changes):
    """Return the POST data of the review page ``client`` is shown, changed."""
    review = read(client).context["review"]
    return {**as_post(review), **changes}


# Who may use it, in which language -------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "district editor", "superuser"])
@pytest.mark.parametrize(
    "language, words",
    [("en", "Add from a report"), ("zh-hans", "从报道添加")],
)
def test_each_step_renders_for_those_who_may_add_sources(users, role, language, words):
    """The button, step 1 and the review page open for editors, district
    editors and superusers, in English and in Chinese."""
    client = in_language(users[role], language)

    listing = client.get(CHANGELIST)
    start = client.get(START)
    review = read(client)

    assert words in listing.text
    assert START in listing.text
    assert start.status_code == 200 and words in start.text
    assert review.status_code == 200
    assert review.context["review"].organizations.total_form_count() == 2


def test_a_viewer_is_refused(users):
    """A viewer may see sources, but not add from a report: 403, no button."""
    client = in_language(users["viewer"], "en")
    assert START not in client.get(CHANGELIST).text
    assert client.get(START).status_code == 403
    assert read(client).status_code == 403
    assert client.post(CONFIRM, {}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in():
    """Without signing in, the page is the admin's sign-in."""
    response = Client().get(START)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_posting_needs_the_csrf_token(users):
    """Every step is protected from cross-site posts."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["editor"])
    assert read(client).status_code == 403


# Step 1 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "is empty"),
        ("binary.txt", b"\x00\x01\x02binary", "binary"),
        ("broken.docx", b"PK not really a zip", "cannot be read"),
        ("big.txt", b"a" * (2 * 1024 * 1024 + 10), "over 2 MB"),
        ("picture.png", b"\x89PNG....", "not a .txt"),
    ],
)
def test_a_bad_upload_is_a_form_error_not_a_500(users, extractor, name, data, message):
    """A file that cannot be read as a report is refused on the form, saying why."""
    client = in_language(users["editor"], "en")
    response = client.post(START, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    assert extractor == []


def test_an_uploaded_text_file_is_read(users, extractor):
    """A .txt upload is read as the report's text."""
    client = in_language(users["editor"], "en")
    upload = SimpleUploadedFile("report.txt", REPORT.encode())
    response = client.post(START, {"file": upload})
    assert response.status_code == 200
    assert extractor[0]["text"] == REPORT


def test_nothing_pasted_or_both_is_a_form_error(users):
    """Step 1 asks for the text or a file, and not both."""
    client = in_language(users["editor"], "en")
    assert "Paste the report" in client.post(START, {"text": "  "}).text
    both = client.post(
        START, {"text": REPORT, "file": SimpleUploadedFile("r.txt", b"x")}
    )
    assert "not both" in both.text


# The review page -------------------------------------------------------------------


def test_the_review_marks_each_sentence_and_links_both_ways(users):
    """Each proposal's sentence is marked in the text and linked to its
    proposal, which links back; the report and evidence travel in the form."""
    text = read(in_language(users["editor"], "en")).text
    signing = REPORT.index("Harbour Bay University and")
    assert f'<mark id="sentence-{signing}">Harbour Bay University and' in text
    for anchor in ("organizations-0", "organizations-1", "agreements-0", "figures-0"):
        assert f'href="#{anchor}"' in text
        assert f'id="{anchor}"' in text
    assert f'href="#sentence-{signing}"' in text
    assert 'name="report-text"' in text
    assert 'name="organizations-0-sentence"' in text


def test_a_sum_of_money_is_among_the_other_numbers(users):
    """The 50 million yuan is listed apart, with no box to keep it."""
    text = read(in_language(users["editor"], "en")).text
    other = text[text.index("Other numbers") :]
    assert "50,000,000 CNY" in other
    assert not re.search(r'type="checkbox" name="figures-1-keep"', text)


def test_the_date_the_text_states_is_offered(users, extractor, monkeypatch):
    """With no date given, the date the report states is offered to check."""
    stated = datetime.date(2024, 3, 8)

    def propose(text, *, published_on=None, outlet="", url=""):
        proposals = lakeside_report()
        proposals.source.published_on = published_on or stated
        proposals.source.stated_date = stated
        return proposals

    monkeypatch.setattr(intake, "propose", propose)
    response = read(in_language(users["editor"], "en"), published_on="")
    assert "the report says it was published on 2024-03-08" in response.text
    assert response.context["review"].source["published_on"].value() == stated


# Confirming ------------------------------------------------------------------------


def test_confirming_creates_drafts_and_lists_them(users):
    """Confirming creates the drafts and opens the list of what was drawn
    from the report, with each record's paragraph and sentence."""
    client = in_language(users["editor"], "en")
    data = review_post(client, **{"organizations-1-name_en": "Lakeside Robotics"})
    response = client.post(CONFIRM, data, follow=True)

    source = Source.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:programs_source_from_report", args=[source.pk]
    )
    assert "Created as drafts" in response.text
    assert "Lakeside Robotics" in response.text
    assert Organization.objects.filter(name_en="Lakeside Robotics").exists()
    assert "Six key projects were launched at the signing." in response.text
    assert Evidence.objects.filter(source=source).count() == 4


def test_a_district_editor_outside_their_district_is_refused_on_the_page(
    users, wujiang
):
    """The refusal is a form error beside the district, and nothing is made."""
    client = in_language(users["district editor"], "en")
    data = review_post(client)
    before = counts()
    response = client.post(CONFIRM, data)
    assert response.status_code == 200
    assert "You may add records only in your districts (Qingpu District)" in (
        response.text
    )
    assert "Nothing has been created." in response.text
    assert counts() == before


def test_a_district_editor_in_their_district_confirms(users, qingpu):
    """A district editor who puts the records in their district creates them."""
    client = in_language(users["district editor"], "zh-hans")
    changes = {
        f"{section}-{i}-district": str(qingpu.pk)
        for section, n in (("organizations", 2), ("agreements", 1), ("figures", 1))
        for i in range(n)
    }
    response = client.post(CONFIRM, review_post(client, **changes))
    assert response.status_code == 302
    assert Agreement.objects.get().district == qingpu


def test_an_invalid_review_is_shown_again_with_its_marks(users):
    """A missing date is asked for on the page, which still marks the text."""
    client = in_language(users["editor"], "en")
    response = client.post(CONFIRM, review_post(client, **{"figures-0-as_of": ""}))
    assert response.status_code == 200
    assert "Give the date it holds for" in response.text
    assert "<mark id=" in response.text
    assert not Source.objects.exists()


def test_a_tampered_report_is_refused(users):
    """A review whose paragraphs were lost is refused, not half-read."""
    client = in_language(users["editor"], "en")
    response = client.post(CONFIRM, review_post(client, **{"report-paragraphs": "x"}))
    assert response.status_code == 200
    assert not Source.objects.exists()


def test_opening_the_confirmation_goes_back_to_the_start(users):
    """The confirmation is only ever posted; opened, it leads to step 1."""
    response = in_language(users["editor"], "en").get(CONFIRM)
    assert response.status_code == 302 and response["Location"] == START


def test_the_records_drawn_from_a_source_are_listed_for_viewers_too(users):
    """Anyone who may view sources sees what was drawn from one."""
    source = f.make_source()
    organization = f.make_organization(name_en="Harbour Bay University")
    Evidence.kept_for(organization, source, 2, "Harbour Bay University signed.")
    url = reverse("admin:programs_source_from_report", args=[source.pk])
    text = in_language(users["viewer"], "en").get(url).text
    assert "Harbour Bay University signed." in text
    assert reverse("admin:programs_organization_change", args=[organization.pk]) in (
        text
    )
