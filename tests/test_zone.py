"""The zone page (/zone/) and its schematic map (programs/site/zone.py, zone_map.py)."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from programs.models import PublicationStatus
from programs.site import aggregates, zone_map

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
DRAFT = PublicationStatus.DRAFT


def the_zone():
    """Return the zone's three districts, as the seeds spell their slugs."""
    return {
        "qingpu": f.make_district(
            slug="qingpu", name_en="Qingpu District", name_zh="青浦区"
        ),
        "wujiang": f.make_district(
            slug="wujiang", name_en="Wujiang District", name_zh="吴江区"
        ),
        "jiashan": f.make_district(
            slug="jiashan", name_en="Jiashan County", name_zh="嘉善县"
        ),
    }


def zone_svg(text):
    """Return the page's map parsed as XML, which fails if it is not well-formed."""
    found = re.search(r'<svg class="zone-map-svg".*?</svg>', text, re.DOTALL)
    assert found, "the page has no map"
    return ET.fromstring(found.group(0))


def boxes(svg):
    """Return {link: classes} of the map's district boxes."""
    return {a.get("href"): a.get("class").split() for a in svg.iter(f"{SVG}a")}


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_each_box_links_to_its_district_page(client, prefix):
    """Each district is a box on the map, linked to its page in the page's language."""
    districts = the_zone()
    response = client.get(f"{prefix}/zone/")
    assert response.status_code == 200
    svg = zone_svg(response.text)
    expected = {f"{prefix}/districts/{slug}/" for slug in districts}
    assert set(boxes(svg)) == expected
    assert svg.find(f"{SVG}title").text
    assert svg.find(f"{SVG}desc").text


def test_labels_are_in_the_page_language(client):
    """The boxes are labelled with the districts' names in the page's language."""
    the_zone()
    english = {t.text for t in zone_svg(client.get("/zone/").text).iter(f"{SVG}text")}
    chinese = {
        t.text for t in zone_svg(client.get("/zh-hans/zone/").text).iter(f"{SVG}text")
    }
    assert {"Qingpu District", "Wujiang District", "Jiashan County"} <= english
    assert {"青浦区", "吴江区", "嘉善县"} <= chinese
    assert '<html lang="zh-Hans">' in client.get("/zh-hans/zone/").text


def test_a_name_missing_in_the_page_language_is_marked_with_its_own():
    """A name that falls back to English says so with lang, for screen readers."""
    district = f.make_district(slug="wujiang", name_zh="")
    district.total = 0
    with translation.override("zh-hans"):
        (box,) = zone_map.draw([district]).boxes
    assert (box.label, box.lang) == (district.name_en, "en")


def test_shading_follows_the_records_on_file(client):
    """The more public records a district has, the darker its box; none, none."""
    districts = the_zone()
    for _ in range(4):
        f.make_project(district=districts["qingpu"])
    f.make_agreement(district=districts["wujiang"])
    svg = zone_svg(client.get("/zone/").text)
    shades = boxes(svg)
    assert "zone-shade-4" in shades["/districts/qingpu/"]
    assert "zone-shade-1" in shades["/districts/wujiang/"]
    assert "zone-shade-0" in shades["/districts/jiashan/"]
    # The counts are in text too, on the map and in its table, not only in colour.
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "4 records" in texts and "1 record" in texts and "0 records" in texts
    assert '<table class="zone-table">' in client.get("/zone/").text


def test_unpublished_districts_records_and_figures_never_show(client):
    """Drafts neither show on the page nor count towards the shading."""
    districts = the_zone()
    f.make_district(slug="hidden", name_en="Hidden District", publication_status=DRAFT)
    f.make_project(
        district=districts["qingpu"], name_en="Draft project", publication_status=DRAFT
    )
    f.make_project(district=districts["wujiang"])
    f.make_figure(label_en="Draft figure", publication_status=DRAFT)
    f.make_figure(
        label_en="Draft figure of Qingpu",
        district=districts["qingpu"],
        publication_status=DRAFT,
    )
    text = client.get("/zone/").text
    for hidden in ("Hidden District", "Draft figure", "Draft project"):
        assert hidden not in text
    shades = boxes(zone_svg(text))
    assert "zone-shade-0" in shades["/districts/qingpu/"]
    assert "zone-shade-4" in shades["/districts/wujiang/"]


