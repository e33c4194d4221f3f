"""The statistics charts as Chromium draws them: no text runs into anything.

tests/test_charts.py checks the layout against estimated text widths; this
checks the real thing, in both languages, on a desktop and a phone screen.
Chinese is drawn in whatever CJK font the system has (Noto Sans CJK from
Debian's fonts-noto-cjk here); without one, Chromium draws empty boxes about
as wide, and the test still measures what is drawn.
"""

import datetime

import pytest

from .. import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For each chart: the box of every text, bar and axis line, in CSS pixels.
# Bars and axis lines are one SVG path each per series, so they are read back
# from the path's data (M, h, v, H, V and z commands) through getScreenCTM;
# any <rect> or <line> counts too.
DRAWN = """() => [...document.querySelectorAll("svg.chart-svg")].map((svg) => {
  const box = (r) => [r.left, r.top, r.right, r.bottom];
  const m = svg.getScreenCTM();
  const at = (x, y) => [m.a * x + m.e, m.d * y + m.f];
  const shapes = [];
  for (const path of svg.querySelectorAll("path")) {
    const what = path.getAttribute("class");
    for (const part of path.getAttribute("d").match(/M[^M]+/g)) {
      let x = 0, y = 0;
      const xs = [], ys = [];
      for (const [, op, args] of part.matchAll(/([MhvHVz])([-\\d. ]*)/g)) {
        const n = args.trim().split(/\\s+/).map(Number);
        if (op === "M") { [x, y] = n; }
        else if (op === "h") { x += n[0]; }
        else if (op === "v") { y += n[0]; }
        else if (op === "H") { x = n[0]; }
        else if (op === "V") { y = n[0]; }
        const [sx, sy] = at(x, y);
        xs.push(sx); ys.push(sy);
      }
      shapes.push([what, [Math.min(...xs), Math.min(...ys),
                          Math.max(...xs), Math.max(...ys)]]);
    }
  }
  for (const shape of svg.querySelectorAll("rect, line")) {
    shapes.push([shape.tagName, box(shape.getBoundingClientRect())]);
  }
  const texts = [...svg.querySelectorAll("text")].map(
    (text) => [text.textContent, box(text.getBoundingClientRect())]);
  return {chart: svg.id || svg.getAttribute("aria-labelledby"),
          frame: box(svg.getBoundingClientRect()), texts, shapes};
})"""

# Half a pixel of rounding either way is not an overlap a visitor could see.
SLACK = 0.5


def overlap(first, second):
    """Return True when two boxes (left, top, right, bottom) share more than SLACK."""
    return (
        first[0] < second[2] - SLACK
        and second[0] < first[2] - SLACK
        and first[1] < second[3] - SLACK
        and second[1] < first[3] - SLACK
    )


def inside(box, frame):
    return (
        box[0] >= frame[0] - SLACK
        and box[1] >= frame[1] - SLACK
        and box[2] <= frame[2] + SLACK
        and box[3] <= frame[3] + SLACK
    )


@pytest.fixture
def crowded_stats():
    """Records whose charts have the longest labels and groups with nothing.

    The Entrepreneurs' "Settled in the zone" and the experts' "Appointment
    ended" are the longest status labels; a long field name heads a group;
    a district with no records and kinds with no statuses on record get the
    "none on record" note.
    """
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu District", name_zh="青浦区")
    f.make_district(slug="jiashan", name_en="Jiashan County", name_zh="嘉善县")
    field = f.make_field(
        name_en="Intelligent manufacturing and materials science",
        name_zh="智能制造与新材料科学",
    )
    for year, count in ((2021, 3), (2023, 120)):
        for n in range(count):
            on = datetime.date(year, 6, n % 28 + 1)
            f.make_entrepreneur(
                district=qingpu, field=field, signed_on=on, status="settled"
            )
    for _ in range(40):
        f.make_expert(district=qingpu, status="ended").research_fields.add(field)
    f.make_project(district=qingpu, field=field, status="cancelled")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", ["/stats/", "/zh-hans/stats/"])
def test_chart_texts_never_overlap_bars_axis_or_each_other(
    page, crowded_stats, path, width
):
    """Every label, number and heading is clear of the bars, the axis and the rest."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    charts = page.evaluate(DRAWN)
    assert len(charts) == 4
    notes = 0
    for chart in charts:
        texts = chart["texts"]
        assert texts and chart["shapes"]
        for index, (text, box) in enumerate(texts):
            assert box[2] > box[0], f"{text!r} is drawn"
            assert inside(box, chart["frame"]), f"{text!r} sticks out of the chart"
            for other, other_box in texts[index + 1 :]:
                assert not overlap(box, other_box), f"{text!r} overlaps {other!r}"
            for what, shape in chart["shapes"]:
                assert not overlap(box, shape), f"{text!r} overlaps the {what}"
        notes += sum(
            1 for text, _box in texts if text in ("none on record", "暂无记录")
        )
    assert notes >= 2, "the empty district and kinds say so"


def test_shortened_labels_keep_their_whole_text(page, crowded_stats):
    """A label cut with an ellipsis shows its whole text as a tooltip."""
    page.goto("/stats/")
    heading = page.locator("svg.chart-svg text.chart-group", has_text="…").first
    assert heading.locator("title").text_content() == (
        "Intelligent manufacturing and materials science"
    )
