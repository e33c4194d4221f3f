"""The counts a sentence makes: value, qualifier and what is counted.

Numbers that are not counts are passed over: years and dates, percentages,
areas, ages, ranks, durations, phone numbers and numbers inside a title
(``《2030年人才发展规划》``). Sums of money are kept, with their unit, and
never taken for counts.
"""

import re
from dataclasses import dataclass

from .numbers import (
    CHINESE_NUMBER,
    ENGLISH_NUMBER,
    chinese_value,
    english_value,
)

MORE_THAN, ABOUT, EXACTLY = "more_than", "about", "exactly"


@dataclass(frozen=True)
class Count:
    """A number a sentence states, with what it counts or its unit."""

    value: int | float
    qualifier: str
    counts: str
    span: tuple[int, int]  # from the qualifier to the end of the counted words
    unit: str | None = None


# English ------------------------------------------------------------------
EN_BEFORE_MORE = re.compile(
    r"(?:more than|over|upwards of|in excess of|at least|no fewer than|"
    r"no less than|exceeding|above)\s+$",
    re.IGNORECASE,
)
EN_BEFORE_ABOUT = re.compile(
    r"(?:about|around|approximately|roughly|some|nearly|almost|close to|"
    r"an estimated|up to|estimated)\s+$",
    re.IGNORECASE,
)
EN_AFTER_MORE = re.compile(r"^(?:-plus\b|\+|\s+plus\b|\s+or more\b)", re.IGNORECASE)
EN_CURRENCY_BEFORE = re.compile(
    r"(?P<cur>RMB|CNY|US\$|\$|¥|€|HK\$|USD|EUR)\s*$", re.IGNORECASE
)
EN_CURRENCY_AFTER = re.compile(
    r"^\s*(?P<scale>million|billion|thousand)?\s*(?P<cur>yuan|RMB|CNY|"
    r"(?:US )?dollars|USD|euros?|EUR)\b",
    re.IGNORECASE,
)
EN_NOT_COUNT_AFTER = re.compile(
    r"^(?:\s*(?:%|percent|per cent|percentage points?|square|sq\b|km|kilomet|"
    r"hectares?|mu\b|acres?|meters?|metres?|-year-old|years? old|years? of age|"
    r"years?|months?|weeks?|days?|hours?|minutes?|times|fold|st\b|nd\b|rd\b|"
    r"th\b|a\.m|p\.m|am\b|pm\b|o'clock|degrees?)|[-–/:.]\d)",
    re.IGNORECASE,
)
EN_NOT_COUNT_BEFORE = re.compile(
    r"(?:\baged|\bage of|\bages of|\bNo\.|\bnumber|\branked|\brank|\bNo|#|\btop|"
    r"\bphase|\bversion|\bline|\bgrade|\bclass|\blevel|\broom|\btel|\bphone|"
    r"\bsince|\buntil|[-–/:]|\d[.,])\s*$",
    re.IGNORECASE,
)
# Words that end a counted phrase: verbs, prepositions, conjunctions.
EN_STOP = set(
    [
        "a",
        "an",
        "the",
        "of",
        "from",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "under",
        "into",
        "onto",
        "over",
        "about",
        "were",
        "was",
        "are",
        "is",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "shall",
        "do",
        "does",
        "did",
        "that",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "when",
        "while",
        "as",
        "than",
        "then",
        "so",
        "such",
        "this",
        "these",
        "those",
        "its",
        "their",
        "his",
        "her",
        "our",
        "your",
        "it",
        "they",
        "we",
        "he",
        "she",
        "them",
        "us",
        "also",
        "both",
        "each",
        "every",
        "all",
        "some",
        "any",
        "more",
        "most",
        "other",
        "another",
        "including",
        "include",
        "includes",
        "included",
        "like",
        "via",
        "through",
        "across",
        "between",
        "among",
        "within",
        "without",
        "per",
        "signed",
        "appointed",
        "unveiled",
        "launched",
        "announced",
        "set",
        "established",
        "joined",
        "attended",
        "settled",
        "registered",
        "introduced",
        "attracted",
        "recruited",
        "brought",
        "gathered",
        "held",
        "opened",
        "built",
        "selected",
        "named",
        "received",
        "won",
        "hosted",
        "located",
        "based",
        "but",
        "said",
        "says",
        "according",
    ]
)
# Nouns numbers go with that are not counts of anything a report announces.
NOT_COUNTED = {
    "sides", "side", "parties", "ways", "aspects", "points", "rounds", "stages",
    "phases", "steps", "levels", "lines", "hands", "places", "regions",
    "provinces", "cities", "districts", "generations", "sessions",
}  # fmt: skip
# -ed words that describe rather than end a counted phrase.
EN_ADJECTIVES_IN_ED = {
    "talented", "skilled", "qualified", "advanced", "listed", "specialized",
    "specialised", "experienced", "renowned", "distinguished", "high-skilled",
    "highly-skilled", "accredited", "certified", "funded", "foreign-funded",
    "invested", "state-owned", "tech-based",
}  # fmt: skip


