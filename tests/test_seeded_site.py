"""The facts of the 2023-06-16 report, as a visitor sees them on the site."""

import gzip
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

AGREEMENT = "/agreements/sast-qingpu-strategic-cooperation-2023/"


@pytest.fixture(autouse=True)
def seeded():
    call_command("load_seeds", stdout=StringIO())


def page(client, path, **query):
    response = client.get(path, query)
    assert response.status_code == 200, path
    return response.text


def test_home_sets_each_announced_figure_beside_the_records_on_file(client):
    """The home page shows Qingpu's five figures against what is on record."""
    text = page(client, reverse("programs:home"))
    assert "<strong>8</strong> announced, <strong>1</strong> on record" in text
    assert (
        "<strong>more than 40</strong> announced, <strong>0</strong> on record" in text
    )
    assert "<strong>4</strong> announced, <strong>0</strong> on record" in text
    assert text.count("<strong>3</strong> announced, <strong>0</strong> on record") == 2
    for district in ("Qingpu District", "Wujiang District", "Jiashan County"):
        assert district in text
    chinese = page(client, "/zh-hans/")
    for district in ("青浦区", "吴江区", "嘉善县"):
        assert district in chinese


def test_agreement_page_shows_who_signed_when_and_on_what(client):
    """The agreement page shows both signatories, the date and the four areas."""
    text = page(client, AGREEMENT)
    assert "2023-06-15" in text
    assert "Shanghai Association for Science and Technology" in text
    assert "上海市科学技术协会" in page(client, f"/zh-hans{AGREEMENT}")
    assert "Qingpu District Government" in text
    assert text.count("— Signatory") == 2
    assert text.count("<li>", text.index("Areas of cooperation")) >= 4
    assert "Academician workstation upgrade" in text


def test_source_page_cites_its_outlet_and_link(client):
    """The source is cited with its date, outlet and a link to the original."""
    text = page(client, "/sources/2023-06-16-sast-qingpu-cooperation/")
    assert "2023-06-16" in text
    assert "SHINE (Shanghai Daily)" in text
    assert 'href="https://www.shine.cn/news/metro/2306163885/"' in text
    assert "Records drawn from this source" in text


def test_unnamed_people_are_counts_not_records(client):
    """The experts and entrepreneurs the report counts are not listed as people."""
    for name in ("programs:expert-list", "programs:entrepreneur-list"):
        assert "0 matches" in page(client, reverse(name))
    assert "0 matches" in page(client, reverse("programs:workstation-list"))


def test_empty_lists_say_what_the_report_announces(client):
    """Lists with nothing named on file give the figures the report announces."""
    expected = {
        "programs:expert-list": "Sources announce 4 experts appointed on",
        "programs:entrepreneur-list": "Sources announce 3 overseas entrepreneurs",
        "programs:workstation-list": (
            "Sources announce more than 40 academician workstations as of"
        ),
    }
    for name, sentence in expected.items():
        text = page(client, reverse(name))
        assert "None is named on file yet, but sources announce" in text
        assert sentence in text
        assert "none is named on file yet." in text
        assert 'href="/sources/2023-06-16-sast-qingpu-cooperation/#figure-' in text


def test_search_finds_qingpu_in_both_languages(client):
    """Searching organizations for 青浦 or qingpu finds the same three.

    Two by name; SAST by its summary, which names the Qingpu government.
    """
    english = page(client, reverse("programs:organization-list"), q="qingpu")
    chinese = page(client, reverse("programs:organization-list"), q="青浦")
    for text in (english, chinese):
        assert "3 matches" in text
        assert "Shanghai Qingpu Industrial Park" in text
        assert "Shanghai Association for Science and Technology" in text


def test_project_filter_by_district_and_year(client):
    """Qingpu's projects of 2023 are the workstation upgrade alone."""
    text = page(client, reverse("programs:project-list"), district="qingpu", year=2023)
    assert "1 match" in text
    assert "Academician workstation upgrade" in text


@pytest.mark.parametrize("home", ["/", "/zh-hans/"])
def test_home_page_html_and_css_stay_under_50_kb_compressed(client, home):
    """The home page and its stylesheet together weigh under 50 KB gzipped."""
    html = client.get(home).content
    css = (settings.BASE_DIR / "programs/static/programs/site.css").read_bytes()
    assert len(gzip.compress(html)) + len(gzip.compress(css)) < 50_000


def test_facts_and_figures_cite_the_paragraphs_they_stand_in(client):
    """The agreement cites paragraph 3; the workstations figure paragraph 6."""
    agreement = page(client, "/agreements/sast-qingpu-strategic-cooperation-2023/")
    assert "paragraph 3" in agreement
    workstations = page(client, reverse("programs:workstation-list"))
    assert "paragraph 6" in workstations
    chinese = page(
        client, "/zh-hans/agreements/sast-qingpu-strategic-cooperation-2023/"
    )
    assert "第 3 段" in chinese
