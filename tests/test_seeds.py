"""The seed fixtures in seeds/: the facts of the 2023-06-16 report, and nothing else."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from programs.models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    District,
    Entrepreneur,
    Evidence,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    ResearchField,
    Source,
    Workstation,
)

pytestmark = pytest.mark.django_db

SOURCE = "2023-06-16-sast-qingpu-cooperation"
AGREEMENT = "sast-qingpu-strategic-cooperation-2023"
THURSDAY = datetime.date(2023, 6, 15)
SEED_FILES = sorted(str(p) for p in (Path(settings.BASE_DIR) / "seeds").glob("*.yaml"))


def load_seeds():
    out = StringIO()
    call_command("load_seeds", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return load_seeds()


def test_seeds_hold_exactly_the_reported_records(seeded):
    """The seeds hold the records the report supports, and no people or
    workstations it only counts."""
    counts = {
        model.__name__: model.objects.count()
        for model in (
            Source,
            District,
            Organization,
            Agreement,
            AgreementParty,
            Project,
            AnnouncedFigure,
            Expert,
            Entrepreneur,
            Workstation,
            ResearchField,
        )
    }
    assert counts == {
        "Source": 1,
        "District": 3,
        "Organization": 3,
        "Agreement": 1,
        "AgreementParty": 2,
        "Project": 2,
        "AnnouncedFigure": 5,
        "Expert": 0,
        "Entrepreneur": 0,
        "Workstation": 0,
        "ResearchField": 0,
    }


def test_source_cites_its_outlet_and_link(seeded):
    """The report is cited with the outlet and link given with its copy."""
    source = Source.objects.get(slug=SOURCE)
    assert source.outlet == "SHINE (Shanghai Daily)"
    assert source.url == "https://www.shine.cn/news/metro/2306163885/"
    assert source.published_on == datetime.date(2023, 6, 16)


def test_every_seeded_record_is_published_and_cites_the_report(seeded):
    """Every seeded record is public and points at the report its facts come from."""
    for model in (District, Organization, Agreement, Project):
        for record in model.objects.all():
            assert record.publication_status == PublicationStatus.PUBLISHED
            assert list(record.sources.values_list("slug", flat=True)) == [SOURCE]
    for figure in AnnouncedFigure.objects.all():
        assert figure.publication_status == PublicationStatus.PUBLISHED
        assert figure.source.slug == SOURCE
    assert Source.objects.public().count() == 1


def test_districts_are_the_three_of_the_demonstration_zone(seeded):
    """Qingpu, Wujiang and Jiashan are seeded with their cities and provinces."""
    districts = District.objects.order_by("slug").values_list(
        "slug", "city_en", "province_en", "in_demonstration_zone"
    )
    assert list(districts) == [
        ("jiashan", "Jiaxing", "Zhejiang", True),
        ("qingpu", "Shanghai", "Shanghai", True),
        ("wujiang", "Suzhou", "Jiangsu", True),
    ]


def test_organizations_sit_in_their_districts(seeded):
    """SAST serves the whole city; the government and the park belong to Qingpu."""
    organizations = Organization.objects.order_by("slug").values_list(
        "slug", "kind", "district__slug"
    )
    assert list(organizations) == [
        ("qingpu-district-government", "government", "qingpu"),
        ("sast", "association", None),
        ("shanghai-qingpu-industrial-park", "industrial_park", "qingpu"),
    ]


def test_agreement_signed_on_thursday_by_both_signatories(seeded):
    """The SAST-Qingpu agreement was signed on 2023-06-15, both sides signatories,
    with the four areas of cooperation."""
    agreement = Agreement.objects.get(slug=AGREEMENT)
    assert agreement.signed_on == THURSDAY
    assert agreement.status == Agreement.Status.SIGNED
    assert agreement.district.slug == "qingpu"
    parties = agreement.party_roles.values_list("organization__slug", "role")
    assert sorted(parties) == [
        ("qingpu-district-government", "signatory"),
        ("sast", "signatory"),
    ]
    assert len(agreement.cooperation_areas) == 4
    assert len(agreement.cooperation_areas_zh.splitlines()) == 4


def test_projects_name_only_what_the_report_names(seeded):
    """The upgrade is a key project under the agreement with no lead; the platform
    is under way, led by the district government, with no date and no agreement."""
    projects = Project.objects.order_by("slug").values_list(
        "slug",
        "kind",
        "status",
        "announced_on",
        "lead_organization__slug",
        "agreement__slug",
        "district__slug",
    )
    assert list(projects) == [
        (
            "academician-workstation-upgrade",
            "key_project",
            "announced",
            THURSDAY,
            None,
            AGREEMENT,
            "qingpu",
        ),
        (
            "qingpu-overseas-talent-digital-platform",
            "platform",
            "under_way",
            None,
            "qingpu-district-government",
            None,
            "qingpu",
        ),
    ]


def test_announced_figures_keep_the_reported_values_and_dates(seeded):
    """The five figures keep their value, qualifier, date, date rule and scope."""
    figures = AnnouncedFigure.objects.values_list(
        "subject",
        "value",
        "qualifier",
        "as_of",
        "date_rule",
        "district__slug",
        "organization__slug",
        "agreement__slug",
    )
    assert set(figures) == {
        ("key_projects", 8, "exactly", THURSDAY, "on", "qingpu", None, AGREEMENT),
        (
            "workstations",
            40,
            "more_than",
            datetime.date(2022, 12, 31),
            "as_of",
            "qingpu",
            None,
            None,
        ),
        ("experts", 4, "exactly", THURSDAY, "on", "qingpu", None, None),
        (
            "entrepreneurs",
            3,
            "exactly",
            THURSDAY,
            "on",
            "qingpu",
            "shanghai-qingpu-industrial-park",
            None,
        ),
        ("talent_projects", 3, "exactly", THURSDAY, "on", "qingpu", "sast", None),
    }


def test_key_projects_figure_has_the_one_named_project_on_record(seeded):
    """Of the eight key projects announced, the one the report names is on record;
    the other figures count nothing on record."""
    on_record = dict(
        AnnouncedFigure.objects.with_on_record().values_list("subject", "on_record")
    )
    assert on_record == {
        "key_projects": 1,
        "workstations": 0,
        "experts": 0,
        "entrepreneurs": 0,
        "talent_projects": 0,
    }


def test_loading_the_seeds_again_changes_nothing(seeded):
    """A second load_seeds over the seeds finds all 37 records unchanged."""
    assert "Created 37, updated 0, unchanged 0." in seeded
    assert "Nothing created or updated: all 37 records are unchanged." in load_seeds()


def test_plain_loaddata_reads_the_seeds_as_load_seeds_does():
    """`manage.py loaddata seeds/*.yaml` loads every seed file, and load_seeds then
    finds the same 37 records with nothing to change."""
    call_command("loaddata", *SEED_FILES, stdout=StringIO())
    assert Source.objects.get(slug=SOURCE).created_at is not None
    assert "Nothing created or updated: all 37 records are unchanged." in load_seeds()


def test_every_seeded_record_and_figure_cites_its_paragraphs(seeded):
    """Each record and figure the report supports names the paragraphs it
    stands in, and no seeded evidence copies the report's sentences."""
    cited = {
        (evidence.record.slug, evidence.paragraph)
        for evidence in Evidence.objects.all()
    }
    for model in (District, Organization, Agreement, Project, AnnouncedFigure):
        for record in model.objects.all():
            assert any(slug == record.slug for slug, _ in cited), record.slug
    assert ("sast-qingpu-strategic-cooperation-2023", 3) in cited
    assert ("qingpu-academician-workstations-2022", 6) in cited
    assert ("sast-experts-appointed-2023", 8) in cited
    assert not Evidence.objects.exclude(sentence="").exists()
