"""The schema.org linked data (JSON-LD) of every record's page
(programs/site/linked_data.py), read as a search engine would: parsed as RDF."""

import datetime
import functools
import json
import operator
import re

import pytest
import rdflib
from django.test import RequestFactory
from django.urls import reverse
from rdflib import RDF, Literal, Namespace, URIRef

from programs.kinds import BY_KEY, KINDS
from programs.models import AgreementParty, Organization, PublicationStatus
from programs.site import records
from programs.site.linked_data import linked_data

from . import factories as f
from .test_views import three_of_each

pytestmark = [
    pytest.mark.django_db,
    # rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph:DeprecationWarning"),
]

SCHEMA = Namespace("https://schema.org/")
DATA_BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
ROLE = AgreementParty.Role

# The schema.org type of each kind's page, as factories make its records
# (an organization is a company unless a test says otherwise).
EXPECTED_TYPES = {
    "district": "AdministrativeArea",
    "organization": "Corporation",
    "agreement": "CreativeWork",
    "project": "Project",
    "workstation": "ResearchOrganization",
    "expert": "Person",
    "entrepreneur": "Person",
    "source": "CreativeWork",
}


def data_block(page):
    """Return the text of the page's one JSON-LD block."""
    blocks = DATA_BLOCK.findall(page)
    assert len(blocks) == 1
    return blocks[0]


def page_data(client, record, language_prefix=""):
    """Return ``record``'s page's JSON-LD, as text and as an RDF graph."""
    response = client.get(language_prefix + record.get_absolute_url())
    assert response.status_code == 200
    text = data_block(response.text)
    return text, rdflib.Graph().parse(data=text, format="json-ld")


def node(record):
    """Return the @id of ``record``'s node: its page's absolute URL."""
    return URIRef(f"http://testserver{record.get_absolute_url()}")


def path(dotted):
    """Return the RDF property path "a/b" as rdflib's schema:a/schema:b."""
    return functools.reduce(operator.truediv, map(SCHEMA.term, dotted.split("/")))


def of_kind(kind, **fields):
    """Make a published record of ``kind`` named in both languages."""
    if kind.key == "source":
        fields.setdefault("title_zh", "合作报道")
    return f.make_of_kind(kind, **fields)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_page_describes_its_record_by_type_address_and_both_names(client, kind):
    """Each kind's page holds one node of its schema.org type, named by its
    page's address, with its name in English and in Chinese."""
    record = of_kind(kind)
    _text, graph = page_data(client, record)
    me = node(record)

    assert (me, RDF.type, SCHEMA[EXPECTED_TYPES[kind.key]]) in graph
    assert graph.value(me, SCHEMA.url) == Literal(str(me))
    names = set(graph.objects(me, SCHEMA.name))
    assert Literal(record.name_en, lang="en") in names
    assert Literal(record.name_zh, lang="zh-Hans") in names


@pytest.mark.parametrize(
    ("organization_kind", "schema_type"),
    [
        (Organization.Kind.GOVERNMENT, "GovernmentOrganization"),
        (Organization.Kind.UNIVERSITY, "CollegeOrUniversity"),
        (Organization.Kind.COMPANY, "Corporation"),
        (Organization.Kind.INSTITUTE, "ResearchOrganization"),
        (Organization.Kind.ASSOCIATION, "Organization"),
        (Organization.Kind.INDUSTRIAL_PARK, "Organization"),
        (Organization.Kind.OTHER, "Organization"),
    ],
)
def test_an_organization_takes_the_type_of_its_kind(
    client, organization_kind, schema_type
):
    """A government, university, company or institute is typed as one."""
    organization = f.make_organization(kind=organization_kind)
    _text, graph = page_data(client, organization)
    assert (node(organization), RDF.type, SCHEMA[schema_type]) in graph


def test_a_district_is_in_its_city_in_its_province(client):
    """A district names the city it is in, and the city its province."""
    district = f.make_district(
        city_en="Suzhou", city_zh="苏州市", province_en="Jiangsu", province_zh="江苏省"
    )
    _text, graph = page_data(client, district)

    city = graph.value(node(district), SCHEMA.containedInPlace)
    province = graph.value(city, SCHEMA.containedInPlace)
    assert (city, RDF.type, SCHEMA.City) in graph
    assert set(graph.objects(city, SCHEMA.name)) == {
        Literal("Suzhou", lang="en"),
        Literal("苏州市", lang="zh-Hans"),
    }
    assert (province, RDF.type, SCHEMA.State) in graph
    assert Literal("Jiangsu", lang="en") in set(graph.objects(province, SCHEMA.name))


