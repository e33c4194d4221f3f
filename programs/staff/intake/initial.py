"""The review page's first values, from what the extractor proposes."""

import re

from django.utils.text import capfirst
from django.utils.translation import override

from ...models import AnnouncedFigure
from .proposals import OrganizationProposal
from .review import paragraphs_value

# The measure words a Chinese count puts before its noun (4名专家); 人 is left
# out, as it also begins nouns (人才).
LEADING_CLASSIFIER = re.compile(r"^[个家名位项所座支套台种条件](?=..)")


def initial_from(proposals):
    """Return the review page's initial values for ``proposals``.

    Names go in the field of the report's language; an English one left
    blank (a Chinese report) is for staff to type. Every party of an
    agreement is among the organizations, so that it can be ticked there.
    """
    language = proposals.source.language
    organizations = list(proposals.organizations)
    agreements = [
        _agreement_initial(agreement, organizations, language)
        for agreement in proposals.agreements
    ]
    return {
        "report": {
            "text": proposals.text,
            "language": language,
            "paragraphs": paragraphs_value(proposals.paragraphs),
        },
        "source": _source_initial(proposals.source, language),
        "organizations": [_organization_initial(o, language) for o in organizations],
        "agreements": agreements,
        "figures": [
            _figure_initial(figure, proposals.agreements, language)
            for figure in proposals.figures
        ],
    }


def _named(name, language, stem="name"):
    if language == "zh":
        return {f"{stem}_zh": name}
    # "strategic cooperation agreement", as a sentence has it, named.
    return {f"{stem}_en": capfirst(name)}


def _evidence(evidence):
    return {
        "keep": True,
        "paragraph": evidence.paragraph,
        "sentence": evidence.sentence,
        "start": evidence.start,
        "end": evidence.end,
    }


def _source_initial(source, language):
    return {
        "existing": source.existing,
        **_named(source.title, language, "title"),
        "outlet": source.outlet,
        "url": source.url,
        "published_on": source.published_on or source.stated_date,
    }


def _organization_initial(proposal, language):
    return {
        **_evidence(proposal.evidence),
        "existing": proposal.existing,
        **_named(proposal.name, language),
        "kind": proposal.kind,
        "district": proposal.district,
    }


def _agreement_initial(proposal, organizations, language):
    """Return an agreement's initial values, adding unlisted parties to
    ``organizations`` (as proposals standing on the agreement's sentence)."""
    parties = []
    for party in proposal.parties:
        index = _party_index(party, organizations)
        if index is None:
            organizations.append(
                OrganizationProposal(party.name, proposal.evidence, party.existing)
            )
            index = len(organizations) - 1
        parties.append(index)
    return {
        **_evidence(proposal.evidence),
        "existing": proposal.existing,
        **_named(proposal.name, language),
        "signed_on": proposal.signed_on,
        "district": proposal.district,
        "areas": "\n".join(proposal.areas),
        "parties": parties,
    }


def _party_index(party, organizations):
    for index, organization in enumerate(organizations):
        same_record = (
            party.existing is not None and party.existing == organization.existing
        )
        if same_record or party.name == organization.name:
            return index
    return None


def _figure_initial(proposal, agreements, language):
    agreement = proposal.agreement
    return {
        **_evidence(proposal.evidence),
        "keep": proposal.is_count,
        "existing": proposal.existing.pk if proposal.existing else None,
        **_figure_labels(proposal, language),
        "subject": proposal.subject or "",
        "value": proposal.value,
        "qualifier": proposal.qualifier,
        "as_of": proposal.as_of,
        "date_rule": proposal.date_rule,
        "district": proposal.district,
        "organization": proposal.organization,
        "agreement": agreements.index(agreement) if agreement in agreements else None,
        "counts": proposal.counts,
        "unit": proposal.unit or "",
    }


def _figure_labels(proposal, language):
    """Return the labels a figure starts with: its counted phrase as written,
    and in a Chinese report an English one from what it counts, if known."""
    if language != "zh":
        return {"label_en": capfirst(proposal.counts)}
    label_en = ""
    if proposal.subject in AnnouncedFigure.Subject.values:
        with override("en"):
            label_en = capfirst(str(AnnouncedFigure.Subject(proposal.subject).label))
    # 个重点项目 counts key projects; its label is 重点项目.
    return {
        "label_en": label_en,
        "label_zh": LEADING_CLASSIFIER.sub("", proposal.counts),
    }