def english_counts(sentence, skip_spans):
    """Return the counts and sums of money an English ``sentence`` states."""
    found = []
    for match in ENGLISH_NUMBER.finditer(sentence):
        if _inside(match.span(), skip_spans):
            continue
        count = _english_count(sentence, match)
        if count is not None:
            found.append(count)
    return found


def _english_count(sentence, match):
    before, after = sentence[: match.start()], sentence[match.end() :]
    value = english_value(match.group())
    money = _english_money(before, after, value)
    if money is not None:
        return Count(money[0], _english_qualifier(before, after), "", match.span(),
                     money[1])  # fmt: skip
    if EN_NOT_COUNT_AFTER.match(after) or EN_NOT_COUNT_BEFORE.search(before):
        return None
    if re.fullmatch(r"(?:19|20)\d\d", match.group()):
        return None  # a year, written as one
    plus = EN_AFTER_MORE.match(after)
    rest = after[plus.end() :] if plus else after
    counted = _english_phrase(rest)
    if not counted or counted.lower() in NOT_COUNTED:
        return None
    qualifier = MORE_THAN if plus else _english_qualifier(before, after)
    start = match.start() - _qualifier_length(before)
    end = match.end() + (plus.end() if plus else 0) + rest.index(counted) + len(counted)
    return Count(value, qualifier, counted, (start, end))


def _english_money(before, after, value):
    currency = EN_CURRENCY_BEFORE.search(before)
    following = EN_CURRENCY_AFTER.match(after)
    if not currency and not following:
        return None
    scale = following.group("scale") if following else None
    if scale:
        value *= {"thousand": 1_000, "million": 1_000_000, "billion": 10**9}[
            scale.lower()
        ]
    symbol = (currency or following).group("cur").upper()
    unit = "CNY" if symbol in ("RMB", "CNY", "YUAN", "¥") else (
        "EUR" if symbol.startswith(("€", "EUR")) else "USD"
    )  # fmt: skip
    return value, unit


def _english_qualifier(before, after):
    if EN_BEFORE_MORE.search(before) or EN_AFTER_MORE.match(after):
        return MORE_THAN
    if EN_BEFORE_ABOUT.search(before):
        return ABOUT
    return EXACTLY


def _qualifier_length(before):
    match = EN_BEFORE_MORE.search(before) or EN_BEFORE_ABOUT.search(before)
    return len(match.group()) if match else 0


def _english_phrase(after):
    """Return the counted words that follow a number, as written."""
    words = []
    for word in re.findall(r"[A-Za-z][\w'’-]*|\S", after.lstrip())[:10]:
        lower = word.lower()
        if not re.match(r"[A-Za-z]", word) or lower in EN_STOP:
            break
        if lower.endswith("ed") and lower not in EN_ADJECTIVES_IN_ED and words:
            break
        if lower.endswith("ly"):
            break
        words.append(word)
    # "overseas talent innovation and entrepreneurship projects": an "and"
    # inside a phrase stays; one at its end goes.
    words = _up_to_first_plural(words)
    while words and words[-1].lower() in ("and", "or"):
        words.pop()
    text = after.lstrip()
    if not words:
        return ""
    phrase = text[: _end_of(text, words)]
    return phrase


PLURAL_NOUNS = {"people", "staff", "personnel", "men", "women", "children"}
NOT_PLURAL = re.compile(r"(?:ss|us|is|ics|overseas|series|news)$", re.IGNORECASE)


def _up_to_first_plural(words):
    """Cut "companies took part" after "companies": a count's noun is plural."""
    for index, word in enumerate(words):
        lower = word.lower()
        if lower in PLURAL_NOUNS or (
            lower.endswith("s") and not NOT_PLURAL.search(lower)
        ):
            return words[: index + 1]
    return words


def _end_of(text, words):
    position = 0
    for word in words:
        position = text.index(word, position) + len(word)
    return position