def test_a_district_of_a_municipality_is_in_one_place(client):
    """Shanghai is city and province at once: one place, not one inside itself."""
    district = f.make_district(city_en="Shanghai", province_en="Shanghai")
    _text, graph = page_data(client, district)

    city = graph.value(node(district), SCHEMA.containedInPlace)
    assert (city, RDF.type, SCHEMA.City) in graph
    assert graph.value(city, SCHEMA.containedInPlace) is None


CITING_KINDS = [kind for kind in KINDS if kind.has_sources]


@pytest.mark.parametrize("kind", CITING_KINDS, ids=str)
def test_a_record_cites_its_published_sources_only(client, kind):
    """Each published source is a citation, a CreativeWork with its title; a
    draft source is nowhere in the data."""
    record = of_kind(kind)
    published = f.make_source(title_en="Published report", title_zh="已发布报道")
    draft = f.make_source(
        title_en="Draft report", publication_status=PublicationStatus.DRAFT
    )
    record.sources.add(published, draft)
    text, graph = page_data(client, record)

    assert (node(record), SCHEMA.citation, node(published)) in graph
    assert (node(published), RDF.type, SCHEMA.CreativeWork) in graph
    assert Literal("已发布报道", lang="zh-Hans") in graph.objects(
        node(published), SCHEMA.name
    )
    assert node(draft) not in set(graph.all_nodes())
    assert "Draft report" not in text


def test_a_source_gives_its_date_outlet_and_original_link(client):
    """A source page gives when and by whom it was published, and where."""
    source = f.make_source(
        outlet="Jiefang Daily",
        url="https://www.example.org/report",
        published_on=datetime.date(2023, 6, 16),
    )
    _text, graph = page_data(client, source)
    me = node(source)

    assert graph.value(me, SCHEMA.datePublished) == Literal("2023-06-16")
    publisher = graph.value(me, SCHEMA.publisher)
    assert graph.value(publisher, SCHEMA.name) == Literal("Jiefang Daily")
    assert graph.value(me, SCHEMA.sameAs) == Literal("https://www.example.org/report")


def test_a_script_link_is_not_given_as_the_original(client):
    """A javascript: address, loaded past validation, is left out as on the page."""
    source = f.make_source(url="javascript:alert(1)")
    text, graph = page_data(client, source)
    assert graph.value(node(source), SCHEMA.sameAs) is None
    assert "javascript:" not in text


def test_an_agreement_names_its_published_parties_by_role(client):
    """Signatories are its authors, supporters its sponsors, witnesses its
    contributors; a draft party is nowhere in the data."""
    agreement = f.make_agreement()
    signatory, supporter, witness = (f.make_organization() for _ in range(3))
    hidden = f.make_organization(
        name_en="Unannounced partner", publication_status=PublicationStatus.DRAFT
    )
    for organization, role in [
        (signatory, ROLE.SIGNATORY),
        (supporter, ROLE.SUPPORTER),
        (witness, ROLE.WITNESS),
        (hidden, ROLE.SIGNATORY),
    ]:
        AgreementParty.objects.create(
            agreement=agreement, organization=organization, role=role
        )
    text, graph = page_data(client, agreement)
    me = node(agreement)

    assert set(graph.objects(me, SCHEMA.author)) == {node(signatory)}
    assert set(graph.objects(me, SCHEMA.sponsor)) == {node(supporter)}
    assert set(graph.objects(me, SCHEMA.contributor)) == {node(witness)}
    assert (node(signatory), RDF.type, SCHEMA.Corporation) in graph
    assert node(hidden) not in set(graph.all_nodes())
    assert "Unannounced partner" not in text


