"""
The statistics charts' layout: no text runs into another, a bar or the axis.

These tests need no database: they draw each layout as boxes, the way the
template does, and check that no two boxes meet. The browser test in
tests/browser/test_charts.py checks the same on the page as Chromium draws it.
"""

import re
from dataclasses import replace

import pytest

from programs.site import charts as geometry
from programs.site.charts import Bar, Group

KINDS = ("agreement", "project", "workstation", "expert", "entrepreneur")

# Widths in SVG units of texts 14 units high as Chromium draws them in DejaVu
# Sans and Noto Sans CJK, the widest fonts a visitor's browser falls back on
# (measured with getComputedTextLength), regular and bold.
MEASURED = {
    "Appointment ended": (139.1, 156.6),
    "Settled in the zone": (132.4, 150.1),
    "Intelligent manufacturing": (178.0, 203.0),
    "Materials science": (121.3, 137.4),
    "none on record": (106.0, 119.6),
    "暂无记录": (56.0, 56.0),
    "已落户示范区": (84.0, 84.0),
    "AI 人工智能 labs": (107.3, 114.4),
    "WWW mmm": (86.9, 95.0),
    "illl": (15.6, 19.2),
    "12,345": (49.0, 54.0),
}


def boxes(layout):
    """Return (what, (left, top, right, bottom)) for everything the chart draws.

    Texts take their estimated width and the line box of the tallest font;
    bars and axis lines are read back from the SVG paths the template draws.
    """
    size = layout.font_size
    drawn = []

    def text(what, x, baseline, content, bold=False, anchor="start"):
        width = geometry.text_width(content, size, bold)
        left = x - width / 2 if anchor == "middle" else x
        top = baseline - geometry.ASCENT * size
        drawn.append(
            (what, (left, top, left + width, baseline + geometry.DESCENT * size))
        )

    for tick in layout.ticks:
        text(
            "tick",
            tick.x,
            layout.axis_y,
            geometry.number_text(tick.value),
            anchor="middle",
        )
    for group in layout.groups:
        text(f"heading {group.label}", layout.heading_x, group.y, group.label, True)
        if group.note:
            text(f"note {group.note}", layout.indent, group.note_y, group.note)
        for row in group.bars:
            text(f"label {row.label}", layout.indent, row.text_y, row.label)
            value = geometry.number_text(row.bar.value)
            text(f"value {value}", row.value_x, row.text_y, value)
    paths = [("axis", layout.axis_path)]
    paths += [(f"bars {series}", path) for series, path in layout.series_paths]
    for what, path in paths:
        for subpath in re.findall(r"M[^M]+", path):
            drawn.append((what, path_box(subpath)))
    return drawn


def path_box(subpath):
    """Return the box of one subpath made of M, h, v, H, V and z commands."""
    commands = re.findall(r"([MhvHVz])([-\d. ]*)", subpath)
    x = y = 0.0
    xs, ys = [], []
    for command, numbers in commands:
        values = [float(number) for number in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "h":
            x += values[0]
        elif command == "v":
            y += values[0]
        elif command == "H":
            x = values[0]
        elif command == "V":
            y = values[0]
        xs.append(x)
        ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def overlap(first, second):
    """Return True when two boxes share more than an edge."""
    return (
        first[0] < second[2]
        and second[0] < first[2]
        and first[1] < second[3]
        and second[1] < first[3]
    )


def collisions(layout):
    """Return every pair of drawn things that overlap, and anything outside."""
    drawn = boxes(layout)
    found = []
    for index, (what, box) in enumerate(drawn):
        if box[0] < 0 or box[1] < 0 or box[2] > layout.width or box[3] > layout.height:
            found.append((what, "outside the chart"))
        for other, other_box in drawn[index + 1 :]:
            # Bars stand on the axis: only texts must keep clear of all else.
            texts = not {what.split()[0], other.split()[0]} <= {"axis", "bars"}
            if texts and overlap(box, other_box):
                found.append((what, other))
    return found


def kinds_group(label, labels, values, lang=""):
    """Return a group with one bar per label, in the series of the five kinds."""
    return Group(
        label,
        tuple(
            Bar(text, value, KINDS[index % len(KINDS)])
            for index, (text, value) in enumerate(zip(labels, values, strict=True))
        ),
        lang,
    )


ENGLISH_STATUSES = ("Signed", "Settled in the zone", "Appointment ended", "Left")
CHINESE_STATUSES = ("已签署", "已落户示范区", "聘任已结束", "已离开")


# Measuring text ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "widths"), MEASURED.items())
def test_text_is_never_estimated_narrower_than_a_browser_draws_it(text, widths):
    """The estimate covers the widest fonts, so a label never overruns its room."""
    regular, bold = widths
    assert geometry.text_width(text) >= regular
    assert geometry.text_width(text, bold=True) >= bold


def test_chinese_characters_count_a_full_em_and_latin_about_half():
    """A CJK character is square; a Latin letter is about 0.55 to 0.65 em."""
    assert geometry.text_width("人工智能") == 4 * geometry.FONT_SIZE
    assert geometry.text_width("abcd") < geometry.text_width("人工智能") * 0.7
    assert geometry.text_width("AI 人工智能") == pytest.approx(
        geometry.text_width("AI ") + geometry.text_width("人工智能")
    )


def test_long_text_is_cut_with_an_ellipsis_to_fit():
    """A label too wide for its room ends in an ellipsis and fits; a short one stays."""
    fitted = geometry.fit_text("A very long label indeed for a chart", 60)
    assert fitted.endswith("…") and geometry.text_width(fitted) <= 60
    chinese = geometry.fit_text("新一代信息技术与人工智能产业", 60)
    assert chinese == "新一代…" and geometry.text_width(chinese) <= 60
    assert geometry.fit_text("Short", 60) == "Short"


# Scale ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (23, [0, 10, 20, 30]),
        (100, [0, 50, 100]),
    ],
)
def test_scale_ticks_are_round_steps_that_reach_the_maximum(maximum, ticks):
    """Ticks start at 0, step by 1, 2 or 5 times ten to a power, and reach the top."""
    assert geometry.scale_ticks(maximum) == ticks