def test_an_unpublished_zone_district_has_no_box(client):
    """A district taken off the site disappears from the map, link and all."""
    districts = the_zone()
    districts["jiashan"].publication_status = DRAFT
    districts["jiashan"].save()
    text = client.get("/zone/").text
    assert "/districts/jiashan/" not in text
    assert "Jiashan County" not in text


def test_district_and_zone_wide_figures(client):
    """A district's figures show on its card; those of no district, as the zone's."""
    districts = the_zone()
    f.make_figure(label_en="Workstations in Qingpu", district=districts["qingpu"])
    f.make_figure(label_en="Talent across the zone")
    text = client.get("/zone/").text
    districts_part, zone_part = text.split('id="zone-figures-heading"')
    assert "Workstations in Qingpu" in districts_part
    assert "Talent across the zone" in zone_part
    assert "Workstations in Qingpu" not in zone_part


def test_counts_link_to_the_filtered_lists(client):
    """Each district's count of a kind opens that kind's list filtered to it."""
    districts = the_zone()
    f.make_project(district=districts["qingpu"])
    text = client.get("/zone/").text
    assert f'href="{reverse("programs:project-list")}?district=qingpu">1</a>' in text


def test_the_page_says_the_map_is_a_schematic_and_why(client):
    """The caption says the map is not to scale and uses no boundary data."""
    the_zone()
    text = client.get("/zone/").text
    assert "A schematic, not a map to scale" in text
    assert "No boundary data with a clear licence" in text


def three_on_record_per_district():
    """Build the zone with three projects, agreements, workstations and figures
    in each district, and a zone-wide figure: an N+1 would show."""
    districts = the_zone()
    for district in districts.values():
        for _ in range(3):
            f.make_project(district=district)
            f.make_agreement(district=district)
            f.make_workstation(district=district)
            f.make_figure(district=district)
        f.make_figure()
    # The figures' evidence needs its content type, cached after its first
    # use: cleared so that it is counted always.
    ContentType.objects.clear_cache()


# The page cache's content version (programs/site/cache.py) and the
# districts. Their counts come from the summary of the content, the figures
# from the cache, where they are kept under the version (aggregates.py).
ZONE_QUERY_BUDGET = CACHE_CHECK + 1
# Without them: looking for the summary, counting it (districts, fields,
# years, statuses) and storing it; the figures, and their evidence with the
# content type it needs.
SUMMARY_COUNTING = 1 + 4 + 1
FIGURES = 3


def test_query_count_does_not_grow_with_records(client, django_assert_num_queries):
    """With the summary counted and the figures kept when the content changed:
    no query per district, record or figure, and no counting."""
    three_on_record_per_district()
    aggregates.refresh()  # as the commit of the writes above would
    with django_assert_num_queries(ZONE_QUERY_BUDGET):
        response = client.get("/zone/")
    assert response.status_code == 200


def test_a_missing_summary_is_counted_in_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    """Without a summary or the figures kept, the page makes them in a fixed
    number of queries, and shows the same as with them."""
    three_on_record_per_district()
    with django_assert_num_queries(ZONE_QUERY_BUDGET + SUMMARY_COUNTING + FIGURES):
        counted = client.get("/zone/")
    cache.clear()
    assert client.get("/zone/").content == counted.content
    assert '<dt>Projects</dt><dd><a href="/projects/?district=qingpu">3</a>' in (
        counted.text
    )


