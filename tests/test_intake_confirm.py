"""Confirming a reviewed report (programs/staff/intake/confirm.py and review.py).

The reports here are hand-built ``Proposals``, so that what is tested is the
review and the confirmation, not the extractor; one test at the end runs the
extractor on a short report of our own, end to end.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from programs.models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    Evidence,
    Organization,
    PublicationStatus,
    Role,
    Source,
)
from programs.site.cache import content_version
from programs.staff.intake.confirm import DraftsRefused, create_drafts
from programs.staff.intake.initial import initial_from
from programs.staff.intake.proposals import (
    AgreementProposal,
    FigureProposal,
    OrganizationProposal,
    Party,
    Proposals,
    SourceProposal,
)
from programs.staff.intake.proposals import (
    Evidence as Where,
)
from programs.staff.intake.review import Review

from . import factories as f

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
PUBLISHED_ON = datetime.date(2024, 3, 8)

# A short report of our own words: a title, a signing, and its numbers.
REPORT = (
    "Lakeside park signs with a university\n\n"
    "Harbour Bay University and the Lakeside Robotics Company signed a "
    "cooperation agreement on Thursday.\n\n"
    "Six key projects were launched at the signing. The company will invest "
    "50 million yuan."
)


def paragraph_spans(text):
    """Return each paragraph's offsets, paragraphs parted by a blank line."""
    spans, at = [], 0
    for paragraph in text.split("\n\n"):
        spans.append((at, at + len(paragraph)))
        at += len(paragraph) + 2
    return spans


def where(sentence, paragraph):
    """Return the evidence of ``sentence``, as the extractor would give it."""
    start = REPORT.index(sentence)
    return Where(paragraph, sentence, start, start + len(sentence))


SIGNING = where(
    "Harbour Bay University and the Lakeside Robotics Company signed a "
    "cooperation agreement on Thursday.",
    2,
)
PROJECTS = where("Six key projects were launched at the signing.", 3)
MONEY = where("The company will invest 50 million yuan.", 3)


def lakeside_report(district=None, existing=None):
    """Return the report's proposals; ``existing`` maps names to records on file."""
    existing = existing or {}
    university = "Harbour Bay University"
    company = "Lakeside Robotics Company"
    agreement = AgreementProposal(
        "Cooperation agreement",
        SIGNING,
        signed_on=datetime.date(2024, 3, 7),
        parties=[Party(university), Party(company)],
        areas=["robotics", "new materials"],
        district=district,
        existing=existing.get("agreement"),
    )
    return Proposals(
        text=REPORT,
        paragraphs=paragraph_spans(REPORT),
        source=SourceProposal(
            "Lakeside park signs with a university",
            "en",
            PUBLISHED_ON,
            outlet="Lakeside Daily",
            existing=existing.get("source"),
        ),
        organizations=[
            OrganizationProposal(
                name,
                SIGNING,
                existing=existing.get(name),
                kind=kind,
                district=district,
            )
            for name, kind in (
                (university, Organization.Kind.UNIVERSITY),
                (company, Organization.Kind.COMPANY),
            )
        ],
        agreements=[agreement],
        figures=[
            FigureProposal(
                6,
                "exactly",
                "key projects",
                PROJECTS,
                subject="key_projects",
                as_of=datetime.date(2024, 3, 7),
                district=district,
                agreement=agreement,
                existing=existing.get("figure"),
            ),
            FigureProposal(50_000_000, "exactly", "", MONEY, unit="CNY"),
        ],
    )


def as_post(review):
    """Return the POST data of the review page as it renders ``review``."""
    data = {}
    forms = [review.report, review.source]
    for formset in review.formsets().values():
        management = formset.management_form
        data.update({field.html_name: field.value() for field in management})
        forms += formset.forms
    for form in forms:
        for field in form:
            value = field.value()
            if field.widget_type == "checkbox":
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list):
                data[field.html_name] = [str(v) for v in value]
            elif value is not None:
                data[field.html_name] = getattr(value, "pk", value)
    return data


def review_of(proposals, **changes):
    """Return the bound review of ``proposals``, with POST ``changes`` applied."""
    data = as_post(Review(initial=initial_from(proposals)))
    data.update(changes)
    return Review(data)


def reviewed(proposals, **changes):
    """Return what create_drafts takes for ``proposals``, as staff confirmed it."""
    review = review_of(proposals, **changes)
    assert review.is_valid(), _errors(review)
    return review.cleaned()


def _errors(review):
    found = [review.report.errors, review.source.errors]
    for formset in review.formsets().values():
        found += [formset.non_form_errors(), *formset.errors]
    return [errors for errors in found if errors]


