"""
The geometry of the statistics page's bar charts.

Pure functions: they place bars, labels and ticks for a template to draw as
SVG, so no JavaScript is needed to read a chart, and they are tested without
a database.

What must hold: no two texts overlap, and no text touches a bar or the axis,
in English or Chinese, whichever font the browser picks. The server cannot
measure text, so it overestimates: widths are those of the widest fonts a
browser falls back on (DejaVu Sans for Latin, a full em for CJK) and heights
those of the tallest (Noto Sans CJK's line box). The chart is drawn in user
units and scaled to its box, so what holds at one screen width holds at all.
"""

import math
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """One number in a chart, and the list of the records it counts."""

    label: str
    value: int
    series: str
    url: str = ""


@dataclass(frozen=True)
class Group:
    """Bars shown together under one heading, such as a district's."""

    label: str
    bars: tuple
    # The label's BCP 47 tag when it is not in the page's language.
    lang: str = ""


# In SVG user units. The chart is drawn 360 wide and scaled to its box, so the
# text stays readable on a 360 px screen.
CHART_WIDTH = 360
FONT_SIZE = 14
# The box a line of text takes above and below its baseline, in ems: Noto
# Sans CJK's, the tallest of the usual fonts (DejaVu Sans's are 0.93 and
# 0.24). Rows are spaced so that these boxes never meet.
ASCENT = 1.16
DESCENT = 0.29
ROW_HEIGHT = 22
BAR_HEIGHT = 14
GROUP_HEIGHT = 26
# Headings start this far in: some letters (a bold J) reach left of their origin.
HEADING_X = 2
INDENT = 10
# Between a label and the axis, and between a bar and its number.
LABEL_GAP = 8
VALUE_GAP = 4
# A label longer than this share of the width is shortened, so that the bars
# keep room to be compared.
MAX_LABEL_SHARE = 0.5
TICK_LENGTH = 4
# At least this much space between two numbers on the axis.
TICK_GAP = 8

# Advance widths in ems of DejaVu Sans, the widest sans-serif a browser uses
# for Latin text, rounded up into a few classes. Bold text is taken 15% wider.
_LATIN_WIDTHS = {
    0.3: "ijlIJ'",
    0.35: " ,.:;|/\\",
    0.45: 'ftr()[]!-"',
    0.55: "csz*_`?",
    0.8: "ABCDGHKNOQRUVXZ&w",
    1.0: "mMW%@#+<=>^~",
}
_WIDTH_OF = {char: em for em, chars in _LATIN_WIDTHS.items() for char in chars}
# Most lowercase letters, the digits, and capitals such as E, L, P, S, T, Y.
_USUAL_WIDTH = 0.65
# Accented and other letters beyond ASCII that are not East Asian.
_OTHER_WIDTH = 0.8
BOLD_FACTOR = 1.15


def char_width(char):
    """Return the width of ``char`` in ems, at least as wide as any font draws it.

    Wide and fullwidth characters (CJK ideographs, kana, fullwidth punctuation)
    are square; so are ambiguous ones such as "…" and "·", which Chinese fonts
    draw a full em wide.
    """
    if char in _WIDTH_OF:
        return _WIDTH_OF[char]
    if char.isascii():
        return _USUAL_WIDTH
    if unicodedata.east_asian_width(char) in "WFA":
        return 1.0
    if unicodedata.combining(char):
        return 0.0
    return _OTHER_WIDTH


def text_width(text, size=FONT_SIZE, bold=False):
    """Return the most ``text`` can take across, drawn ``size`` high."""
    width = sum(char_width(char) for char in str(text)) * size
    return width * BOLD_FACTOR if bold else width


def fit_text(text, width, size=FONT_SIZE, bold=False):
    """Return ``text``, shortened with an ellipsis to fit ``width``."""
    text = str(text)
    if text_width(text, size, bold) <= width:
        return text
    while text and text_width(text.rstrip() + "…", size, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def scale_ticks(maximum, count=4):
    """Return about ``count`` evenly spaced whole numbers from 0 up to ``maximum``.

    The step is 1, 2 or 5 times a power of ten, and the last tick is the first
    multiple of the step at or above ``maximum``.
    """
    if maximum <= 0:
        return [0, 1]
    magnitude = 10 ** max(0, math.floor(math.log10(maximum / count)))
    step = next(
        factor * magnitude
        for factor in (1, 2, 5, 10)
        if factor * magnitude * count >= maximum
    )
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def number_text(value):
    """Return ``value`` as the page writes it, with the widest separators."""
    return f"{value:,}"


@dataclass(frozen=True)
class Tick:
    x: float
    value: int


@dataclass(frozen=True)
class PlacedBar:
    bar: Bar
    # The label as drawn, and the whole label when that had to be shortened.
    label: str
    title: str
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True)
class PlacedGroup:
    group: Group
    label: str
    title: str
    y: float
    bars: tuple
    # What to say, and where, when every bar in the group is zero.
    note: str = ""
    note_y: float | None = None


@dataclass(frozen=True)
class ChartLayout:
    width: int
    height: int
    plot_x: float
    plot_bottom: float
    axis_y: float
    heading_x: int
    indent: int
    font_size: int
    ticks: tuple
    groups: tuple
    # One SVG path for the axis (a line beside each group's bars, the bottom
    # line and its ticks) and one per series for all its bars: a few elements
    # however many bars, so a page of charts stays light.
    axis_path: str
    series_paths: tuple


