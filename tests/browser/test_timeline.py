"""The timeline in a real browser: it opens, filters, and speaks both languages."""

import re

import pytest
from playwright.sync_api import expect

from programs.models import AnnouncedFigure

from .. import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def events():
    """An agreement and an expert in Qingpu, a project in Wujiang, and a figure."""
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu District", name_zh="青浦区")
    wujiang = f.make_district(
        slug="wujiang", name_en="Wujiang District", name_zh="吴江区"
    )
    f.make_agreement(
        name_en="SAST-Qingpu cooperation agreement",
        name_zh="上海市科协与青浦区战略合作协议",
        district=qingpu,
        signed_on="2023-06-15",
    )
    f.make_expert(name_en="Dr Appointed", district=qingpu, appointed_on="2023-07-01")
    f.make_project(
        name_en="Wujiang venture", district=wujiang, announced_on="2022-05-09"
    )
    f.make_figure(
        district=qingpu,
        subject=AnnouncedFigure.Subject.WORKSTATIONS,
        value=40,
        qualifier=AnnouncedFigure.Qualifier.MORE_THAN,
        as_of="2022-12-31",
    )


def test_the_timeline_opens_by_month_from_the_navigation(page, events):
    """A visitor opens the timeline from the menu and sees the events by month."""
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Timeline"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*4 events"))
    months = page.locator(".timeline-month h2")
    expect(months).to_have_text(["July 2023", "June 2023", "December 2022", "May 2022"])
    expect(page.locator("main")).to_contain_text(
        "Figure announced: more than 40 academician workstations"
    )


def test_filtering_by_district_and_kind(page, events):
    """Choosing a district, then a kind of event, narrows the timeline."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/timeline/")
    page.get_by_label("District").select_option("qingpu")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*3 events"))
    expect(page.locator("main")).not_to_contain_text("Wujiang venture")
    page.get_by_label("Kind of event").select_option("expert")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*1 event\b"))
    assert "district=qingpu" in page.url and "kind=expert" in page.url
    page.get_by_role("link", name="Dr Appointed").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dr Appointed")


def test_the_chinese_timeline_fits_a_phone(page, events):
    """/zh-hans/timeline/ speaks Chinese, 390 px wide with no sideways scroll."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/timeline/?district=qingpu")
    page.get_by_role("link", name="简体中文").click()
    assert "/zh-hans/timeline/" in page.url and "district=qingpu" in page.url
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    main = page.locator("main")
    expect(main).to_contain_text("上海市科协与青浦区战略合作协议")
    expect(main).to_contain_text("2023年6月")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
