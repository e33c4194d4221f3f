"""What a visitor does on the public site, in a real browser."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .. import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone():
    """Two districts, 30 projects in Qingpu and 3 in Wujiang, and an agreement."""
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu District", name_zh="青浦区")
    wujiang = f.make_district(
        slug="wujiang", name_en="Wujiang District", name_zh="吴江区"
    )
    for n in range(30):
        f.make_project(
            name_en=f"Qingpu talent project {n:02}",
            name_zh=f"青浦人才项目{n:02}",
            district=qingpu,
            announced_on=f"2023-06-{n % 28 + 1:02}",
        )
    for n in range(3):
        f.make_project(name_en=f"Wujiang project {n}", district=wujiang)
    f.make_agreement(
        name_en="SAST-Qingpu cooperation agreement",
        name_zh="上海市科协与青浦区战略合作协议",
        district=qingpu,
        signed_on="2023-06-15",
    )
    return {"qingpu": qingpu, "wujiang": wujiang}


def test_filtering_and_paging_a_list_keeps_the_filter(page, zone):
    """A visitor filters projects by district, then pages through the matches."""
    page.goto("/projects/")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*33 matches"))
    page.get_by_label("District").select_option("qingpu")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*30 matches"))
    assert "district=qingpu" in page.url
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert "district=qingpu" in page.url
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("tbody")).not_to_contain_text("Wujiang")


def test_search_finds_records_in_both_languages(page, zone):
    """The header search box finds records by Chinese and English substrings."""
    page.goto("/")
    search = page.get_by_role("search").get_by_role("searchbox")
    search.fill("青浦")
    search.press("Enter")
    projects = page.get_by_role("region", name=re.compile("^Projects"))
    expect(projects).to_contain_text("(30)")
    expect(projects.locator("mark").first).to_have_text("青浦")
    projects.get_by_role("link", name=re.compile("See all 30")).click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*30 matches"))

    page.goto("/zh-hans/")
    search = page.get_by_role("search").get_by_role("searchbox")
    search.fill("cooperation")
    search.press("Enter")
    assert "/zh-hans/search/" in page.url
    expect(page.locator("main")).to_contain_text("上海市科协与青浦区战略合作协议")


def test_switching_language_on_a_filtered_list_keeps_the_filter(page, zone):
    """The language switcher opens the same filtered list in Chinese."""
    page.goto("/projects/?district=wujiang&sort=name_en")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*3 matches"))
    page.get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(re.compile(r"/zh-hans/projects/\?district=wujiang"))
    assert "sort=name_en" in page.url
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("tbody tr")).to_have_count(3)
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/projects/\?district=wujiang"))


def test_downloading_a_csv_of_a_filtered_list(page, zone):
    """The CSV link downloads every matching row, not just the page shown."""
    page.goto("/projects/?district=qingpu")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("CSV")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 1 + 30
    names = {cell for row in rows[1:] for cell in row}
    assert {f"青浦人才项目{n:02}" for n in range(30)} <= names


def test_home_page_by_keyboard_alone(page, zone):
    """Tab reaches the skip link first, which moves focus to the main content."""
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert _outline_of_focused(page) != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab stops inside the main content, then a link there opens by Enter.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert href and not href.startswith("#")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(href)


def test_list_page_by_keyboard_alone(page, zone):
    """A keyboard user can reach the filters, apply one and reach the results."""
    page.goto("/projects/")
    district = page.get_by_label("District")
    _tab_to(page, "document.activeElement.id === 'id_district'")
    expect(district).to_be_focused()
    assert _outline_of_focused(page) != "none"
    district.select_option("wujiang")
    _tab_to(page, "document.activeElement.textContent.trim() === 'Apply filters'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*3 matches"))
    _tab_to(page, "document.activeElement.closest('tbody') !== null")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.startswith("Wujiang project")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(re.compile("^Wujiang project"))


def _tab_to(page, condition, limit=80):
    """Press Tab until the JavaScript ``condition`` holds of the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(condition):
            return
    raise AssertionError(f"Tab never reached: {condition}")


def _outline_of_focused(page):
    return page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle === 'none' && s.boxShadow === 'none'"
        " ? 'none' : s.outlineStyle + ' ' + s.boxShadow; })()"
    )


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_pages_fit_a_360_pixel_screen(page, zone, prefix):
    """No page scrolls sideways on a small phone; wide tables scroll inside."""
    page.set_viewport_size({"width": 360, "height": 740})
    for path in (
        "/",
        "/projects/",
        "/stats/",
        "/search/?q=Qingpu",
        "/districts/qingpu/",
    ):
        page.goto(f"{prefix}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{prefix}{path} is {overflow}px too wide"
