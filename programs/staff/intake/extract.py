"""Read a report and propose what it tells, sentence by sentence."""

import re

from django.db.models import Case, IntegerField, Value, When

from ...models import Agreement, AnnouncedFigure, Source
from ...models.figures import PROJECT_SUBJECTS
from . import agreements as signing
from .counts import chinese_counts, english_counts
from .dates import NOW, SAME_OCCASION, date_spans, dates_in, stated_publication_date
from .names import Gazetteer, Mention
from .proposals import (
    AgreementProposal,
    FigureProposal,
    OrganizationProposal,
    Party,
    Proposals,
    SourceProposal,
)
from .subjects import subject_of
from .text import language_of, paragraphs_of, sentences_of

AS_OF = AnnouncedFigure.DateRule.AS_OF
ON = AnnouncedFigure.DateRule.ON
# Subjects that count people: "experts from SAST" are SAST's experts, not
# experts SAST appointed or hosts, so "from" does not tie them to it.
PEOPLE = {"experts", "entrepreneurs", "talent"}
# "the association", 该协会: an organization the report named before.
ANAPHORA = {
    "association": r"\bthe association\b|该会|该协会|该学会",
    "industrial_park": r"\bthe park\b|该园区",
    "university": r"\bthe university\b|该校|该大学",
    "company": r"\bthe company\b|该公司|该企业",
}
TITLE_LENGTH = 120


def propose(text, *, published_on=None, outlet="", url=""):
    """Return what ``text``, a report published on ``published_on``, proposes.

    When no publication date is given, the one the text states is used.
    Nothing is written: the proposals are matched to records on file.
    """
    language = language_of(text)
    stated = stated_publication_date(text)
    published_on = published_on or stated
    reader = _Reader(language, published_on)
    for sentence in sentences_of(text, language):
        reader.read(sentence)
    source = SourceProposal(
        title=_title(text, language),
        language=language,
        published_on=published_on,
        outlet=outlet,
        url=url,
        stated_date=stated,
        existing=_existing_source(text, url, published_on),
    )
    proposals = Proposals(
        text=text,
        paragraphs=paragraphs_of(text),
        source=source,
        districts=reader.districts,
        organizations=reader.organizations,
        agreements=reader.agreements,
        figures=reader.figures,
    )
    _settle_figure_districts(proposals, reader.district_sentences)
    _match_existing(proposals)
    return proposals


class _Reader:
    """Reads a report's sentences in order, keeping what earlier ones said."""

    def __init__(self, language, published_on):
        self.language = language
        self.published_on = published_on
        self.gazetteer = Gazetteer()
        self.districts = []
        self.organizations = []
        self.agreements = []
        self.figures = []
        # The day of the last event told, for "at the same time", 同时.
        self.last_event = None
        # How many sentences name each district.
        self.district_sentences = {}

    def read(self, sentence):
        text = sentence.text
        districts = self.gazetteer.districts_in(text)
        mentions = self.gazetteer.organizations_in(text, self.language)
        for district in {mention.existing for mention in districts}:
            if district not in self.districts:
                self.districts.append(district)
            self.district_sentences[district] = (
                self.district_sentences.get(district, 0) + 1
            )
        for mention in mentions:
            self._note_organization(mention, sentence)
        dates = dates_in(text, self.language, self.published_on)
        event_date = next((d.date for d in dates if d.rule == ON), None)
        if event_date is None and SAME_OCCASION.search(text):
            event_date = self.last_event
        self._read_agreements(sentence, mentions, districts, event_date)
        self._read_figures(sentence, mentions, districts, dates, event_date)
        if event_date is not None:
            self.last_event = event_date

    def _note_organization(self, mention, sentence):
        for proposal in self.organizations:
            if _same(proposal, mention):
                return
        self.organizations.append(
            OrganizationProposal(
                name=mention.name,
                evidence=sentence.evidence(mention.span),
                existing=mention.existing,
                kind=mention.existing.kind if mention.existing else mention.kind,
                district=(
                    mention.existing.district if mention.existing else mention.district
                ),
            )
        )

    def _read_agreements(self, sentence, mentions, districts, event_date):
        text = sentence.text

        def parties_in(start, end):
            inside = [m for m in mentions if start <= m.span[0] < end]
            # 青浦区与…签署: a district signs through its government.
            for district in districts:
                if (
                    start <= district.span[0] < end
                    and not any(
                        m.span[0] <= district.span[0] < m.span[1] for m in mentions
                    )
                    and _signs_as_party(text, district.span)
                ):
                    government = self.gazetteer.government_of(district.existing)
                    inside.append(Mention(district.name, district.span, government))
            return sorted(inside, key=lambda m: m.span)

        areas = signing.areas_in(text, self.language)
        for found in signing.signings_in(text, self.language, parties_in):
            district = next(
                (d.existing for d in districts), None
            ) or _district_of_parties(found.parties)
            self.agreements.append(
                AgreementProposal(
                    name=found.name,
                    evidence=sentence.evidence(found.span),
                    signed_on=event_date,
                    parties=_parties(found.parties),
                    areas=areas,
                    district=district,
                )
            )

    def _read_figures(self, sentence, mentions, districts, dates, event_date):
        text = sentence.text
        skip = date_spans(text, self.language) + [
            m.span() for m in re.finditer(r"《[^》]*》|“[^”]*”", text)
        ]
        skip += [mention.span for mention in mentions]
        finder = chinese_counts if self.language == "zh" else english_counts
        for count in finder(text, skip):
            subject = subject_of(count.counts) if count.unit is None else None
            as_of, rule = self._figure_date(text, count, dates, event_date)
            clause = _clause_of(text, count.span, self.language)
            self.figures.append(
                FigureProposal(
                    value=count.value,
                    qualifier=count.qualifier,
                    counts=count.counts,
                    evidence=sentence.evidence(count.span),
                    subject=subject,
                    unit=count.unit,
                    as_of=as_of,
                    date_rule=rule,
                    district=_district_in(districts, clause),
                    organization=self._organization_of(text, clause, mentions, subject),
                    agreement=self._agreement_of(text, subject),
                )
            )

    def _figure_date(self, text, count, dates, event_date):
        """Return the date a count holds for, and whether it is a running total."""
        if dates:
            found = min(dates, key=lambda d: abs(d.span[0] - count.span[0]))
            return found.date, found.rule
        if NOW.search(text) and self.published_on:
            return self.published_on, AS_OF
        return event_date, ON

    def _organization_of(self, text, clause, mentions, subject):
        start, end = clause
        for mention in mentions:
            if not (start <= mention.span[0] < end):
                continue
            before = text[max(0, mention.span[0] - 12) : mention.span[0]]
            if subject in PEOPLE and re.search(r"\bfrom (?:the )?$|来自$", before):
                continue
            # A new organization has no record yet: staff choose on review.
            return mention.existing
        words = text[start:end]
        for kind, pattern in ANAPHORA.items():
            if re.search(pattern, words):
                if subject in PEOPLE and re.search(rf"\bfrom (?:{pattern})", words):
                    continue
                earlier = [o for o in self.organizations if o.kind == kind]
                if len(earlier) == 1:
                    return earlier[0].existing
        return None

    def _agreement_of(self, text, subject):
        if subject not in PROJECT_SUBJECTS or not self.agreements:
            return None
        if re.search(r"agreement|cooperation|协议|合作", text, re.IGNORECASE):
            return self.agreements[-1]
        return None


