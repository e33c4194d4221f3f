"""Numbers as reports write them, in words, numerals or Chinese characters."""

import re

import cn2an

ENGLISH_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
ENGLISH_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000,
                  "billion": 1_000_000_000}  # fmt: skip
_WORD = "|".join(sorted(ENGLISH_UNITS, key=len, reverse=True))
_SCALE = "|".join(ENGLISH_SCALES)
# "1,100", "1.5", "twenty-three", "two hundred and forty", "1.5 million".
ENGLISH_NUMBER = re.compile(
    rf"(?<![\w.,-])(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?"
    rf"(?:\s+(?:{_SCALE}))?"
    rf"|(?:{_WORD})(?:[-\s](?:{_WORD}))?"
    rf"(?:\s+(?:{_SCALE})(?:\s+(?:and\s+)?(?:{_WORD})(?:[-\s](?:{_WORD}))?)?)*"
    rf"|(?:a|one)\s+(?:{_SCALE}))(?!\w|-(?!plus\b))",
    re.IGNORECASE,
)
# 四, 二十三, 两千, 1100, 1.5万, 3千: digits may take a Chinese scale.
CHINESE_DIGITS = "〇零一二两三四五六七八九"
CHINESE_SCALES = "十百千万亿"
CHINESE_NUMBER = re.compile(
    # 千余名, 百余家: a scale alone, before 余 or 多.
    rf"(?:(?<![{CHINESE_DIGITS}{CHINESE_SCALES}\d])[百千万](?=余|多)"
    rf"|\d+(?:\.\d+)?[{CHINESE_SCALES}]*"
    rf"|[{CHINESE_DIGITS}{CHINESE_SCALES}]*[{CHINESE_DIGITS}十][{CHINESE_SCALES}]*)"
)


def english_value(words):
    """Return the value of an English number such as "twenty-three" or "1,100"."""
    words = words.lower().replace(",", "").replace("-", " ")
    words = re.sub(r"\band\b", " ", words).split()
    if re.fullmatch(r"\d+(\.\d+)?", words[0]):
        value = float(words[0])
        for word in words[1:]:
            value *= ENGLISH_SCALES[word]
        return _whole(value)
    total = current = 0
    for word in words:
        if word in ENGLISH_SCALES:
            scale = ENGLISH_SCALES[word]
            current = (current or 1) * scale
            if scale >= 1000:
                total, current = total + current, 0
        elif word == "a":
            current = current or 1
        else:
            current += ENGLISH_UNITS.get(word, 0)
    return total + current


def chinese_value(numeral):
    """Return the value of a Chinese numeral such as "二十三", "1.5万" or "两"."""
    if numeral in ("百", "千", "万"):
        return {"百": 100, "千": 1000, "万": 10_000}[numeral]
    return _whole(cn2an.cn2an(numeral, "smart"))


def _whole(value):
    return int(value) if float(value).is_integer() else float(value)
