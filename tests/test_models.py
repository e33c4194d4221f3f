import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from programs.models import (
    AgreementParty,
    AnnouncedFigure,
    District,
    Project,
    PublicationStatus,
)

from . import factories as f

pytestmark = pytest.mark.django_db

JUNE_15 = datetime.date(2023, 6, 15)


def on_record(figure):
    return AnnouncedFigure.objects.with_on_record().get(pk=figure.pk).on_record


def test_public_keeps_published_only():
    """`public()` leaves out drafts and archived records."""
    f.make_project(name_en="Shown")
    f.make_project(publication_status=PublicationStatus.DRAFT)
    f.make_project(publication_status=PublicationStatus.ARCHIVED)
    assert [p.name_en for p in Project.objects.public()] == ["Shown"]


def test_new_records_are_drafts():
    """A record saved without a status is a draft: nothing goes public by accident."""
    district = District.objects.create(
        slug="x", name_en="X", city_en="C", province_en="P"
    )
    assert district.publication_status == PublicationStatus.DRAFT
    assert not district.is_public


def test_natural_key_is_the_slug():
    """Records are found by slug, as fixtures name them."""
    district = f.make_district(slug="qingpu")
    assert district.natural_key() == ("qingpu",)
    assert District.objects.get_by_natural_key("qingpu") == district


def test_agreement_party_natural_key():
    """A party is named by its agreement's and organization's slugs."""
    sast = f.make_organization(slug="sast")
    agreement = f.make_agreement(slug="coop", parties=[sast])
    party = AgreementParty.objects.get_by_natural_key("coop", "sast")
    assert party.natural_key() == ("coop", "sast")
    assert party.agreement == agreement


def test_organization_is_party_to_an_agreement_once():
    """The same organization cannot be listed twice as a party to one agreement."""
    sast = f.make_organization()
    agreement = f.make_agreement(parties=[sast])
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementParty.objects.create(agreement=agreement, organization=sast)


def test_district_is_protected_while_referenced():
    """A district cannot be deleted while records point at it."""
    district = f.make_district()
    f.make_project(district=district)
    with pytest.raises(ProtectedError):
        district.delete()


def test_slug_is_unique():
    """Two records of a kind cannot share a slug."""
    f.make_project(slug="same")
    with pytest.raises(ValidationError):
        Project(slug="same", name_en="Other", kind="other").full_clean()


def test_figure_naming_an_agreement_must_count_projects():
    """A figure of experts cannot be scoped to an agreement."""
    figure = AnnouncedFigure(
        slug="bad",
        label_en="Experts",
        subject=AnnouncedFigure.Subject.EXPERTS,
        value=4,
        as_of=JUNE_15,
        agreement=f.make_agreement(),
        source=f.make_source(),
    )
    with pytest.raises(ValidationError, match="Only figures that count projects"):
        figure.full_clean()


def test_agreement_cooperation_areas_are_lines():
    """Areas of cooperation are read one per non-blank line."""
    agreement = f.make_agreement(cooperation_areas_en="Transfer\n\n  Talent  \n")
    assert agreement.cooperation_areas == ["Transfer", "Talent"]


# Announced figures and the records on file -----------------------------------


def test_figure_counts_published_records_of_its_agreement_on_its_date():
    """A figure announced on a date counts that agreement's published projects of it."""
    agreement = f.make_agreement()
    figure = f.make_figure(agreement=agreement, as_of=JUNE_15)
    f.make_project(agreement=agreement, announced_on=JUNE_15)
    f.make_project(agreement=agreement, announced_on=JUNE_15)
    f.make_project(
        agreement=agreement,
        announced_on=JUNE_15,
        publication_status=PublicationStatus.DRAFT,
    )
    f.make_project(agreement=agreement, announced_on=datetime.date(2023, 6, 14))
    f.make_project(agreement=f.make_agreement(), announced_on=JUNE_15)
    f.make_project(
        agreement=agreement, announced_on=JUNE_15, kind=Project.Kind.OVERSEAS_TALENT
    )
    assert on_record(figure) == 2