def counts():
    models = (Source, Organization, Agreement, AgreementParty, AnnouncedFigure)
    return {model.__name__: model.objects.count() for model in models} | {
        "Evidence": Evidence.objects.count()
    }


@pytest.fixture
def editor():
    return f.make_staff("editor", Role.EDITOR)


# What a confirmation creates ---------------------------------------------------


def test_kept_proposals_become_drafts_citing_the_report(editor):
    """The source, both organizations, the agreement with its two signatories
    and the count are created as drafts, each citing the report."""
    drafted = create_drafts(reviewed(lakeside_report()), editor)

    source = drafted.source
    assert drafted.source_created
    assert source.publication_status == DRAFT
    assert source.text == REPORT
    assert source.outlet == "Lakeside Daily"
    agreement = Agreement.objects.get()
    assert agreement.publication_status == DRAFT
    assert list(agreement.sources.all()) == [source]
    assert agreement.cooperation_areas_en == "robotics\nnew materials"
    assert sorted(agreement.parties.values_list("name_en", flat=True)) == [
        "Harbour Bay University",
        "Lakeside Robotics Company",
    ]
    assert set(agreement.party_roles.values_list("role", flat=True)) == {"signatory"}
    figure = AnnouncedFigure.objects.get()
    assert (figure.value, figure.subject, figure.source) == (6, "key_projects", source)
    assert figure.agreement == agreement
    assert figure.label_en == "Key projects"
    for organization in Organization.objects.all():
        assert organization.publication_status == DRAFT
        assert list(organization.sources.all()) == [source]


