import datetime
import re

import pytest
from django.urls import reverse

from programs.kinds import KINDS, PROGRAMME_KINDS
from programs.models import (
    Agreement,
    District,
    Organization,
    Project,
    Source,
)
from programs.site import filters

from . import factories as f

pytestmark = pytest.mark.django_db


def names(filterset_class, data, queryset=None):
    """Return the English names the filterset selects from ``data``."""
    model = filterset_class._meta.model
    filterset = filterset_class(data, queryset=queryset or model.objects.public())
    assert filterset.is_valid(), filterset.errors
    return sorted(str(record.name) for record in filterset.qs)


def errors(filterset_class, data):
    model = filterset_class._meta.model
    filterset = filterset_class(data, queryset=model.objects.all())
    assert not filterset.is_valid()
    return filterset.errors


# q -------------------------------------------------------------------------


def test_q_matches_english_substring_case_insensitively():
    """`q` finds a record by part of its English name in any case."""
    f.make_organization(name_en="Qingpu Industrial Park", name_zh="青浦工业园区")
    f.make_organization(name_en="Wujiang Hub", name_zh="吴江中心")
    assert names(filters.OrganizationFilterSet, {"q": "qingpu"}) == [
        "Qingpu Industrial Park"
    ]


def test_q_matches_chinese_substring():
    """`q` finds a record by part of its Chinese name."""
    f.make_organization(name_en="Qingpu Industrial Park", name_zh="青浦工业园区")
    f.make_organization(name_en="Wujiang Hub", name_zh="吴江中心")
    assert names(filters.OrganizationFilterSet, {"q": "青浦"}) == [
        "Qingpu Industrial Park"
    ]


def test_blank_q_returns_everything():
    """A blank or whitespace `q` does not filter."""
    f.make_project()
    f.make_project()
    assert len(names(filters.ProjectFilterSet, {"q": "   "})) == 2


def test_q_searches_entrepreneur_venture_and_country():
    """`q` on entrepreneurs also matches their venture and country."""
    f.make_entrepreneur(
        name_en="A", venture_en="Solar Robotics", country_or_region_en="Canada"
    )
    f.make_entrepreneur(name_en="B", venture_en="Biotech")
    assert names(filters.EntrepreneurFilterSet, {"q": "robot"}) == ["A"]
    assert names(filters.EntrepreneurFilterSet, {"q": "canada"}) == ["A"]


def test_q_searches_source_titles():
    """`q` on sources matches their titles in both languages."""
    f.make_source(title_en="Cooperation report", title_zh="合作报道")
    f.make_source(title_en="Other")
    assert [s.title_en for s in _sources({"q": "合作"})] == ["Cooperation report"]


def _sources(data):
    filterset = filters.SourceFilterSet(data, queryset=Source.objects.public())
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs)


def test_q_longer_than_100_characters_is_rejected():
    """An overlong search is an error on the form, not a slow query."""
    assert "q" in errors(filters.ProjectFilterSet, {"q": "x" * 101})


# district -----------------------------------------------------------------


def test_district_filters_by_slug():
    """`district` keeps the records of the district with that slug."""
    qingpu = f.make_district(slug="qingpu")
    f.make_project(name_en="In Qingpu", district=qingpu)
    f.make_project(name_en="Elsewhere", district=f.make_district())
    assert names(filters.ProjectFilterSet, {"district": "qingpu"}) == ["In Qingpu"]


def test_unknown_district_is_an_error():
    """A district slug that names no published district is named as an error."""
    f.make_district(slug="hidden", publication_status="draft")
    assert "district" in errors(filters.ProjectFilterSet, {"district": "hidden"})
    assert "district" in errors(filters.ProjectFilterSet, {"district": "nowhere"})


# organization and agreement -------------------------------------------------


def test_organization_filters_agreements_by_party():
    """`organization` on agreements keeps those the organization is party to."""
    sast = f.make_organization(slug="sast")
    f.make_agreement(name_en="With SAST", parties=[sast])
    f.make_agreement(name_en="Without", parties=[f.make_organization()])
    assert names(filters.AgreementFilterSet, {"organization": "sast"}) == ["With SAST"]


