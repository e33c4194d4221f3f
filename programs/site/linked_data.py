"""
schema.org linked data (JSON-LD) for the detail page of each kind of record.

A page describes its record, and each published record it links to, as nodes
of one graph. A node is named by the absolute URL of its record's page (its
``@id``, also its ``url``, in the page's language as its canonical link is),
so that search engines and other readers can join pages by ``@id``.

Names (of records, places, fields, ventures) are given in both languages,
whichever the page is in, as a record's page heads itself with both. Other
text (a summary, a title, a status) is given as the page shows it: in the
page's language, or the other when that is blank, tagged with the language it
is in, so that an English page holds no Chinese summary, nor the reverse.

What must hold:

- Only what the page itself shows. Never a field of a model's
  ``STAFF_ONLY_FIELDS`` (no field is read here that a page does not show),
  and never an unpublished related record: every link goes through
  ``Graph.link``, which refuses one, as the ``record_link`` tag does.
- No query of its own. Everything read here is what the detail view
  (``records.py``) already selects or prefetches for the template: its
  ``select_related`` foreign keys, its public-only prefetches (sources,
  parties, projects, experts, workstations, fields, entrepreneurs). The
  related-record lists of district, organization and source pages (one
  ``UNION`` query of ``RecordLink`` rows) are left out: they are the inverse
  of links the other pages already state.
- Nothing invented: a blank field is left out, not filled in.

The context is inline (``@vocab``) rather than the URL ``https://schema.org``:
the same terms in plain JSON-LD, which parses without fetching schema.org's
context document (the tests have no network, and neither need readers).
"""

from ..kinds import kind_of
from ..models import AgreementParty, Organization
from ..models.base import CHINESE, ENGLISH, active_and_other_language, in_language
from ..templatetags.programs import record_url, safe_link

CONTEXT = {"@vocab": "https://schema.org/"}

# The schema.org type of each kind's records; organizations have their own.
TYPES = {
    "district": "AdministrativeArea",
    # schema.org has no type for a contract. An agreement is a document its
    # parties wrote and signed: a CreativeWork has authors and contributors,
    # a creation date, a status in its life (creativeWorkStatus), a place it
    # covers and the things it is about (its projects). An Event would be
    # only the signing ceremony, an Action only one party's act.
    "agreement": "CreativeWork",
    # schema.org's Project: "an enterprising endeavor" of people and
    # organizations. A subtype of Organization, so it has a parent
    # organization, members, a location and a founding date.
    "project": "Project",
    # An academician workstation is a standing research unit inside its host
    # organization, with experts in residence and a date it was set up: a
    # ResearchOrganization (parentOrganization, member, foundingDate). Not a
    # ResearchProject, which is a time-bound endeavour with an aim.
    "workstation": "ResearchOrganization",
    "expert": "Person",
    "entrepreneur": "Person",
    # NewsArticle would say more, but a source does not record whether it is
    # a news report, a notice or a press release; CreativeWork fits them all.
    "source": "CreativeWork",
}

# The closest schema.org type of each kind of organization.
ORGANIZATION_TYPES = {
    Organization.Kind.GOVERNMENT: "GovernmentOrganization",
    Organization.Kind.UNIVERSITY: "CollegeOrUniversity",
    Organization.Kind.COMPANY: "Corporation",
    # "A scientific institute, research company": schema.org's own example.
    Organization.Kind.INSTITUTE: "ResearchOrganization",
    # Not NGO: many associations here are set up and sponsored by government
    # (a science and technology association is), which "non-governmental"
    # would misstate; schema.org has no other type for them.
    Organization.Kind.ASSOCIATION: "Organization",
    # The park's management committee, which signs and hosts: an organization
    # rather than a Place, and schema.org has no industrial park.
    Organization.Kind.INDUSTRIAL_PARK: "Organization",
    Organization.Kind.OTHER: "Organization",
}

# How a party takes part in an agreement: the signatories wrote it and put
# their names to it; a supporter backs it (sponsor: "supports a thing through a
# pledge, promise, or financial contribution"); a witness takes a lesser part.
PARTY_PROPERTIES = {
    AgreementParty.Role.SIGNATORY: "author",
    AgreementParty.Role.SUPPORTER: "sponsor",
    AgreementParty.Role.WITNESS: "contributor",
}