def test_nav_home_and_sitemap_link_to_the_zone(client):
    """The zone page is in the main navigation, on the home page and in the sitemap."""
    url = reverse("programs:zone")
    home = client.get("/").text
    nav = home[home.index('<nav aria-label="Main">') :]
    assert f'<a href="{url}"' in nav
    by_district = home[home.index('id="districts-heading"') :]
    assert f'<a href="{url}">' in by_district
    zone = client.get(url).text
    assert f'<a href="{url}" aria-current="page">' in zone
    assert "http://testserver/zone/" in client.get("/sitemap.xml").text


def test_a_stray_query_string_is_harmless(client):
    """The page takes no parameters; any query string gets the same page."""
    the_zone()
    response = client.get("/zone/", {"district": "<script>", "page": "x"})
    assert response.status_code == 200
    assert "<script>" not in response.text


# The map's geometry, without a database ---------------------------------------


@pytest.mark.parametrize("most", [1, 2, 3, 4, 5, 7, 10, 101])
def test_the_scale_covers_every_total_once(most):
    """Each total from 0 to the largest falls in exactly one step of the legend."""
    steps = zone_map.shades(most)
    for total in range(most + 1):
        level = zone_map.shade_level(total, most)
        (step,) = [step for step in steps if step.low <= total <= step.high]
        assert step.level == level
    assert zone_map.shade_level(most, most) == zone_map.SHADES


def test_nothing_on_file_is_one_step():
    """With no records anywhere, every district is unshaded and the legend says so."""
    assert zone_map.shades(0) == [zone_map.Shade(0, 0, 0)]
    assert zone_map.shade_level(0, 0) == 0


class _District:
    def __init__(self, slug, total):
        self.slug, self.total = slug, total
        self.name_en, self.name_zh = slug.title(), ""


def test_boxes_keep_the_districts_order_west_to_east_and_north_to_south():
    """The boxes keep the districts in order west to east and north to south."""
    drawn = zone_map.draw(
        [_District("qingpu", 1), _District("wujiang", 1), _District("jiashan", 1)]
    )
    at = {box.district.slug: box for box in drawn.boxes}
    assert at["wujiang"].x < at["jiashan"].x < at["qingpu"].x
    assert at["qingpu"].y < at["wujiang"].y < at["jiashan"].y
    for box in drawn.boxes:
        assert box.x >= 0 and box.x + box.width <= drawn.width
        assert box.y >= 0 and box.y + box.height <= drawn.height
    rows = sorted((box.y, box.y + box.height) for box in drawn.boxes)
    assert all(
        top_end < next_top
        for (_, top_end), (next_top, _) in zip(rows, rows[1:], strict=False)
    )


def test_a_district_the_schematic_does_not_place_is_shaded_but_not_drawn():
    """A zone district with another slug has a shade for the table, and no box."""
    other = _District("elsewhere", 2)
    drawn = zone_map.draw([other, _District("qingpu", 1)])
    assert [box.district.slug for box in drawn.boxes] == ["qingpu"]
    assert other.shade.level == zone_map.SHADES


def test_the_map_stays_well_formed_whatever_the_names(client):
    """Names with markup characters are escaped, so the SVG still parses as XML."""
    f.make_district(slug="qingpu", name_en='Q & <b>"P"</b>', name_zh="青浦区")
    svg = zone_svg(client.get("/zone/").text)
    assert 'Q & <b>"P"</b>' in [t.text for t in svg.iter(f"{SVG}text")]


def test_a_district_outside_the_zone_is_left_out(client):
    """A published district that is not in the demonstration zone is not shown."""
    the_zone()
    f.make_district(slug="songjiang", name_en="Elsewhere", in_demonstration_zone=False)
    text = client.get("/zone/").text
    assert "Elsewhere" not in text
    assert "/districts/songjiang/" not in text


def test_the_map_speaks_chinese_on_chinese_pages(client):
    """The map's own words (its title, the north arrow, the counts) are
    translated, as the rest of the page is."""
    f.make_district(slug="qingpu", name_zh="青浦区", in_demonstration_zone=True)
    text = client.get("/zh-hans/zone/").text
    assert "示范区示意图" in text
    assert "↑ 北" in text
    assert "0 条记录" in text