def test_bars_are_scaled_to_the_last_tick():
    """A bar's width is its value against the axis; the largest ends on a tick."""
    group = kinds_group("Qingpu", ("A", "B"), (8, 4))
    layout = geometry.layout_chart([group])
    full, half = layout.groups[0].bars
    assert [tick.value for tick in layout.ticks] == [0, 2, 4, 6, 8]
    assert layout.plot_x + full.width == pytest.approx(layout.ticks[-1].x, abs=0.1)
    assert half.width == pytest.approx(full.width / 2, abs=0.1)
    assert full.value_x > layout.plot_x + full.width


def test_zero_bars_are_left_out_and_an_empty_group_says_so():
    """Groups follow one another down the chart; a group of zeros gets a note."""
    first = kinds_group("2022", ("A", "B"), (1, 0))
    empty = kinds_group("2023", ("A",), (0,))
    layout = geometry.layout_chart([first, empty], note="none on record")
    placed_first, placed_empty = layout.groups
    assert [row.bar.label for row in placed_first.bars] == ["A"]
    assert placed_first.note == "" and placed_first.note_y is None
    assert placed_empty.bars == [] and placed_empty.note == "none on record"
    assert placed_empty.note_y > placed_first.bars[0].y
    assert layout.height > placed_empty.note_y


def test_big_numbers_get_fewer_ticks_rather_than_run_together():
    """Axis numbers keep apart when they are long and the labels take room."""
    group = kinds_group("Jiashan", ENGLISH_STATUSES, (123_456, 98_765, 5, 1))
    layout = geometry.layout_chart([group])
    assert len(layout.ticks) < 5
    assert collisions(layout) == []


# Overlaps ---------------------------------------------------------------------


def test_widest_english_labels_never_meet_the_axis_bars_or_each_other():
    """Long English labels and headings stay clear of everything else."""
    layout = geometry.layout_chart(
        [
            kinds_group("Entrepreneurs", ENGLISH_STATUSES, (474, 425, 157, 101)),
            kinds_group("Intelligent manufacturing", ("Experts", "Projects"), (9, 1)),
            kinds_group("Materials science", ("Projects",), (0,)),
        ]
    )
    assert collisions(layout) == []
    first_group = layout.groups[0]
    widest = max(geometry.text_width(row.label) for row in first_group.bars)
    assert layout.indent + widest + geometry.LABEL_GAP <= layout.plot_x + 0.01
    assert layout.groups[2].note == "none on record"


def test_widest_chinese_labels_never_meet_the_axis_bars_or_each_other():
    """Chinese labels, a full em a character, stay clear of everything else."""
    layout = geometry.layout_chart(
        [
            kinds_group("创业人才", CHINESE_STATUSES, (474, 425, 157, 101)),
            kinds_group("新材料", ("专家",), (0,)),
            kinds_group("吴江区", ("协议", "院士工作站"), (3, 1_000)),
        ],
        note="暂无记录",
    )
    assert collisions(layout) == []
    assert [row.label for row in layout.groups[0].bars][1] == "已落户示范区"
    assert layout.groups[1].note == "暂无记录"


def test_mixed_and_overlong_labels_are_cut_with_their_whole_text_kept():
    """A label past the column's limit is shortened and keeps its full text."""
    long_label = "AI 人工智能 and integrated circuits for the zone"
    layout = geometry.layout_chart(
        [kinds_group("Wujiang District 吴江区 " * 4, (long_label, "Left"), (12, 3))]
    )
    assert collisions(layout) == []
    (group,) = layout.groups
    row = group.bars[0]
    assert row.label.endswith("…") and row.title == long_label
    assert group.label.endswith("…") and group.title.startswith("Wujiang District")
    assert group.bars[1].title == "", "a label that fits has no extra title"
    room = layout.width * geometry.MAX_LABEL_SHARE
    assert layout.plot_x <= room


def test_the_axis_stops_at_headings_and_notes():
    """The axis line runs beside bars only, so a long heading can cross its place."""
    layout = geometry.layout_chart(
        [
            kinds_group("Materials science and engineering", ("Experts",), (5,)),
            kinds_group("Empty", ("Experts",), (0,)),
        ]
    )
    axis = [path_box(part) for part in re.findall(r"M[^M]+", layout.axis_path)]
    vertical = [
        box
        for box in axis
        if box[0] == box[2] == layout.plot_x and box[1] < layout.plot_bottom
    ]
    first, empty = layout.groups
    assert len(vertical) == 1, "one line, beside the only group with bars"
    assert vertical[0][1] == first.bars[0].y - (
        (geometry.ROW_HEIGHT - geometry.BAR_HEIGHT) / 2
    )
    assert vertical[0][3] < empty.note_y
    assert geometry.text_width(first.label, bold=True) > layout.plot_x
    assert collisions(layout) == []


def test_collisions_would_be_found():
    """The check above is not vacuous: a label drawn over its bar is caught."""
    layout = geometry.layout_chart([kinds_group("G", ("Experts",), (5,))])
    (group,) = layout.groups
    (row,) = group.bars
    too_long = replace(row, label="Experts and more")
    overlapping = replace(layout, groups=(replace(group, bars=(too_long,)),))
    assert collisions(layout) == []
    assert ("label Experts and more", "axis") in collisions(overlapping)