def schema_type(record):
    """Return the schema.org type of ``record``, one of a kind in ``KINDS``."""
    if isinstance(record, Organization):
        return ORGANIZATION_TYPES.get(record.kind, "Organization")
    return TYPES[kind_of(record).key]


class Graph:
    """The nodes of one page's linked data: each record once, by its page."""

    def __init__(self, request):
        self.request = request
        self.nodes = {}

    def node(self, record):
        """Return ``record``'s node: its identity, type and names."""
        url = self.request.build_absolute_uri(record_url(record))
        if url not in self.nodes:
            self.nodes[url] = without_blanks(
                {
                    "@id": url,
                    "@type": schema_type(record),
                    "url": url,
                    "name": in_both_languages(record, "name"),
                }
            )
        return self.nodes[url]

    def link(self, record):
        """Return a reference to ``record``'s node, or None if it is not public."""
        if record is None or not record.is_public:
            return None
        return {"@id": self.node(record)["@id"]}

    def links(self, records):
        """Return references to the public ones of ``records``."""
        return [link for link in map(self.link, records) if link]

    def document(self):
        """Return the JSON-LD document: a context and the graph's nodes."""
        return {"@context": CONTEXT, "@graph": list(self.nodes.values())}


def linked_data(record, request):
    """Return the JSON-LD document of ``record``'s page, as a dict.

    Its first node is the record's own; the others are the published records
    it links to, each with just its identity, type and names.
    """
    graph = Graph(request)
    node = graph.node(record)
    node.update(without_blanks(DESCRIPTIONS[kind_of(record).key](record, graph)))
    return graph.document()


def in_both_languages(record, stem):
    """Return ``record``'s ``<stem>_en`` and ``<stem>_zh``, language-tagged."""
    return [
        {"@value": text, "@language": tag}
        for suffix, tag in (ENGLISH, CHINESE)
        if (text := getattr(record, f"{stem}_{suffix}", ""))
    ]


def as_shown(record, stem):
    """Return ``record``'s ``stem`` text as its page shows it, language-tagged.

    In the page's language, or in the other one when that is blank, tagged
    with the language it is in; None when both are blank.
    """
    text, tag = in_language(record, stem)
    return {"@value": text, "@language": tag} if text else None


def lines_as_shown(record, stem):
    """Return the non-blank lines of ``stem`` as its page shows them."""
    text, tag = in_language(record, stem)
    return [
        {"@value": line.strip(), "@language": tag}
        for line in text.splitlines()
        if line.strip()
    ]


def choice_as_shown(record, field_name):
    """Return the label of ``record``'s ``field_name`` in the page's language."""
    (_suffix, tag), _other = active_and_other_language()
    label = getattr(record, f"get_{field_name}_display")()
    return {"@value": str(label), "@language": tag}


def iso_date(date):
    return date.isoformat() if date else None


BLANKS = (None, "", [], {})


def without_blanks(properties):
    """Return ``properties`` without the blank ones: nothing is made up."""
    return {key: value for key, value in properties.items() if value not in BLANKS}


def summary_of(record):
    """Return a record's summary, as its page shows it, as its description."""
    return {"description": as_shown(record, "summary")}


def cited(record, graph):
    """Return the citations of ``record``: its published sources."""
    return {"citation": graph.links(record.sources.all())}


def field_names(*fields):
    """Return the names of the published ``fields`` of research (no pages)."""
    return [
        name
        for field in fields
        if field is not None and field.is_public
        for name in in_both_languages(field, "name")
    ]


def role_at(organization, graph, start):
    """Return a person's tie to ``organization`` since ``start``, or None.

    The schema.org Role pattern: the tie itself is a node, so that it can
    carry the date (of the appointment, of the signing) that a bare
    ``affiliation`` cannot.
    """
    link = graph.link(organization)
    if link is None:
        return None
    return without_blanks(
        {"@type": "OrganizationRole", "affiliation": link, "startDate": iso_date(start)}
    )