def test_as_of_figure_counts_running_total():
    """An "as of" figure counts records dated on or before its date."""
    qingpu = f.make_district()
    figure = f.make_figure(
        subject=AnnouncedFigure.Subject.WORKSTATIONS,
        value=40,
        qualifier=AnnouncedFigure.Qualifier.MORE_THAN,
        date_rule=AnnouncedFigure.DateRule.AS_OF,
        as_of=datetime.date(2022, 12, 31),
        district=qingpu,
    )
    f.make_workstation(district=qingpu, established_on=datetime.date(2015, 3, 1))
    f.make_workstation(district=qingpu, established_on=datetime.date(2022, 12, 31))
    f.make_workstation(district=qingpu, established_on=datetime.date(2023, 1, 1))
    f.make_workstation(
        district=f.make_district(), established_on=datetime.date(2015, 1, 1)
    )
    assert on_record(figure) == 2


def test_figure_scoped_to_organization():
    """A figure naming an organization counts only that organization's records."""
    sast = f.make_organization()
    park = f.make_organization()
    experts = f.make_figure(
        subject=AnnouncedFigure.Subject.EXPERTS, value=4, organization=sast
    )
    entrepreneurs = f.make_figure(
        subject=AnnouncedFigure.Subject.ENTREPRENEURS, value=3, organization=park
    )
    f.make_expert(appointed_by=sast, appointed_on=JUNE_15)
    f.make_expert(appointed_by=park, appointed_on=JUNE_15)
    f.make_entrepreneur(host_organization=park, signed_on=JUNE_15)
    f.make_entrepreneur(host_organization=park, signed_on=JUNE_15)
    assert on_record(experts) == 1
    assert on_record(entrepreneurs) == 2


def test_figure_with_no_scope_counts_everywhere():
    """A figure that names no district or organization counts records anywhere."""
    figure = f.make_figure(subject=AnnouncedFigure.Subject.EXPERTS, value=4)
    f.make_expert(appointed_on=JUNE_15, district=f.make_district())
    f.make_expert(appointed_on=JUNE_15)
    assert on_record(figure) == 2


def test_with_on_record_is_one_query(django_assert_num_queries):
    """Annotating any number of figures costs a single query."""
    for subject in AnnouncedFigure.Subject.values:
        f.make_figure(subject=subject)
        f.make_figure(subject=subject)
    with django_assert_num_queries(1):
        figures = list(AnnouncedFigure.objects.with_on_record())
    assert len(figures) == 2 * len(AnnouncedFigure.Subject.values)


def test_a_subject_no_kind_of_record_matches_has_nothing_on_record():
    """A count of policies is None on record, not a misleading 0."""
    policies = f.make_figure(subject=AnnouncedFigure.Subject.POLICIES, value=20)
    projects = f.make_figure(subject=AnnouncedFigure.Subject.PROJECTS, value=2)
    f.make_project(announced_on=projects.as_of)
    assert on_record(policies) is None
    assert on_record(projects) == 1


def test_counting_finds_the_figures_a_record_counts_toward():
    """`counting(record)` returns the figures whose count includes the record."""
    district = f.make_district()
    agreement = f.make_agreement()
    project = f.make_project(
        agreement=agreement, district=district, announced_on=JUNE_15
    )
    counted = f.make_figure(agreement=agreement, district=district, as_of=JUNE_15)
    f.make_figure(agreement=f.make_agreement(), as_of=JUNE_15)
    f.make_figure(as_of=datetime.date(2023, 1, 1))
    f.make_figure(subject=AnnouncedFigure.Subject.EXPERTS, as_of=JUNE_15)
    assert list(AnnouncedFigure.objects.counting(project)) == [counted]
    assert counted.pk in AnnouncedFigure.objects.with_on_record().filter(
        on_record=1
    ).values_list("pk", flat=True)


def test_undated_record_counts_toward_no_figure():
    """A record without a date is not placed in any figure's count."""
    project = f.make_project(announced_on=None)
    f.make_figure(as_of=JUNE_15)
    assert not AnnouncedFigure.objects.counting(project).exists()
