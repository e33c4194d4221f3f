"""Agreements a sentence says were signed: what, between whom, on what."""

import re
from dataclasses import dataclass

from .names import Mention

EN_AGREEMENT = re.compile(
    r"\b(?P<modifiers>(?:[a-z][\w-]*\s+){0,5}?)"
    r"(?P<noun>agreements?|memorand(?:um|a) of understanding|memorand(?:um|a)|"
    r"MoUs?|MOUs?|contracts?|pacts?|accords?)\b",
)
EN_SIGNED = re.compile(r"\b(?:sign(?:ed|s|ing)?|ink(?:ed|s)?|entered into|concluded)\b")
EN_MODIFIER_STOP = re.compile(
    r"^(?:a|an|the|two|three|four|five|several|this|that|these|its|their|"
    r"signed|sign|signing|inked|ink|new|under|of|with|by|and|will|would|to|"
    r"is|was|were|are|has|have|had|on|at|in|for|between|into|entered|\d+)$"
)
ZH_AGREEMENT = re.compile(
    r"(?:签署|签订|签约|缔结|达成)(?:了)?(?P<name>[^，。；、,;]{0,20}?"
    r"(?:协议书|协议|备忘录|合同|协定|框架协议))"
)
ZH_AGREEMENT_NOUN = re.compile(r"协议|备忘录|合同|协定")
EN_AREAS = re.compile(
    r"(?:cooperation|cooperate|work together|collaborat\w*)\s+(?:in|on)\s+"
    r"(?:areas such as\s+|fields such as\s+)?(?P<list>[^.;]+)",
    re.IGNORECASE,
)
ZH_AREAS = re.compile(
    r"(?:在|围绕|就|聚焦|涵盖|包括)(?P<list>[^。；]{4,80}?)等?(?:方面|领域|内容)"
)
RESPECTIVELY = re.compile(r"分别|respectively|separately", re.IGNORECASE)


@dataclass(frozen=True)
class Signing:
    """One agreement a clause says was signed."""

    name: str
    parties: list[Mention]
    span: tuple[int, int]


def signings_in(sentence, language, parties_in):
    """Return the agreements ``sentence`` says were signed.

    ``parties_in(start, end)`` returns the organizations named in that part
    of the sentence. A sentence may report several agreements, one per clause
    ("A signed with B, and C signed with D"), or one party's with several
    ("A分别与B、C签署协议").
    """
    signings = []
    for start, end in _clauses(sentence, language):
        clause = sentence[start:end]
        name = _name(clause, language)
        if name is None:
            continue
        parties = parties_in(start, end)
        if not parties:
            continue
        span = (start, end)
        pairs = _pairs(clause, start, parties, plural=name.endswith("s"))
        if pairs:
            signings += [Signing(name, pair, span) for pair in pairs]
            continue
        signings.append(Signing(name, parties, span))
    return signings


def _pairs(clause, start, parties, plural=False):
    """Return one pair per agreement when one party signed with several.

    "A分别与B、C签署", "A与B、C分别签订", "A signed … with B and C
    respectively": the side of 与/with that holds one party signed with each
    party on the other side.
    """
    if len(parties) < 3 or not (plural or RESPECTIVELY.search(clause)):
        return None
    joiner = re.search(r"与|同|跟|\bwith\b", clause)
    if not joiner:
        return None
    pivot = start + joiner.start()
    left = [p for p in parties if p.span[0] < pivot]
    right = [p for p in parties if p.span[0] >= pivot]
    if len(left) == 1 and len(right) > 1:
        return [[left[0], other] for other in right]
    if len(right) == 1 and len(left) > 1:
        return [[other, right[0]] for other in left]
    return None


def areas_in(sentence, language):
    """Return the areas of cooperation ``sentence`` lists, as written."""
    pattern = ZH_AREAS if language == "zh" else EN_AREAS
    match = pattern.search(sentence)
    if not match:
        return []
    if language == "zh":
        items = re.split(r"[、，,]|以及|和|及", match.group("list"))
    else:
        items = re.split(r",\s*(?:and\s+)?|\s+and\s+(?=the\s|attracting|\w+ing\b)",
                         match.group("list"))  # fmt: skip
    return [item.strip(" ,") for item in items if len(item.strip(" ,")) > 1]


def _clauses(sentence, language):
    """Yield (start, end) of each clause that could report a signing."""
    splitter = r"[；;]|，(?=[^，]*(?:签署|签订|签约))" if language == "zh" else (
        r";|,\s+(?:and|while|whereas)\s+(?=(?:the\s+)?[A-Z])"
    )  # fmt: skip
    start = 0
    for match in re.finditer(splitter, sentence):
        yield start, match.start()
        start = match.end()
    yield start, len(sentence)


def _name(clause, language):
    if language == "zh":
        match = ZH_AGREEMENT.search(clause)
        if match:
            return match.group("name").lstrip("了")
        # 协议签署: the noun before the verb.
        if ZH_AGREEMENT_NOUN.search(clause) and re.search(r"签署|签订|签约", clause):
            noun = ZH_AGREEMENT_NOUN.search(clause)
            head = re.split(r"[，、与和的]", clause[: noun.end()])[-1]
            return head[-12:]
        return None
    if not EN_SIGNED.search(clause):
        return None
    for match in EN_AGREEMENT.finditer(clause):
        before = clause[: match.start()].split()
        if before and re.fullmatch(
            r"\d+|[a-z]+teen|twenty|thirty|several|two|three|four|five|six|seven|eight|nine|ten",
            before[-1],
        ):
            continue  # "signed 12 agreements": a count, not one agreement
        kept = []
        for word in reversed(match.group("modifiers").split()):
            if EN_MODIFIER_STOP.match(word):
                break
            kept.insert(0, word)
        return " ".join([*kept, match.group("noun")])
    return None