def describe_district(district, graph):
    return {
        **summary_of(district),
        "containedInPlace": city_and_province(district),
        **cited(district, graph),
    }


def city_and_province(district):
    """Return the city a district is in, itself in its province.

    One place when they are the same, as for Shanghai, a city with a
    province's rank.
    """
    province = {"@type": "State", "name": in_both_languages(district, "province")}
    city = {"@type": "City", "name": in_both_languages(district, "city")}
    if district.city_en == district.province_en:
        return city
    return {**city, "containedInPlace": province}


def describe_organization(organization, graph):
    return {
        **summary_of(organization),
        "location": graph.link(organization.district),
        # Its own website identifies it; "url" is its page here.
        "sameAs": safe_link(organization.website),
        **cited(organization, graph),
    }


def describe_agreement(agreement, graph):
    parties = {}
    for party in agreement.party_roles.all():
        link = graph.link(party.organization)
        if link:
            parties.setdefault(PARTY_PROPERTIES[party.role], []).append(link)
    return {
        **summary_of(agreement),
        "dateCreated": iso_date(agreement.signed_on),
        "creativeWorkStatus": choice_as_shown(agreement, "status"),
        **parties,
        "spatialCoverage": graph.link(agreement.district),
        "keywords": lines_as_shown(agreement, "cooperation_areas"),
        # The projects under it; they say "subjectOf" it in return.
        "about": graph.links(agreement.projects.all()),
        **cited(agreement, graph),
    }


def describe_project(project, graph):
    return {
        **summary_of(project),
        # Announced or signed: when the project came to be, as far as any
        # source says.
        "foundingDate": iso_date(project.announced_on),
        # The organization that leads or hosts it: the project is its work.
        "parentOrganization": graph.link(project.lead_organization),
        "location": graph.link(project.district),
        "subjectOf": graph.link(project.agreement),
        "knowsAbout": field_names(project.field),
        "member": graph.links(project.entrepreneurs.all()),
        **cited(project, graph),
    }


def describe_workstation(workstation, graph):
    return {
        **summary_of(workstation),
        "foundingDate": iso_date(workstation.established_on),
        "parentOrganization": graph.link(workstation.host_organization),
        "location": graph.link(workstation.district),
        "knowsAbout": field_names(workstation.field),
        "member": graph.links(workstation.experts.all()),
        **cited(workstation, graph),
    }


def describe_expert(expert, graph):
    return {
        **summary_of(expert),
        "jobTitle": as_shown(expert, "title"),
        "affiliation": role_at(expert.appointed_by, graph, expert.appointed_on),
        "workLocation": graph.link(expert.district),
        "memberOf": graph.links(expert.workstations.all()),
        "knowsAbout": field_names(*expert.research_fields.all()),
        **cited(expert, graph),
    }


def describe_entrepreneur(entrepreneur, graph):
    # Not their country or region: it says where they came from, and
    # "nationality" would make it a citizenship, and a region a country.
    venture = in_both_languages(entrepreneur, "venture")
    return {
        **summary_of(entrepreneur),
        "affiliation": role_at(
            entrepreneur.host_organization, graph, entrepreneur.signed_on
        ),
        "worksFor": {"@type": "Organization", "name": venture} if venture else None,
        "memberOf": graph.link(entrepreneur.project),
        "workLocation": graph.link(entrepreneur.district),
        "knowsAbout": field_names(entrepreneur.field),
        **cited(entrepreneur, graph),
    }


def describe_source(source, graph):
    # The records that cite a source say so ("citation"); its own page lists
    # them from one query of names only (RecordLink), not restated here.
    return {
        "datePublished": iso_date(source.published_on),
        "publisher": (
            {"@type": "Organization", "name": source.outlet} if source.outlet else None
        ),
        # The original document is this very work; "url" is its page here.
        "sameAs": safe_link(source.url),
    }


# What each kind's node says beyond its identity, by kind key.
DESCRIPTIONS = {
    "district": describe_district,
    "organization": describe_organization,
    "agreement": describe_agreement,
    "project": describe_project,
    "workstation": describe_workstation,
    "expert": describe_expert,
    "entrepreneur": describe_entrepreneur,
    "source": describe_source,
}