def _baseline(top, height):
    """Return the baseline that centres a line of text in a row."""
    return round(top + (height + (ASCENT - DESCENT) * FONT_SIZE) / 2, 1)


def _fitted(text, width, bold=False):
    """Return ``text`` fitted to ``width``, and the whole text if it was cut."""
    shown = fit_text(text, width, bold=bold)
    return shown, "" if shown == str(text) else str(text)


def _axis(plot_x, plot_right, chart_width, maximum):
    """Return the axis's numbers and where the last one goes.

    Fewer numbers when they would run together; the last one drawn further in
    when it would otherwise stick out of the chart.
    """
    for count in (4, 3, 2, 1):
        values = scale_ticks(maximum, count)
        widest = max(text_width(number_text(value)) for value in values)
        right = min(plot_right, chart_width - widest / 2)
        spacing = (right - plot_x) / (len(values) - 1)
        if spacing >= widest + TICK_GAP:
            break
    return values, right


@dataclass(frozen=True)
class _Columns:
    """Where a chart's labels end and its bars start, and how long a unit is."""

    label_room: float
    plot_x: float
    unit: float
    values: list


def _columns(drawn, width):
    """Return the columns for the bars ``drawn``: labels, bars, then numbers.

    The label column is as wide as the widest label, up to a share of the
    chart; the numbers' column as wide as the widest number.
    """
    label_room = min(
        max((text_width(bar.label) for bar in drawn), default=0),
        width * MAX_LABEL_SHARE - INDENT - LABEL_GAP,
    )
    value_room = VALUE_GAP + max(
        (text_width(number_text(bar.value)) for bar in drawn), default=0
    )
    plot_x = round(INDENT + label_room + LABEL_GAP, 1)
    values, plot_right = _axis(
        plot_x,
        width - value_room,
        width,
        max((bar.value for bar in drawn), default=0),
    )
    return _Columns(label_room, plot_x, (plot_right - plot_x) / values[-1], values)


def _place_bar(bar, y, columns):
    """Return ``bar`` placed in the row at ``y``, and the path of its rectangle."""
    # At least one unit wide, so that a small number still shows.
    width = max(1, round(bar.value * columns.unit, 1))
    top = y + (ROW_HEIGHT - BAR_HEIGHT) / 2
    label, title = _fitted(bar.label, columns.label_room)
    placed = PlacedBar(
        bar,
        label,
        title,
        top,
        width,
        _baseline(y, ROW_HEIGHT),
        round(columns.plot_x + width + VALUE_GAP, 1),
    )
    return placed, f"M{columns.plot_x} {top}h{width}v{BAR_HEIGHT}h{-width}z"


def layout_chart(groups, width=CHART_WIDTH, note="none on record"):
    """Place horizontal bars, grouped under headings, with an axis of ticks below.

    Each bar's label sits to its left, in a column as wide as the widest
    label, and its number to its right, so that a bar can be read without
    telling colours apart. A heading, or the note of an empty group, has a
    row to itself, and the axis line stops short of it. ``note`` is what an
    empty group says, in the page's language.
    """
    # Zero bars are left out of the drawing (the table keeps them), so a
    # chart of many years or fields stays short; an empty group says so.
    drawn = [[bar for bar in group.bars if bar.value] for group in groups]
    columns = _columns([bar for bars in drawn for bar in bars], width)
    plot_x = columns.plot_x
    y = 0
    placed_groups, axis, bars_by_series = [], [], {}
    for group, group_bars in zip(groups, drawn, strict=True):
        heading, heading_title = _fitted(group.label, width - HEADING_X, bold=True)
        heading_y = _baseline(y, GROUP_HEIGHT)
        y += GROUP_HEIGHT
        note_text, note_y = "", None
        if not group_bars:
            note_text, note_y = fit_text(note, width - INDENT), _baseline(y, ROW_HEIGHT)
            y += ROW_HEIGHT
        else:
            axis.append(f"M{plot_x} {y}V{y + ROW_HEIGHT * len(group_bars)}")
        placed_bars = []
        for bar in group_bars:
            placed, path = _place_bar(bar, y, columns)
            placed_bars.append(placed)
            bars_by_series.setdefault(bar.series, []).append(path)
            y += ROW_HEIGHT
        placed_groups.append(
            PlacedGroup(
                group, heading, heading_title, heading_y, placed_bars, note_text, note_y
            )
        )
    ticks = tuple(
        Tick(round(plot_x + value * columns.unit, 1), value) for value in columns.values
    )
    axis.append(f"M{plot_x} {y}H{ticks[-1].x}")
    axis.extend(f"M{tick.x} {y}v{TICK_LENGTH}" for tick in ticks)
    axis_y = round(y + TICK_LENGTH + 2 + ASCENT * FONT_SIZE, 1)
    return ChartLayout(
        width=width,
        height=math.ceil(axis_y + DESCENT * FONT_SIZE + 2),
        plot_x=plot_x,
        plot_bottom=y,
        axis_y=axis_y,
        heading_x=HEADING_X,
        indent=INDENT,
        font_size=FONT_SIZE,
        ticks=ticks,
        groups=tuple(placed_groups),
        axis_path="".join(axis),
        series_paths=tuple(
            (series, "".join(paths)) for series, paths in bars_by_series.items()
        ),
    )