# Chinese ------------------------------------------------------------------
# 达 "reached" and 高达 "as high as" state the number itself, not more.
ZH_BEFORE_MORE = re.compile(r"(?:逾|超过|超|多于|不少于|至少)$")
ZH_BEFORE_ABOUT = re.compile(r"(?:约|大约|约有|近|将近|接近|近乎|左右)$")
ZH_AFTER_MORE = re.compile(r"^(?:余|多)")
ZH_AFTER_TRAILING = re.compile(r"^(?:以上|之多)")
ZH_AFTER_ABOUT = re.compile(r"^(?:左右|上下)")
CLASSIFIERS = (
    "个|家|名|位|项|所|座|支|人|户|套|台|种|类|条|件|场|次|篇|部|款|处|栋|只|"
    "组|队|批次|家次|人次"
)
ZH_CLASSIFIER = re.compile(rf"^(?:{CLASSIFIERS})")
ZH_MONEY = re.compile(r"^(?P<scale>万|亿|千万|百万)?(?P<cur>元|美元|欧元|人民币)")
ZH_NOT_COUNT_AFTER = re.compile(
    r"^(?:[年月日号岁%％成倍时点分秒度]|平方|亩|公里|公顷|米|周年|届|期|号线|"
    r"\.\d|[-－—/:：]\d)"
)
ZH_NOT_COUNT_BEFORE = re.compile(r"(?:第|No\.|[-－—/:：.]|\d)$")
# What ends a counted phrase after its classifier.
ZH_PHRASE_END = re.compile(
    r"[，。；、：！？,;:!?（）()“”\"《》\s的]|集中|正式|成功|顺利|现场|同时|"
    r"签约|签订|签署|落户|入驻|揭牌|授牌|受聘|成立|启动|发布|完成|实现|达到|获得|"
    r"参加|参与|开工|竣工|投产|亮相|出席|入选|通过|被|在|于|将|已|并|共|等|和|与|及|"
    r"也|都|还|为|是|以上|左右|之多|进行|开展|加入|来到|引进|认定"
)
# What a counted phrase before its number starts after: 青浦已建成院士工作站40余家.
ZH_NOUN_START = re.compile(
    r".*(?:[，。；、：！？,;:!?（）()“”\"《》\s\d]|有|建|共|计|达|已|了|成|在|于|"
    r"引进|培育|认定|设立|集聚|拥有|新增|累计|其中|吸引|招引|招收|聘请|聚集|汇聚|"
    r"培养|孵化|服务|带动|入驻|落户|签约|包括)"
)


def chinese_counts(sentence, skip_spans):
    """Return the counts and sums of money a Chinese ``sentence`` states."""
    found = []
    for match in CHINESE_NUMBER.finditer(sentence):
        if _inside(match.span(), skip_spans):
            continue
        count = _chinese_count(sentence, match)
        if count is not None:
            found.append(count)
    return found


def _chinese_count(sentence, match):
    before, after = sentence[: match.start()], sentence[match.end() :]
    try:
        value = chinese_value(match.group())
    except ValueError:
        return None
    qualifier = _chinese_qualifier(before, after)
    suffix = ZH_AFTER_MORE.match(after)
    position = match.end() + (suffix.end() if suffix else 0)
    after = sentence[position:]
    money = ZH_MONEY.match(after)
    if money:
        scale = {"万": 10**4, "亿": 10**8, "千万": 10**7, "百万": 10**6}
        value *= scale.get(money.group("scale") or "", 1)
        unit = {"美元": "USD", "欧元": "EUR"}.get(money.group("cur"), "CNY")
        return Count(_whole(value), qualifier, "", match.span(), unit)
    if ZH_NOT_COUNT_AFTER.match(after) or ZH_NOT_COUNT_BEFORE.search(before):
        return None
    classifier = ZH_CLASSIFIER.match(after)
    if not classifier:
        return None
    position += classifier.end()
    noun = _chinese_noun_after(sentence[position:])
    start = match.start() - _chinese_qualifier_length(before)
    if noun:
        counted, position = classifier.group() + noun, position + len(noun)
    else:
        # 院士工作站40余家: the counted words come before the number.
        counted = _chinese_noun_before(
            before[: len(before) - _chinese_qualifier_length(before)]
        )
        start -= len(counted)
    if not counted and classifier.group() in ("人", "名", "位"):
        counted = classifier.group()  # 两千余人参加: people, as written
    if not counted:
        return None
    if ZH_AFTER_TRAILING.match(sentence[position:]) and qualifier == EXACTLY:
        qualifier = MORE_THAN
    return Count(value, qualifier, counted, (start, position))


def _chinese_qualifier(before, after):
    if ZH_BEFORE_MORE.search(before) or ZH_AFTER_MORE.match(after):
        return MORE_THAN
    if ZH_BEFORE_ABOUT.search(before) or ZH_AFTER_ABOUT.match(after):
        return ABOUT
    return EXACTLY


def _chinese_qualifier_length(before):
    match = ZH_BEFORE_MORE.search(before) or ZH_BEFORE_ABOUT.search(before)
    return len(match.group()) if match else 0


def _chinese_noun_after(rest):
    end = ZH_PHRASE_END.search(rest)
    noun = rest[: end.start()] if end else rest
    return noun[:16]


def _chinese_noun_before(before):
    # 高新技术企业数量达到120家: the noun before the verb that gives its number.
    before = re.sub(
        r"(?:数量|总数|人数|达到|达|为|共有|共|有|超过|突破|增至|增加到)+$", "", before
    )
    run = before[-12:]
    cut = ZH_NOUN_START.match(run)
    return run[cut.end() :] if cut else run


def _inside(span, spans):
    return any(start < span[1] and span[0] < end for start, end in spans)


def _whole(value):
    return int(value) if float(value).is_integer() else float(value)
