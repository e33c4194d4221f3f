"""The zone page's map, in a real browser: shaded by the stylesheet, linked, no CSP
complaints, and readable on a phone."""

import re

import pytest
from playwright.sync_api import expect

from .. import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone():
    """The zone's three districts: three projects in Qingpu, none elsewhere."""
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu District", name_zh="青浦区")
    f.make_district(slug="wujiang", name_en="Wujiang District", name_zh="吴江区")
    f.make_district(slug="jiashan", name_en="Jiashan County", name_zh="嘉善县")
    for _ in range(3):
        f.make_project(district=qingpu)
    return qingpu


def fill_of(page, slug):
    """Return the computed fill of a district's box on the map."""
    return page.locator(f'.zone-map-svg a[href$="/districts/{slug}/"] rect').evaluate(
        "rect => getComputedStyle(rect).fill"
    )


def test_a_visitor_reaches_a_district_from_the_map(page, zone):
    """From the navigation to the map, and from a box to its district's page."""
    problems = []
    page.on("console", lambda message: problems.append(message.text))
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Zone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The demonstration zone")
    # Shaded by site.css, which the CSP allows, not by style attributes.
    assert fill_of(page, "qingpu") != fill_of(page, "jiashan")
    assert fill_of(page, "jiashan") == fill_of(page, "wujiang")
    page.locator('.zone-map-svg a[href$="/districts/qingpu/"]').click()
    expect(page).to_have_url(re.compile(r"/districts/qingpu/$"))
    assert problems == []


def test_the_boxes_are_reached_with_the_keyboard(page, zone):
    """Each box is a link a keyboard user can tab to and follow."""
    page.goto("/zone/")
    box = page.locator('.zone-map-svg a[href$="/districts/wujiang/"]')
    box.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/districts/wujiang/$"))


def test_the_map_fits_a_phone_and_speaks_chinese(page, zone):
    """At 390 px the map fits the screen; in Chinese it names the districts so."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/zh-hans/zone/")
    svg = page.locator(".zone-map-svg")
    expect(svg).to_be_visible()
    assert svg.bounding_box()["width"] <= 390
    expect(svg.locator("text", has_text="青浦区")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
