"""Dates as reports write them, resolved against the publication date.

A relative date ("on Thursday", ``上周三``, "the end of last year") is resolved
against the report's own date. Vague ones ("recently", "late July", ``近日``,
``日前``) resolve to nothing: a proposal never carries a date the text does
not support. Each found date says whether it is the day of an event ("on")
or a point a running total is counted to ("as of").
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from ...models import AnnouncedFigure

ON = AnnouncedFigure.DateRule.ON
AS_OF = AnnouncedFigure.DateRule.AS_OF

MONTHS = {
    name: number
    for number, names in enumerate(
        [(), ("january", "jan"), ("february", "feb"), ("march", "mar"),
         ("april", "apr"), ("may",), ("june", "jun"), ("july", "jul"),
         ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")]
    )
    for name in names
}  # fmt: skip
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
            "sunday"]  # fmt: skip
CHINESE_WEEKDAYS = "一二三四五六日天"
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(WEEKDAYS)

# Words that make a date the point a total is counted to.
AS_OF_WORDS = re.compile(
    r"\b(?:as of|as at|by the end of|by|until|up to|so far|to date|in total|"
    r"currently|now has|now have|there are now)\b|"
    r"截至|截止|到|至|累计|目前|现已|已有|共有",
    re.IGNORECASE,
)
# Words that place what a sentence tells on the day of the event before it.
SAME_OCCASION = re.compile(
    r"\b(?:at the same time|the same day|on the same occasion|as well|also|"
    r"(?:at|during) the (?:same |signing |launch |opening )?"
    r"(?:event|ceremony|meeting|forum|fair|conference|launch|signing))\b|"
    r"同时|同日|当天|当日|现场|会上|活动中|仪式上|此外",
    re.IGNORECASE,
)
# Words that date a count to the report itself: "currently", "so far".
NOW = re.compile(
    r"\b(?:currently|so far|to date|now has|now have|there are now|at present)\b|"
    r"目前|至今|现已|现有|截至目前|迄今",
    re.IGNORECASE,
)

ENGLISH_PATTERNS = [
    # 2023-06-15, 2023/6/15, 2023.6.15
    (r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b", "absolute"),
    # June 15, 2023 / June 15 / 15 June 2023 / 15 June
    (rf"\b(?P<mn>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
     rf"(?:,?\s+(?P<y>\d{{4}}))?", "absolute"),
    (rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mn>{_MONTH})\b\.?"
     rf"(?:,?\s+(?P<y>\d{{4}}))?", "absolute"),
    # the end of last year / the end of 2022 / the end of this year / end of June
    (r"\b(?:the\s+)?end\s+of\s+(?P<which>last|this|next|the)\s+year\b", "year_end"),
    (r"\b(?:the\s+)?end\s+of\s+(?P<y>\d{4})\b", "year_end"),
    (rf"\b(?:the\s+)?end\s+of\s+(?P<mn>{_MONTH})\b(?:,?\s+(?P<y>\d{{4}}))?",
     "month_end"),
    (r"\b(?:the\s+)?end\s+of\s+last\s+month\b", "last_month_end"),
    (r"\bthe\s+day\s+before\s+yesterday\b", "minus2"),
    (r"\byesterday\b", "minus1"),
    (r"\b(?:today|this\s+morning|this\s+afternoon|tonight)\b", "today"),
    (rf"\blast\s+(?P<wd>{_WEEKDAY})\b", "last_weekday"),
    (rf"\b(?P<wd>{_WEEKDAY})\b", "weekday"),
]  # fmt: skip
CHINESE_PATTERNS = [
    (r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]", "absolute"),
    (r"(?P<rel>今年|去年|前年|明年)(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]", "absolute"),
    (r"(?<![\d年])(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]", "absolute"),
    (r"(?P<y>\d{4})年(?:年)?[底末]", "year_end"),
    (r"(?P<rel>今年|去年|前年|明年)(?:年)?[底末]", "year_end"),
    (r"(?P<y>\d{4})年(?P<m>\d{1,2})月[底末]", "month_end"),
    (r"(?P<rel>今年|去年)(?P<m>\d{1,2})月[底末]", "month_end"),
    (r"(?<![\d年])(?P<m>\d{1,2})月[底末]", "month_end"),
    (r"上月[底末]", "last_month_end"),
    (r"前天|前日", "minus2"),
    (r"昨天|昨日", "minus1"),
    (r"今天|今日", "today"),
    (rf"上(?:周|星期|礼拜)(?P<wd>[{CHINESE_WEEKDAYS}])", "last_weekday"),
    (rf"(?:本|这)?(?:周|星期|礼拜)(?P<wd>[{CHINESE_WEEKDAYS}])", "weekday"),
]  # fmt: skip
_COMPILED = {
    "en": [(re.compile(p, re.IGNORECASE), kind) for p, kind in ENGLISH_PATTERNS],
    "zh": [(re.compile(p), kind) for p, kind in CHINESE_PATTERNS],
}


@dataclass(frozen=True)
class FoundDate:
    """A date a sentence states, with the words that state it."""

    date: datetime.date
    rule: str  # ON or AS_OF
    span: tuple[int, int]


def dates_in(sentence, language, published_on):
    """Return the dates ``sentence`` states, in order, resolved if they can be.

    Without a publication date, only dates that name their year resolve.
    """
    found, taken = [], []
    patterns = _COMPILED[language] + (_COMPILED["zh"] if language == "en" else [])
    for pattern, kind in patterns:
        for match in pattern.finditer(sentence):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            date = _resolve(kind, match, published_on)
            taken.append(match.span())
            if date is not None:
                found.append(
                    FoundDate(date, _rule(sentence, match, kind), match.span())
                )
    found.sort(key=lambda item: item.span)
    return found


def date_spans(sentence, language):
    """Return the spans of everything in ``sentence`` that reads as a date."""
    patterns = _COMPILED[language] + (_COMPILED["zh"] if language == "en" else [])
    return [m.span() for pattern, _kind in patterns for m in pattern.finditer(sentence)]


def stated_publication_date(text):
    """Return the first full date in the report's opening lines, if any."""
    opening = "\n".join(text.splitlines()[:3])[:400]
    for language in ("en", "zh"):
        for found in dates_in(opening, language, None):
            if found.rule == ON:
                return found.date
    return None