@pytest.fixture
def linked():
    """One published record of every kind, each linked to the others, each
    with a name found nowhere else."""
    district = f.make_district(name_en="Linked district")
    organization = f.make_organization(name_en="Linked organization", district=district)
    agreement = f.make_agreement(
        name_en="Linked agreement", parties=[organization], district=district
    )
    project = f.make_project(
        name_en="Linked project",
        agreement=agreement,
        district=district,
        lead_organization=organization,
    )
    expert = f.make_expert(
        name_en="Linked expert", appointed_by=organization, district=district
    )
    workstation = f.make_workstation(
        name_en="Linked workstation", host_organization=organization, district=district
    )
    workstation.experts.add(expert)
    entrepreneur = f.make_entrepreneur(
        name_en="Linked entrepreneur",
        host_organization=organization,
        district=district,
        project=project,
    )
    return {
        "district": district,
        "organization": organization,
        "agreement": agreement,
        "project": project,
        "expert": expert,
        "workstation": workstation,
        "entrepreneur": entrepreneur,
    }


# (page, property path from its node, the related record it reaches).
LINKS = [
    ("organization", "location", "district"),
    ("agreement", "author", "organization"),
    ("agreement", "spatialCoverage", "district"),
    ("agreement", "about", "project"),
    ("project", "parentOrganization", "organization"),
    ("project", "location", "district"),
    ("project", "subjectOf", "agreement"),
    ("project", "member", "entrepreneur"),
    ("workstation", "parentOrganization", "organization"),
    ("workstation", "location", "district"),
    ("workstation", "member", "expert"),
    ("expert", "affiliation/affiliation", "organization"),
    ("expert", "workLocation", "district"),
    ("expert", "memberOf", "workstation"),
    ("entrepreneur", "affiliation/affiliation", "organization"),
    ("entrepreneur", "workLocation", "district"),
    ("entrepreneur", "memberOf", "project"),
]
LINK_IDS = [f"{page}-{dotted}-{related}" for page, dotted, related in LINKS]


@pytest.mark.parametrize(("page", "dotted", "related"), LINKS, ids=LINK_IDS)
def test_a_page_links_its_published_related_records(
    client, linked, page, dotted, related
):
    """A related record is linked by its page's address and described there
    by its type and both names."""
    _text, graph = page_data(client, linked[page])
    other = linked[related]

    assert node(other) in set(graph.objects(node(linked[page]), path(dotted)))
    assert (node(other), RDF.type, SCHEMA[EXPECTED_TYPES[related]]) in graph
    assert Literal(other.name_zh, lang="zh-Hans") in graph.objects(
        node(other), SCHEMA.name
    )


@pytest.mark.parametrize(("page", "dotted", "related"), LINKS, ids=LINK_IDS)
def test_an_unpublished_related_record_is_nowhere_in_the_data(
    client, linked, page, dotted, related
):
    """Once the related record is a draft, neither its address nor its name
    is in the page's data."""
    other = linked[related]
    other.publication_status = PublicationStatus.DRAFT
    other.save()
    text, graph = page_data(client, linked[page])

    assert node(other) not in set(graph.all_nodes())
    assert other.name_en not in text


def test_a_person_is_tied_to_an_organization_by_a_role_with_its_date(client, linked):
    """An expert's appointment is an OrganizationRole, which can say when it
    began (schema.org's Role pattern), with the organization inside it."""
    expert = linked["expert"]
    _text, graph = page_data(client, expert)

    role = graph.value(node(expert), SCHEMA.affiliation)
    assert (role, RDF.type, SCHEMA.OrganizationRole) in graph
    assert graph.value(role, SCHEMA.affiliation) == node(linked["organization"])
    assert graph.value(role, SCHEMA.startDate) == Literal("2023-06-15")


# (kind, its date field, the property path that gives it).
DATES = [
    ("agreement", "signed_on", "dateCreated"),
    ("project", "announced_on", "foundingDate"),
    ("workstation", "established_on", "foundingDate"),
    ("expert", "appointed_on", "affiliation/startDate"),
    ("entrepreneur", "signed_on", "affiliation/startDate"),
]


@pytest.mark.parametrize(("key", "field", "dotted"), DATES)
def test_a_date_is_an_iso_date_and_a_blank_one_is_left_out(client, key, field, dotted):
    """A date is given as YYYY-MM-DD; a blank date is not made up."""
    dated = f.make_of_kind(BY_KEY[key], **{field: datetime.date(2021, 3, 9)})
    undated = f.make_of_kind(BY_KEY[key], **{field: None})

    _text, graph = page_data(client, dated)
    assert list(graph.objects(node(dated), path(dotted))) == [Literal("2021-03-09")]
    _text, graph = page_data(client, undated)
    assert list(graph.objects(node(undated), path(dotted))) == []


