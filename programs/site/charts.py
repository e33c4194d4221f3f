"""
The geometry of the statistics page's bar charts.

Pure functions: they place bars, labels and ticks for a template to draw as
SVG, so no JavaScript is needed to read a chart, and they are tested without
a database.
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
GROUP_HEIGHT = 25
ROW_HEIGHT = 20
BAR_HEIGHT = 13
AXIS_HEIGHT = 22
INDENT = 8
VALUE_ROOM = 44
LABEL_GAP = 8


@dataclass(frozen=True)
class Tick:
    x: float
    value: int


@dataclass(frozen=True)
class PlacedBar:
    bar: Bar
    label: str
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True)
class PlacedGroup:
    group: Group
    label: str
    y: float
    bars: tuple
    # Where to say "none" when every bar in the group is zero.
    note_y: float | None = None


@dataclass(frozen=True)
class ChartLayout:
    width: int
    height: int
    plot_x: float
    plot_bottom: float
    axis_y: float
    bar_height: int
    indent: int
    font_size: int
    ticks: tuple
    groups: tuple


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


def text_width(text, size=FONT_SIZE):
    """Estimate the drawn width of ``text``: CJK characters are square, others not.

    Latin letters are taken at 0.65 em, as wide as in the widest common sans
    fonts, so that a label never runs into its bar.
    """
    return sum(
        size if unicodedata.east_asian_width(char) in "WF" else size * 0.65
        for char in str(text)
    )


def fit_text(text, width, size=FONT_SIZE):
    """Return ``text``, shortened with an ellipsis to fit ``width``."""
    text = str(text)
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def layout_chart(groups, width=CHART_WIDTH):
    """Place horizontal bars, grouped under headings, with an axis of ticks below.

    Each bar's label sits to its left and its number to its right, so that a
    bar can be read without telling colours apart.
    """
    labels = [bar.label for group in groups for bar in group.bars if bar.value]
    label_room = min(
        max((text_width(label) for label in labels), default=0),
        width * 0.45 - INDENT - LABEL_GAP,
    )
    plot_x = round(INDENT + label_room + LABEL_GAP, 1)
    plot_width = width - plot_x - VALUE_ROOM
    ticks = scale_ticks(
        max((bar.value for group in groups for bar in group.bars), default=0)
    )
    unit = plot_width / ticks[-1]

    y = 0
    placed_groups = []
    for group in groups:
        heading_y = y + GROUP_HEIGHT - 7
        y += GROUP_HEIGHT
        placed_bars = []
        # Zero bars are left out of the drawing (the table keeps them), so a
        # chart of many years or fields stays short; an empty group says so.
        note_y = None
        if not any(bar.value for bar in group.bars):
            note_y = y + ROW_HEIGHT - 5
            y += ROW_HEIGHT
        for bar in (bar for bar in group.bars if bar.value):
            bar_width = round(bar.value * unit, 1)
            placed_bars.append(
                PlacedBar(
                    bar,
                    fit_text(bar.label, label_room),
                    y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                    bar_width,
                    y + ROW_HEIGHT - 5,
                    round(plot_x + bar_width + 4, 1),
                )
            )
            y += ROW_HEIGHT
        placed_groups.append(
            PlacedGroup(
                group, fit_text(group.label, width), heading_y, placed_bars, note_y
            )
        )
    plot_bottom = y + 4
    return ChartLayout(
        width=width,
        height=math.ceil(plot_bottom + AXIS_HEIGHT),
        plot_x=plot_x,
        plot_bottom=plot_bottom,
        axis_y=plot_bottom + AXIS_HEIGHT - 6,
        bar_height=BAR_HEIGHT,
        indent=INDENT,
        font_size=FONT_SIZE,
        ticks=tuple(Tick(round(plot_x + value * unit, 1), value) for value in ticks),
        groups=tuple(placed_groups),
    )