def _rule(sentence, match, kind):
    before = sentence[max(0, match.start() - 25) : match.start()]
    if kind in ("year_end", "month_end", "last_month_end") or AS_OF_WORDS.search(
        before
    ):
        return AS_OF
    return ON


def _resolve(kind, match, published_on):
    groups = match.groupdict()
    try:
        if kind == "absolute":
            year = _year(groups, published_on)
            month = (
                int(groups["m"]) if groups.get("m") else MONTHS[groups["mn"].lower()]
            )
            return (
                None if year is None else datetime.date(year, month, int(groups["d"]))
            )
        if kind == "year_end":
            year = _year(groups, published_on)
            return None if year is None else datetime.date(year, 12, 31)
        if kind == "month_end":
            year = _year(groups, published_on)
            month = (
                int(groups["m"]) if groups.get("m") else MONTHS[groups["mn"].lower()]
            )
            return None if year is None else _month_end(year, month)
    except (ValueError, KeyError):
        # 2月30日 and the like: no such day, so no date.
        return None
    if published_on is None:
        return None
    return _relative(kind, groups, published_on)


def _relative(kind, groups, published_on):
    if kind == "last_month_end":
        return published_on.replace(day=1) - datetime.timedelta(days=1)
    if kind in ("minus2", "minus1", "today"):
        back = {"minus2": 2, "minus1": 1, "today": 0}[kind]
        return published_on - datetime.timedelta(days=back)
    weekday = _weekday(groups["wd"])
    if kind == "last_weekday":
        # The weekday of the week before the report's week.
        monday = published_on - datetime.timedelta(days=published_on.weekday() + 7)
        return monday + datetime.timedelta(days=weekday)
    # A bare weekday is the last one on or before the report: news tells
    # what happened, and "on Thursday" in a Friday report is yesterday.
    back = (published_on.weekday() - weekday) % 7
    return published_on - datetime.timedelta(days=back)


def _weekday(name):
    if name in CHINESE_WEEKDAYS:
        return min(CHINESE_WEEKDAYS.index(name), 6)
    return WEEKDAYS.index(name.lower())


def _year(groups, published_on):
    if groups.get("y"):
        return int(groups["y"])
    if published_on is None:
        return None
    which = groups.get("rel") or groups.get("which") or "this"
    offset = {"今年": 0, "去年": -1, "前年": -2, "明年": 1, "this": 0, "the": 0,
              "last": -1, "next": 1}[which]  # fmt: skip
    return published_on.year + offset


def _month_end(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])
