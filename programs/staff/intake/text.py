"""A report's text as paragraphs and sentences, each with its offsets."""

import re
from dataclasses import dataclass

from .proposals import Evidence

# A paragraph is a line: reports pasted from a page or a Word file keep one
# paragraph per line, and blank lines between them change nothing.
PARAGRAPH = re.compile(r"[^\n]+")
# Chinese sentences end at 。！？ (and a closing quote after one).
CHINESE_END = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)]*|$)")
# English sentences end at . ! ? before a space and a capital, digit or quote,
# except after the abbreviations reports use inside names and numbers.
ENGLISH_BREAK = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
ABBREVIATIONS = re.compile(
    r"(?:\b(?:Co|Ltd|Inc|Corp|No|Nos|Mr|Mrs|Ms|Dr|Prof|St|Jan|Feb|Mar|Apr|Jun|"
    r"Jul|Aug|Sep|Sept|Oct|Nov|Dec|Dept|Govt|vs|etc|approx|U\.S|U\.K|P\.R)|"
    r"\b[A-Z])\.$"
)
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a report, where it stands in the text."""

    text: str
    paragraph: int  # counted from 1
    start: int
    end: int

    def evidence(self, mark=None):
        """Return the evidence of a proposal made from this sentence.

        ``mark`` is a (start, end) span within the sentence.
        """
        if mark is not None:
            mark = (self.start + mark[0], self.start + mark[1])
        return Evidence(self.paragraph, self.text, self.start, self.end, mark)


def language_of(text):
    """Return "zh" for a report mostly in Chinese characters, else "en"."""
    # A Chinese character carries about as much as three Latin letters, and
    # Chinese reports quote acronyms while English ones quote few characters.
    return "zh" if len(CJK.findall(text)) * 3 > len(LATIN.findall(text)) else "en"


def paragraphs_of(text):
    """Return each paragraph's (start, end) offsets in ``text``."""
    return [
        (match.start(), match.end())
        for match in PARAGRAPH.finditer(text)
        if match.group().strip()
    ]


def sentences_of(text, language):
    """Return the sentences of ``text``, in order, with their paragraphs."""
    sentences = []
    for number, (start, end) in enumerate(paragraphs_of(text), start=1):
        for piece_start, piece_end in _split(text[start:end], language):
            sentence = text[start + piece_start : start + piece_end]
            stripped = sentence.strip()
            if stripped:
                offset = start + piece_start + sentence.index(stripped)
                sentences.append(
                    Sentence(stripped, number, offset, offset + len(stripped))
                )
    return sentences


def _split(paragraph, language):
    """Yield (start, end) of each sentence in ``paragraph``."""
    if language == "zh":
        for match in CHINESE_END.finditer(paragraph):
            if match.group().strip():
                yield match.span()
        return
    start = 0
    for match in ENGLISH_BREAK.finditer(paragraph):
        if ABBREVIATIONS.search(paragraph[start : match.start()].rstrip('"”’)')):
            continue
        yield start, match.start()
        start = match.end()
    yield start, len(paragraph)