def test_organization_filters_projects_by_lead():
    """`organization` on projects keeps those it leads."""
    lead = f.make_organization(slug="lead")
    f.make_project(name_en="Led", lead_organization=lead)
    f.make_project(name_en="Other")
    assert names(filters.ProjectFilterSet, {"organization": "lead"}) == ["Led"]


def test_organization_filters_people_by_host_or_appointer():
    """`organization` on experts, workstations and entrepreneurs uses their host."""
    host = f.make_organization(slug="host")
    f.make_expert(name_en="Appointed", appointed_by=host)
    f.make_expert(name_en="Other")
    f.make_workstation(name_en="Hosted", host_organization=host)
    f.make_workstation(name_en="Other")
    f.make_entrepreneur(name_en="Signed", host_organization=host)
    f.make_entrepreneur(name_en="Other")
    assert names(filters.ExpertFilterSet, {"organization": "host"}) == ["Appointed"]
    assert names(filters.WorkstationFilterSet, {"organization": "host"}) == ["Hosted"]
    assert names(filters.EntrepreneurFilterSet, {"organization": "host"}) == ["Signed"]


def test_organization_must_be_a_slug():
    """An organization value that is not a slug is an error."""
    assert "organization" in errors(filters.ProjectFilterSet, {"organization": "a b"})


def test_agreement_filters_projects():
    """`agreement` keeps the projects under that agreement."""
    agreement = f.make_agreement(slug="coop")
    f.make_project(name_en="Under it", agreement=agreement)
    f.make_project(name_en="Other")
    assert names(filters.ProjectFilterSet, {"agreement": "coop"}) == ["Under it"]


# status and kind ------------------------------------------------------------


@pytest.mark.parametrize("kind", PROGRAMME_KINDS, ids=str)
def test_status_filters_by_status(kind):
    """`status` keeps the records in that status."""
    default = kind.model._meta.get_field("status").default
    status = next(value for value in kind.model.Status.values if value != default)
    f.make_of_kind(kind, name_en="Match", status=status)
    f.make_of_kind(kind, name_en="Other")
    assert names(kind.filterset, {"status": status}) == ["Match"]


def test_unknown_status_is_an_error():
    """A status that is not one of the choices is named as an error."""
    assert "status" in errors(filters.ProjectFilterSet, {"status": "bogus"})


def test_kind_filters_projects():
    """`kind` keeps projects of that kind."""
    f.make_project(name_en="Talent", kind=Project.Kind.OVERSEAS_TALENT)
    f.make_project(name_en="Key", kind=Project.Kind.KEY_PROJECT)
    assert names(filters.ProjectFilterSet, {"kind": "overseas_talent"}) == ["Talent"]


def test_kind_filters_organizations():
    """`kind` keeps organizations of that kind."""
    f.make_organization(name_en="Park", kind=Organization.Kind.INDUSTRIAL_PARK)
    f.make_organization(name_en="Firm", kind=Organization.Kind.COMPANY)
    assert names(filters.OrganizationFilterSet, {"kind": "industrial_park"}) == ["Park"]


def test_in_demonstration_zone_filters_districts():
    """`in_demonstration_zone` separates districts inside the zone from others."""
    f.make_district(name_en="Inside", in_demonstration_zone=True)
    f.make_district(name_en="Outside", in_demonstration_zone=False)
    assert names(filters.DistrictFilterSet, {"in_demonstration_zone": "true"}) == [
        "Inside"
    ]
    assert names(filters.DistrictFilterSet, {"in_demonstration_zone": "false"}) == [
        "Outside"
    ]
    assert District.objects.count() == 2


# year -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [kind for kind in KINDS if "year" in kind.filterset.base_filters], ids=str
)
def test_year_filters_by_the_records_date(kind):
    """`year` keeps records dated in that year."""
    name = kind.name_fields[0]
    f.make_of_kind(kind, **{name: "2023", kind.date_field: datetime.date(2023, 6, 15)})
    f.make_of_kind(kind, **{name: "2022", kind.date_field: datetime.date(2022, 12, 31)})
    assert names(kind.filterset, {"year": "2023"}) == ["2023"]


def test_year_filters_sources_by_publication():
    """`year` on sources keeps those published that year."""
    f.make_source(title_en="New", published_on=datetime.date(2023, 6, 16))
    f.make_source(title_en="Old", published_on=datetime.date(2019, 1, 1))
    assert [s.title_en for s in _sources({"year": "2023"})] == ["New"]