def _signs_as_party(text, span):
    """Return True if a district named at ``span`` is a side of a signing."""
    before, after = text[max(0, span[0] - 5) : span[0]], text[span[1] : span[1] + 6]
    return bool(
        re.match(r"\s*(?:与|和|同|跟|and\b|signed|签)", after)
        or re.search(r"(?:与|和|同|跟|\bwith|\band)\s*(?:the\s+)?$", before)
    )


def _same(proposal, mention):
    if mention.existing is not None:
        return proposal.existing == mention.existing
    return proposal.existing is None and proposal.name.lower() == mention.name.lower()


def _parties(mentions):
    parties, seen = [], set()
    for mention in mentions:
        key = mention.existing.pk if mention.existing else mention.name
        if key not in seen:
            seen.add(key)
            parties.append(Party(mention.name, mention.existing))
    return parties


def _district_of_parties(mentions):
    for mention in mentions:
        district = getattr(mention.existing, "district", None)
        if district is not None:
            return district
    return None


def _district_in(districts, clause):
    start, end = clause
    for mention in districts:
        if start <= mention.span[0] < end:
            return mention.existing
    return districts[0].existing if districts else None


def _clause_of(text, span, language):
    """Return the (start, end) of the clause of ``text`` holding ``span``."""
    breaks = (
        r"[；;]|，(?=[^，]{2,})" if language == "zh" else r";|,\s+and\s+|,\s+while\s+"
    )
    start, end = 0, len(text)
    for match in re.finditer(breaks, text):
        if match.end() <= span[0]:
            start = match.end()
        elif match.start() >= span[1]:
            end = match.start()
            break
    return start, end


def _settle_figure_districts(proposals, district_sentences):
    """Place figures in the report's district when their sentence names none.

    A report about one district tells its counts for that district ("eight
    key projects were unveiled" in a Qingpu report). A report is about one
    district when more of its sentences name it than name all others; one
    about several leaves an unplaced count unplaced.
    """
    if not district_sentences:
        return
    main = max(district_sentences, key=district_sentences.get)
    others = sum(district_sentences.values()) - district_sentences[main]
    if district_sentences[main] <= others:
        return
    for figure in proposals.figures:
        if figure.district is None and figure.unit is None:
            figure.district = main


def _title(text, language):
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = re.sub(
        r"^\s*(?:date\s*)?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*", "", first
    )
    sentence = sentences_of(first, language)
    title = sentence[0].text if sentence else first
    if len(title) <= TITLE_LENGTH:
        return title
    cut = title[:TITLE_LENGTH]
    if language == "en" and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,，") + "…"


def _existing_source(text, url, published_on):
    if url:
        found = Source.objects.filter(url=url).first()
        if found:
            return found
    return Source.objects.filter(text=text).first() if text else None


def _match_existing(proposals):
    """Point each proposal at the record on file it repeats, if there is one."""
    for agreement in proposals.agreements:
        agreement.existing = _existing_agreement(agreement)
    source = proposals.source.existing
    for figure in proposals.figures:
        if figure.unit is not None or figure.subject is None or figure.as_of is None:
            continue
        candidates = AnnouncedFigure.objects.filter(
            subject=figure.subject,
            value=figure.value,
            qualifier=figure.qualifier,
            as_of=figure.as_of,
        )
        if source is not None:
            candidates = candidates.order_by(models_case_source_first(source))
        figure.existing = candidates.first()


def models_case_source_first(source):

    return Case(
        When(source=source, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def _existing_agreement(agreement):
    parties = [party.existing for party in agreement.parties]
    if not parties or any(party is None for party in parties):
        return None
    candidates = Agreement.objects.all()
    for party in parties:
        candidates = candidates.filter(parties=party)
    if agreement.signed_on:
        candidates = candidates.filter(signed_on=agreement.signed_on)
    return candidates.distinct().first()