def test_every_record_and_figure_keeps_its_evidence(editor):
    """Each created record and figure notes the paragraph and sentence it
    stands on, in the report's source."""
    drafted = create_drafts(reviewed(lakeside_report()), editor)

    for record in drafted.created:
        evidence = Evidence.objects.get(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        assert evidence.source == drafted.source
        expected = PROJECTS if isinstance(record, AnnouncedFigure) else SIGNING
        assert (evidence.paragraph, evidence.sentence) == (
            expected.paragraph,
            expected.sentence,
        )
    assert len(drafted.created) == 4  # two organizations, an agreement, a figure


def test_slugs_are_unique_and_made_from_pinyin_for_chinese(editor):
    """A name whose slug is taken gets -2; a Chinese-only slug is pinyin."""
    f.make_organization(slug="harbour-bay-university")
    drafted = create_drafts(
        reviewed(
            lakeside_report(),
            **{"organizations-1-name_en": "湖滨机器人公司"},
        ),
        editor,
    )
    slugs = {record.name_en: record.slug for record in drafted.created}
    assert slugs["Harbour Bay University"] == "harbour-bay-university-2"
    assert slugs["湖滨机器人公司"] == "hu-bin-ji-qi-ren-gong-si"


def test_history_names_the_user_in_one_version_per_record(editor):
    """Each new record's history has one version, by the user, with its source."""
    drafted = create_drafts(reviewed(lakeside_report()), editor)

    for record in [drafted.source, *drafted.created]:
        versions = list(record.history.all())
        assert [v.history_user for v in versions] == [editor], record
    organization = Organization.objects.first()
    version = organization.history.get()
    assert [link.source_id for link in version.sources.all()] == [drafted.source.pk]
    party = AgreementParty.objects.first()
    assert party.history.get().history_user == editor


def test_confirming_makes_cached_pages_stale(editor):
    """Like every write, a confirmation changes the content version."""
    before = content_version()
    create_drafts(reviewed(lakeside_report()), editor)
    assert content_version() != before


def test_unticked_proposals_are_not_created(editor):
    """An unticked organization is left out (the agreement without it too)."""
    proposals = lakeside_report()
    create_drafts(
        reviewed(
            proposals,
            **{
                "organizations-1-keep": "",
                "agreements-0-keep": "",
                "figures-0-keep": "",
            },
        ),
        editor,
    )
    assert list(Organization.objects.values_list("name_en", flat=True)) == [
        "Harbour Bay University"
    ]
    assert not Agreement.objects.exists()
    assert not AnnouncedFigure.objects.exists()


def test_a_party_unticked_among_the_organizations_is_refused(editor):
    """An agreement cannot be signed by an organization staff unticked."""
    before = counts()
    data = reviewed(lakeside_report(), **{"organizations-1-keep": ""})
    with pytest.raises(DraftsRefused) as refused:
        create_drafts(data, editor)
    problem = refused.value.problems[0]
    assert (problem.section, problem.index, problem.field) == (
        "agreements",
        0,
        "parties",
    )
    assert "Lakeside Robotics Company" in problem.message
    assert counts() == before


# All or nothing ----------------------------------------------------------------


def test_a_refusal_halfway_leaves_the_database_as_it_was(editor):
    """A figure that breaks a constraint, made last, undoes the source,
    organizations and agreement made before it."""
    before = counts()
    # Only figures that count projects may name an agreement.
    data = reviewed(lakeside_report(), **{"figures-0-subject": "workstations"})
    with pytest.raises(DraftsRefused) as refused:
        create_drafts(data, editor)
    assert counts() == before
    problem = refused.value.problems[0]
    assert (problem.section, problem.index) == ("figures", 0)
    assert "Only figures that count projects name an agreement." in problem.message


def test_a_figure_without_a_date_is_never_guessed(editor):
    """The review requires a date for a kept figure the report does not date."""
    proposals = lakeside_report()
    proposals.figures[0].as_of = None
    review = review_of(proposals)
    assert not review.is_valid()
    assert "Give the date it holds for" in str(review.figures.forms[0].errors["as_of"])

    review = review_of(proposals, **{"figures-0-as_of": "2024-03-07"})
    assert review.is_valid()


def test_create_drafts_itself_refuses_a_figure_without_a_date(editor):
    """Called without the review's check, the model's own still refuses."""
    data = reviewed(lakeside_report())
    data["figures"][0]["as_of"] = None
    before = counts()
    with pytest.raises(DraftsRefused) as refused:
        create_drafts(data, editor)
    assert refused.value.problems[0].field == "as_of"
    assert counts() == before


def test_a_sum_of_money_is_never_a_count(editor):
    """The money figure is carried unticked, and refused if ticked anyway."""
    review = review_of(lakeside_report())
    assert review.is_valid()
    money = review.figures.forms[1]
    assert money.is_money and not money.cleaned_data["keep"]
    data = review.cleaned()
    data["figures"][1]["keep"] = True
    with pytest.raises(DraftsRefused):
        create_drafts(data, editor)


def test_a_chinese_report_leaves_the_english_names_for_staff(editor):
    """Names land in the Chinese fields, and a new record's English name is
    required; a figure's English label comes from what it counts."""
    proposals = lakeside_report()
    proposals.source.language = "zh"
    initial = initial_from(proposals)
    assert initial["organizations"][0]["name_zh"] == "Harbour Bay University"
    assert "name_en" not in initial["organizations"][0]
    assert initial["figures"][0]["label_en"] == "Key projects"

    review = review_of(proposals)
    assert not review.is_valid()
    assert "Type its English name" in str(review.organizations.forms[0].errors)
    assert "Type a short English title" in str(review.source.errors)


def test_a_sentence_not_in_the_report_is_refused(editor):
    """A sentence edited in the page (or a stale page) is not cited."""
    review = review_of(lakeside_report(), **{"figures-0-sentence": "Sixty projects."})
    assert not review.is_valid()
    assert "not in the report" in str(review.figures.forms[0].errors)


# District editors ----------------------------------------------------------------


def test_a_district_editor_creates_in_their_district(qingpu):
    """A district editor's records in their own district are created."""
    editor = f.make_staff("qp", Role.DISTRICT_EDITOR, districts=[qingpu])
    drafted = create_drafts(reviewed(lakeside_report(district=qingpu)), editor)
    assert len(drafted.created) == 4
    assert drafted.source_created


def test_a_district_editor_is_refused_another_district(qingpu, wujiang):
    """Records in another district are refused, with a message naming their
    own, and nothing at all is created."""
    editor = f.make_staff("qp", Role.DISTRICT_EDITOR, districts=[qingpu])
    before = counts()
    data = reviewed(lakeside_report(district=qingpu))
    data["organizations"][1]["district"] = wujiang
    with pytest.raises(DraftsRefused) as refused:
        create_drafts(data, editor)
    assert counts() == before
    [problem] = refused.value.problems
    assert (problem.section, problem.index, problem.field) == (
        "organizations",
        1,
        "district",
    )
    assert "Qingpu District" in problem.message


def test_a_district_editor_uses_shared_records_as_they_are(qingpu):
    """An organization on file of no district is a party, untouched: no
    source is added to it and no evidence kept, since it is not theirs."""
    editor = f.make_staff("qp", Role.DISTRICT_EDITOR, districts=[qingpu])
    university = f.make_organization(name_en="Harbour Bay University")
    proposals = lakeside_report(
        district=qingpu, existing={"Harbour Bay University": university}
    )
    drafted = create_drafts(reviewed(proposals), editor)
    assert drafted.used == [university]
    assert not university.sources.exists()
    assert not university.evidence.exists()
    assert university in Agreement.objects.get().parties.all()


# Running a report twice --------------------------------------------------------


def test_running_a_report_twice_matches_what_is_on_file(editor):
    """Confirmed again with its proposals matched to the records made the
    first time, the report adds no record, party or evidence."""
    first = create_drafts(reviewed(lakeside_report()), editor)
    after_first = counts()
    made = {record.name_en: record for record in first.created}
    existing = {
        "source": first.source,
        "agreement": Agreement.objects.get(),
        "figure": AnnouncedFigure.objects.get(),
        **made,
    }

    second = create_drafts(reviewed(lakeside_report(existing=existing)), editor)

    assert counts() == after_first
    assert not second.source_created and second.created == []
    assert {r.pk for r in second.matched} == {r.pk for r in first.created}


def test_a_record_on_file_chosen_gets_the_source_and_evidence(editor):
    """An organization on file that staff chose cites the new report, and a
    form opened on it before is outdated (its version moved)."""
    university = f.make_organization(name_en="Harbour Bay University")
    version = university.version
    proposals = lakeside_report(existing={"Harbour Bay University": university})
    drafted = create_drafts(reviewed(proposals), editor)
    university.refresh_from_db()
    assert drafted.matched == [university]
    assert list(university.sources.all()) == [drafted.source]
    assert university.evidence.get().paragraph == 2
    assert university.version == version + 1
    assert university.history.first().history_user == editor


# The public page cites the paragraph ---------------------------------------------


def test_a_detail_page_cites_the_paragraph_but_never_the_sentence(client):
    """A record's public page names the paragraph of its published source
    that its facts stand in; the staff-only sentence is not on it."""
    source = f.make_source(title_en="Lakeside report")
    organization = f.make_organization()
    organization.sources.add(source)
    Evidence.kept_for(organization, source, 3, "A sentence only staff read.")

    text = client.get(organization.get_absolute_url()).text

    assert "Lakeside report" in text
    assert "paragraph 3" in text
    assert "A sentence only staff read." not in text


def test_a_draft_sources_evidence_is_not_cited(client):
    """Evidence in a draft source is not shown, as the source is not."""
    draft = f.make_source(publication_status=DRAFT)
    organization = f.with_source(f.make_organization())
    organization.sources.add(draft)
    Evidence.kept_for(organization, draft, 4, "Draft sentence.")
    assert "paragraph 4" not in client.get(organization.get_absolute_url()).text


def test_the_paragraph_is_cited_in_chinese_too(client):
    """The citation's paragraph is translated on the Chinese site."""
    source = f.make_source()
    organization = f.make_organization()
    organization.sources.add(source)
    Evidence.kept_for(organization, source, 2, "Sentence.")
    url = "/zh-hans" + organization.get_absolute_url()
    text = client.get(url).text
    assert "第 2 段" in text or "第2段" in text


# End to end, with the extractor --------------------------------------------------


def test_the_extractor_s_proposals_confirm_end_to_end(editor):
    """A short report of our own, read by the extractor, reviewed as
    proposed (with the date the count holds for given) and confirmed,
    becomes drafts with their evidence."""
    from programs.staff.intake.extract import propose

    proposals = propose(REPORT, published_on=PUBLISHED_ON, outlet="Lakeside Daily")
    assert [o.name for o in proposals.organizations] == [
        "Harbour Bay University",
        "Lakeside Robotics Company",
    ]
    changes = {
        f"figures-{i}-as_of": "2024-03-07"
        for i, figure in enumerate(proposals.figures)
        if figure.is_count and figure.as_of is None
    }
    drafted = create_drafts(reviewed(proposals, **changes), editor)

    agreement = Agreement.objects.get()
    assert agreement.signed_on == datetime.date(2024, 3, 7)
    assert agreement.parties.count() == 2
    figure = AnnouncedFigure.objects.get(subject="key_projects")
    assert figure.value == 6
    assert Evidence.objects.filter(source=drafted.source).count() == len(
        drafted.created
    )
    assert reverse("admin:programs_source_from_report", args=[drafted.source.pk])


def test_a_chinese_label_leaves_out_the_measure_word():
    """个重点项目 counts key projects: its Chinese label starts 重点项目."""
    from programs.staff.intake.initial import _figure_labels
    from programs.staff.intake.proposals import Evidence, FigureProposal

    evidence = Evidence(1, "8个重点项目集中签约。", 0, 11)
    figure = FigureProposal(
        8, "exactly", "个重点项目", evidence, subject="key_projects"
    )
    assert _figure_labels(figure, "zh") == {
        "label_en": "Key projects",
        "label_zh": "重点项目",
    }
    figure.counts = "人才公寓"
    assert _figure_labels(figure, "zh")["label_zh"] == "人才公寓"
