"""The public lists on a phone: results first, filters folded, rows as cards."""

import pytest
from playwright.sync_api import expect

from .. import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
FIRST_SCREEN_LISTS = ("/experts/", "/projects/?district=qingpu")


@pytest.fixture
def lists():
    """Qingpu and Wujiang, with five experts and five projects in each."""
    for slug, en, zh in (
        ("qingpu", "Qingpu District", "青浦区"),
        ("wujiang", "Wujiang District", "吴江区"),
    ):
        district = f.make_district(slug=slug, name_en=en, name_zh=zh)
        host = f.make_organization(
            district=district, name_en=f"{en} Research Institute of Technology"
        )
        for n in range(5):
            f.make_expert(
                district=district,
                appointed_by=host,
                name_en=f"{en} expert {n}",
                title_en="Chief Scientist",
            )
            f.make_project(district=district, lead_organization=host)


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
@pytest.mark.parametrize("path", FIRST_SCREEN_LISTS)
def test_results_come_first_on_a_phone(page, lists, prefix, path):
    """On a 390 x 844 phone the match count and the first row are on the first
    screen, the filters folded behind their summary."""
    page.set_viewport_size(PHONE)
    page.goto(prefix + path)
    expect(page.locator(".filter-disclosure > summary")).to_be_visible()
    expect(page.locator("select[name=district]")).to_be_hidden()
    for selector in (".result-count", "tbody tr >> nth=0"):
        box = page.locator(selector).bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["height"], selector


def test_the_summary_unfolds_the_filters(page, lists):
    """Tapping "Filter (1 active)" shows the filters, with counts, and applying
    one keeps the results first."""
    page.set_viewport_size(PHONE)
    page.goto("/projects/?district=qingpu")
    summary = page.locator(".filter-disclosure > summary")
    expect(summary).to_have_text("Filter (1 active)")
    summary.click()
    district = page.locator("select[name=district]")
    expect(district).to_be_visible()
    expect(district.locator("option[value=wujiang]")).to_have_text(
        "Wujiang District (5)"
    )
    district.select_option("wujiang")
    page.get_by_role("button", name="Apply filters").click()
    assert "district=wujiang" in page.url
    expect(page.get_by_role("status")).to_have_text("5 matches")


def test_errors_open_the_filters(page, lists):
    """A filter that could not be used shows its field without a tap."""
    page.set_viewport_size(PHONE)
    page.goto("/experts/?year=abc")
    expect(page.locator("input[name=year]")).to_be_visible()


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_rows_are_labelled_cards_on_a_small_phone(page, lists, prefix):
    """At 360 px the list does not scroll sideways and every cell shows its
    column's heading beside its value."""
    page.set_viewport_size(SMALL_PHONE)
    page.goto(f"{prefix}/experts/")
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0
    cells = page.locator("tbody tr >> nth=0").locator("th, td")
    headings = page.locator("thead th").all_text_contents()
    shown = cells.evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert shown == [f'"{heading.strip()}"' for heading in headings]
    for cell in cells.all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE["width"]


def test_filters_stay_in_view_on_a_desktop(page, lists):
    """On a wide screen the filters show without a click, and the table is a
    table again with its sortable headings."""
    page.set_viewport_size(DESKTOP)
    page.goto("/experts/")
    expect(page.locator("select[name=district]")).to_be_visible()
    expect(page.locator(".filter-disclosure > summary")).to_be_hidden()
    expect(page.locator("thead")).to_be_visible()
    shown = page.locator("tbody td >> nth=0").evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert shown in ("none", "normal")
