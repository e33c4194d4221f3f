"""What a report proposes, each proposal with the evidence it stands on."""

import datetime
from dataclasses import dataclass, field

from ...models import (
    Agreement,
    AnnouncedFigure,
    District,
    Organization,
    Source,
)


@dataclass(frozen=True)
class Evidence:
    """Where in the report a proposal stands: its paragraph and sentence.

    ``start`` and ``end`` are the sentence's offsets in the report's text;
    ``mark`` the offsets of the words that produced the proposal, for the
    review page to highlight.
    """

    paragraph: int  # counted from 1
    sentence: str
    start: int
    end: int
    mark: tuple[int, int] | None = None


@dataclass
class SourceProposal:
    """The report itself, as a source record."""

    title: str
    language: str  # "en" or "zh"
    published_on: datetime.date | None
    outlet: str = ""
    url: str = ""
    # The publication date the text states, offered when none was given.
    stated_date: datetime.date | None = None
    # A source on file with the same link, or title and date.
    existing: Source | None = None


@dataclass
class OrganizationProposal:
    """An organization the report names, on file or new."""

    name: str
    evidence: Evidence
    existing: Organization | None = None
    kind: str = Organization.Kind.OTHER
    district: District | None = None


@dataclass
class Party:
    """One side of an agreement, as named and as matched."""

    name: str
    existing: Organization | None = None


@dataclass
class AgreementProposal:
    """An agreement the report says was signed, with whom and when."""

    name: str
    evidence: Evidence
    signed_on: datetime.date | None = None
    parties: list[Party] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    district: District | None = None
    existing: Agreement | None = None


@dataclass
class FigureProposal:
    """A count the report announces: its value, qualifier and what it counts."""

    value: int | float
    qualifier: str  # an AnnouncedFigure.Qualifier value
    counts: str  # the counted noun phrase, as written
    evidence: Evidence
    subject: str | None = None  # an AnnouncedFigure.Subject value
    unit: str | None = None  # money: "CNY", "USD"; None for a count
    as_of: datetime.date | None = None
    date_rule: str = AnnouncedFigure.DateRule.ON
    district: District | None = None
    organization: Organization | None = None
    agreement: AgreementProposal | None = None
    existing: AnnouncedFigure | None = None

    @property
    def is_count(self):
        """Return True if this counts things; False for a sum of money."""
        return self.unit is None


@dataclass
class Proposals:
    """Everything one report proposes, in the order it says it."""

    text: str
    paragraphs: list[tuple[int, int]]  # each paragraph's offsets in ``text``
    source: SourceProposal
    districts: list[District] = field(default_factory=list)
    organizations: list[OrganizationProposal] = field(default_factory=list)
    agreements: list[AgreementProposal] = field(default_factory=list)
    figures: list[FigureProposal] = field(default_factory=list)

    def as_json(self):
        """Return the proposals as the JSON object ``propose_records`` prints."""
        return {
            "source": {
                "title": self.source.title,
                "published_on": _iso(self.source.published_on),
                "language": self.source.language,
            },
            "districts": [district.slug for district in self.districts],
            "organizations": [
                {
                    "name": proposal.name,
                    "organization": _slug(proposal.existing),
                    "evidence": proposal.evidence.sentence,
                }
                for proposal in self.organizations
            ],
            "agreements": [
                {
                    "name": proposal.name,
                    "signed_on": _iso(proposal.signed_on),
                    "evidence": proposal.evidence.sentence,
                    "parties": [
                        {"name": party.name, "organization": _slug(party.existing)}
                        for party in proposal.parties
                    ],
                }
                for proposal in self.agreements
            ],
            "figures": [
                {
                    "value": proposal.value,
                    "qualifier": proposal.qualifier,
                    "counts": proposal.counts,
                    "subject": proposal.subject,
                    "unit": proposal.unit,
                    "as_of": _iso(proposal.as_of),
                    "district": _slug(proposal.district),
                    "organization": _slug(proposal.organization),
                    "evidence": proposal.evidence.sentence,
                }
                for proposal in self.figures
            ],
        }


def _iso(date):
    return date.isoformat() if date else None


def _slug(record):
    return record.slug if record else None
