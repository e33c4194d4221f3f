"""Stored content that must not break or subvert the site: control
characters, script links and long words (and the small leaks around them)."""

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Agreement
from programs.templatetags.programs import safe_link

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("https://www.shine.cn/news/", "https://www.shine.cn/news/"),
        ("http://example.org", "http://example.org"),
        ("mailto:office@example.org", "mailto:office@example.org"),
        ("javascript:alert(document.domain)", ""),
        ("  JavaScript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("vbscript:msgbox(1)", ""),
        ("www.example.org", ""),
    ],
)
def test_only_web_and_mail_links_are_rendered(address, shown):
    """A link is rendered only for http(s) and mailto, whatever is stored."""
    assert safe_link(address) == shown


def test_a_script_address_never_becomes_a_link(client):
    """A javascript: website or source link, loaded past validation, is no link."""
    organization = f.make_organization(website="javascript:alert(document.domain)")
    source = f.make_source(url="javascript:alert(1)")
    organization.sources.add(source)

    for url in (organization.get_absolute_url(), source.get_absolute_url()):
        page = client.get(url).text
        assert 'href="javascript:' not in page


@pytest.mark.parametrize("text", ["A\x0bB", "Line\x0cfeed", "Null\x00byte"])
def test_a_control_character_is_refused_with_a_reason(text):
    """Word's Shift+Enter (\\x0b) and its kin cannot be saved into a record."""
    agreement = f.make_agreement()
    agreement.name_en = text

    with pytest.raises(ValidationError) as refused:
        agreement.full_clean()

    assert "control character" in refused.value.message_dict["name_en"][0]


def test_tabs_and_line_breaks_are_text_not_control_characters():
    """The ordinary white space of a summary is accepted."""
    agreement = f.make_agreement(summary_en="One\nTwo\r\nThree\tfour")
    agreement.full_clean()


def test_a_feed_survives_a_control_character_stored_before_the_rule(client):
    """A record saved with \\x0b (say, by a fixture) still leaves the feed valid."""
    agreement = f.make_agreement(summary_en="First\x0bsecond")
    Agreement.objects.filter(pk=agreement.pk).update(name_en="A\x0bB")

    response = client.get(reverse("programs:agreement-feed"))

    assert response.status_code == 200
    assert "A B" in response.content.decode()


def test_search_is_not_in_the_sitemap(client):
    """Search pages are noindex, so the sitemap does not offer them."""
    assert "/search/" not in client.get("/sitemap.xml").content.decode()


def test_a_missing_page_names_no_canonical_address(client):
    """A 404 is not offered as the canonical page of its own address."""
    page = client.get("/projects/no-such-project/")

    assert page.status_code == 404
    assert 'rel="canonical"' not in page.text
    assert '<meta name="robots" content="noindex">' in page.text


def test_long_words_wrap_instead_of_widening_the_page():
    """The stylesheet wraps long unbroken text in the page's main parts."""
    with open(finders.find("programs/site.css"), encoding="utf-8") as stylesheet:
        css = stylesheet.read()

    assert "main, header, footer { overflow-wrap: anywhere; }" in css