@pytest.mark.parametrize("year", ["99999999", "1000", "abc", "2023.5"])
def test_year_out_of_range_is_an_error(year):
    """A year no record can have is named as an error before any query."""
    assert "year" in errors(filters.ProjectFilterSet, {"year": year})


# sort -----------------------------------------------------------------------


def test_sort_by_name_both_ways():
    """`sort` orders by name, and "-name_en" reverses it."""
    for name in ("Beta", "Alpha", "Gamma"):
        f.make_project(name_en=name)
    assert [
        p.name_en
        for p in filters.ProjectFilterSet(
            {"sort": "name_en"}, queryset=Project.objects.public()
        ).qs
    ] == ["Alpha", "Beta", "Gamma"]
    assert [
        p.name_en
        for p in filters.ProjectFilterSet(
            {"sort": "-name_en"}, queryset=Project.objects.public()
        ).qs
    ] == ["Gamma", "Beta", "Alpha"]


def test_sort_by_date():
    """`sort` orders agreements by the date they were signed."""
    f.make_agreement(name_en="Later", signed_on=datetime.date(2024, 1, 1))
    f.make_agreement(name_en="Earlier", signed_on=datetime.date(2020, 1, 1))
    filterset = filters.AgreementFilterSet(
        {"sort": "signed_on"}, queryset=Agreement.objects.public()
    )
    assert [a.name_en for a in filterset.qs] == ["Earlier", "Later"]


def test_sort_by_unknown_field_is_an_error():
    """Sorting by a field that is not offered is an error, not a database error."""
    assert "sort" in errors(filters.ProjectFilterSet, {"sort": "email"})


def test_a_mistyped_year_is_shown_back_in_a_text_box(client):
    """A year of "abc" is shown back beside its error in valid HTML (no number box)."""
    text = client.get(reverse("programs:project-list"), {"year": "abc"}).text
    assert re.search(r'<input type="text" name="year" value="abc"', text)
    assert 'type="number"' not in text


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_meta_fields_list_every_filter_in_the_forms_order(kind):
    """Each FilterSet's Meta.fields names every filter of its list, in order."""
    filterset = kind.filterset
    assert list(filterset.base_filters) == filterset._meta.fields
    assert list(filterset().form.fields) == filterset._meta.fields


# form classes -------------------------------------------------------------


def test_a_form_class_is_built_once_per_filterset_and_district_choices():
    """Built per request, a form class took a tenth of a filtered list page. A
    district added (or renamed) makes a new one, which offers it."""
    f.make_district(slug="qingpu")
    first, second = (filters.ProjectFilterSet({"district": "qingpu"}) for _ in "ab")
    assert first.form.__class__ is second.form.__class__
    assert filters.ExpertFilterSet().form.__class__ is not first.form.__class__

    f.make_district(slug="wujiang")
    third = filters.ProjectFilterSet({"district": "wujiang"})

    assert third.form.__class__ is not first.form.__class__
    assert third.is_valid(), third.errors


def test_a_pages_facet_counts_stay_in_its_own_form(client):
    """A page labels its form's options with their counts (facets.py); the
    form class every page shares keeps none of them."""
    qingpu = f.make_district(slug="qingpu", name_en="Qingpu")
    f.make_project(district=qingpu)
    page = client.get(reverse("programs:project-list"), {"district": "qingpu"})
    assert "Qingpu (1)" in page.text

    form = filters.ProjectFilterSet().form

    assert ("qingpu", "Qingpu") in form.fields["district"].widget.choices
    assert ("qingpu", "Qingpu") in form.base_fields["district"].widget.choices


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_a_related_filter_finds_nothing_by_an_unpublished_record(status):
    """?field= with a draft field's slug finds nothing, as an unknown slug does,
    so a list never tells a visitor that a draft exists."""
    hidden = f.make_field(slug="hidden-field", publication_status=status)
    expert = f.make_expert(name_en="Linked")
    expert.research_fields.add(hidden)
    f.make_project(name_en="Linked too", field=hidden)

    assert names(filters.ExpertFilterSet, {"field": "hidden-field"}) == []
    assert names(filters.ProjectFilterSet, {"field": "hidden-field"}) == []
    assert names(filters.ProjectFilterSet, {"field": "no-such-field"}) == []