STAFF_ONLY = {
    "email": "private.person@example.org",
    "phone": "+86 21 6975 0000",
    "notes": "Staff note: call before quoting",
}


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_staff_only_fields_never_reach_the_data(client, linked, kind):
    """No email, phone or staff note, of the record or of any it links to or
    cites, is in any page's data."""
    source = f.make_source(notes=STAFF_ONLY["notes"])
    for record in linked.values():
        record.sources.add(source)
        if "email" in type(record).STAFF_ONLY_FIELDS:
            record.email, record.phone = STAFF_ONLY["email"], STAFF_ONLY["phone"]
            record.save()
    record = source if kind.key == "source" else linked[kind.key]
    text, _graph = page_data(client, record)
    for value in STAFF_ONLY.values():
        assert value not in text


def test_a_script_in_a_name_stays_inside_the_data_block(client):
    """A name holding </script> and <!-- is escaped: it neither ends the data
    block nor starts a script, and the data still parses to the very name."""
    name = "</script><script>alert(1)</script> <!-- R&D"
    organization = f.make_organization(name_en=name)
    project = f.make_project(lead_organization=organization)

    for record in (organization, project):
        page = client.get(record.get_absolute_url()).text
        assert "<script>alert(1)" not in page
        text = data_block(page)
        assert "<" not in text and "&" not in text
        graph = rdflib.Graph().parse(data=text, format="json-ld")
        assert Literal(name, lang="en") in graph.objects(
            node(organization), SCHEMA.name
        )


def test_text_other_than_names_is_in_the_language_the_page_shows(client):
    """An English page's data holds the English summary and a Chinese page's
    the Chinese one, each tagged; names are in both on both, and the nodes
    are named by the page's own addresses."""
    project = f.make_project(summary_en="In English.", summary_zh="中文摘要。")
    english_node = node(project)
    chinese_node = URIRef(f"http://testserver/zh-hans{project.get_absolute_url()}")
    _text, english = page_data(client, project)
    _text, chinese = page_data(client, project, language_prefix="/zh-hans")

    assert set(english.objects(english_node, SCHEMA.description)) == {
        Literal("In English.", lang="en")
    }
    assert set(chinese.objects(chinese_node, SCHEMA.description)) == {
        Literal("中文摘要。", lang="zh-Hans")
    }
    assert len(set(chinese.objects(chinese_node, SCHEMA.name))) == 2


def test_the_data_block_is_data_that_the_script_policy_allows(client):
    """The one <script> of a record's page is a JSON-LD data block in <head>,
    not a script that the Content-Security-Policy (script-src 'self') would
    refuse; pages that are no record's have none."""
    agreement = f.make_agreement()
    response = client.get(agreement.get_absolute_url())
    head = response.text.split("</head>")[0]

    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert re.findall(r"<script[^>]*>", response.text) == [
        '<script type="application/ld+json">'
    ]
    assert '<script type="application/ld+json">' in head
    for url in (reverse("programs:home"), reverse("programs:agreement-list")):
        assert "application/ld+json" not in client.get(url).text


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_the_data_costs_no_query_beyond_the_view(django_assert_num_queries, kind):
    """Built from the record as its detail view fetches it (selected and
    prefetched), the data reads nothing more from the database."""
    record = three_of_each()[kind.key]
    view = getattr(records, f"{kind.model.__name__}DetailView")()
    request = RequestFactory().get(record.get_absolute_url())
    view.setup(request, slug=record.slug)
    fetched = view.get_object()

    with django_assert_num_queries(0):
        document = linked_data(fetched, request)
    assert json.dumps(document, ensure_ascii=False)


def test_a_published_field_is_named_and_a_draft_one_is_not(client):
    """What a project works on is named in both languages, unless the field
    is a draft (which its page does not show either)."""
    shown = f.make_project(field=f.make_field(name_en="Batteries", name_zh="电池"))
    hidden = f.make_project(
        field=f.make_field(
            name_en="Unannounced field", publication_status=PublicationStatus.DRAFT
        )
    )

    _text, graph = page_data(client, shown)
    assert set(graph.objects(node(shown), SCHEMA.knowsAbout)) == {
        Literal("Batteries", lang="en"),
        Literal("电池", lang="zh-Hans"),
    }
    text, _graph = page_data(client, hidden)
    assert "Unannounced field" not in text
