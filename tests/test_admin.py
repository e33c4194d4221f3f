"""The admin that staff of the district offices and the association work in."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    District,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    ResearchField,
    Source,
    Workstation,
)
from programs.staff.admin.base import UnixNewlinesField
from tests.factories import (
    make_agreement,
    make_district,
    make_entrepreneur,
    make_expert,
    make_field,
    make_figure,
    make_organization,
    make_project,
    make_source,
    make_workstation,
)

pytestmark = pytest.mark.django_db


# Each builder makes one row named ``en``/``zh`` with the related records its
# changelist shows, so that a query per row would show in the counts.


def _with_two_sources(record):
    record.sources.add(make_source(), make_source())
    return record


def build_source(en, zh):
    source = make_source(title_en=en, title_zh=zh)
    make_figure(source=source)
    return source


def build_district(en, zh):
    return _with_two_sources(make_district(name_en=en, name_zh=zh))


def build_field(en, zh):
    field = make_field(name_en=en, name_zh=zh)
    make_project(field=field)
    return field


def build_organization(en, zh):
    organization = make_organization(name_en=en, name_zh=zh, district=make_district())
    return _with_two_sources(organization)


def build_agreement(en, zh):
    agreement = make_agreement(
        name_en=en,
        name_zh=zh,
        district=make_district(),
        parties=[make_organization(), make_organization()],
    )
    make_project(agreement=agreement)
    return _with_two_sources(agreement)


def build_project(en, zh):
    project = make_project(
        name_en=en,
        name_zh=zh,
        lead_organization=make_organization(),
        district=make_district(),
        agreement=make_agreement(),
        field=make_field(),
    )
    return _with_two_sources(project)


def build_expert(en, zh):
    expert = make_expert(name_en=en, name_zh=zh, district=make_district())
    expert.research_fields.add(make_field())
    return _with_two_sources(expert)


def build_workstation(en, zh):
    workstation = make_workstation(name_en=en, name_zh=zh, field=make_field())
    workstation.experts.add(make_expert())
    return _with_two_sources(workstation)


def build_entrepreneur(en, zh):
    entrepreneur = make_entrepreneur(
        name_en=en,
        name_zh=zh,
        district=make_district(),
        field=make_field(),
        project=make_project(),
    )
    return _with_two_sources(entrepreneur)


def build_figure(en, zh):
    agreement = make_agreement()
    make_project(agreement=agreement)
    return make_figure(
        label_en=en,
        label_zh=zh,
        district=make_district(),
        organization=make_organization(),
        agreement=agreement,
    )


BUILDERS = {
    Source: build_source,
    District: build_district,
    ResearchField: build_field,
    Organization: build_organization,
    Agreement: build_agreement,
    Project: build_project,
    Expert: build_expert,
    Workstation: build_workstation,
    Entrepreneur: build_entrepreneur,
    AnnouncedFigure: build_figure,
}
SOURCED_MODELS = [
    model for model in BUILDERS if model not in (Source, ResearchField, AnnouncedFigure)
]
by_model = pytest.mark.parametrize(
    "model", list(BUILDERS), ids=lambda model: model._meta.model_name
)
by_sourced_model = pytest.mark.parametrize(
    "model", SOURCED_MODELS, ids=lambda model: model._meta.model_name
)


def admin_url(model, view, *args):
    return reverse(f"admin:programs_{model._meta.model_name}_{view}", args=args)


def build_rows(model, count, first=1):
    return [
        BUILDERS[model](f"Wujiang record {n}", f"吴江记录{n}")
        for n in range(first, first + count)
    ]


def shown_pks(response):
    return {row.pk for row in response.context["cl"].result_list}


def test_index_lists_every_model_under_the_talentzone_header(admin_client):
    """The admin index carries the talentzone header and links every changelist."""
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "Talentzone staff admin" in response.text
    for model in BUILDERS:
        assert admin_url(model, "changelist") in response.text


@by_model
def test_changelist_shows_every_row(admin_client, model):
    """The changelist renders the rows and their related records."""
    rows = build_rows(model, 3)

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert shown_pks(response) == {row.pk for row in rows}


@by_model
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    """A changelist of six rows costs no more queries than one of three (no N+1)."""
    url = admin_url(model, "changelist")
    build_rows(model, 3)
    admin_client.get(url)  # Warm the caches that the first request fills.
    with CaptureQueriesContext(connection) as three_rows:
        admin_client.get(url)
    build_rows(model, 3, first=4)

    with CaptureQueriesContext(connection) as six_rows:
        response = admin_client.get(url)

    assert len(shown_pks(response)) == 6
    assert len(six_rows) == len(three_rows)


@by_model
@pytest.mark.parametrize("term", ["Qingpu", "青浦"], ids=["english", "chinese"])
def test_changelist_search_finds_english_and_chinese_names(admin_client, model, term):
    """Searching by an English or a Chinese name finds that row and not another."""
    wanted = BUILDERS[model]("Qingpu talent record", "青浦人才记录")
    BUILDERS[model]("Wujiang talent record", "吴江人才记录")

    response = admin_client.get(admin_url(model, "changelist"), {"q": term})

    assert shown_pks(response) == {wanted.pk}


@by_sourced_model
def test_changelist_counts_sources_of_each_row(admin_client, model):
    """The sources column shows how many sources each record cites."""
    build_rows(model, 1)

    response = admin_client.get(admin_url(model, "changelist"))

    assert '<td class="field-sources_cited">2</td>' in response.text


@by_model
def test_add_form_renders(admin_client, model):
    """The add form renders with its fields and inlines."""
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == 200
    assert response.context["adminform"].form.instance.pk is None


@by_model
def test_add_form_shows_no_stamps_a_record_gets_when_saved(admin_client, model):
    """Created, updated and published-by are filled in on save: an add form
    leaves them out rather than show the database default as an object."""
    response = admin_client.get(admin_url(model, "add"))

    assert "DatabaseDefault" not in response.text
    shown = {
        name
        for _title, options in response.context["adminform"].fieldsets
        for entry in options["fields"]
        for name in (entry if isinstance(entry, tuple) else (entry,))
    }
    assert not shown & {"created_at", "updated_at", "publication_changed_at"}


@by_model
def test_change_form_renders(admin_client, model):
    """The change form of a record with related records renders."""
    (row,) = build_rows(model, 1)

    response = admin_client.get(admin_url(model, "change", row.pk))

    assert response.status_code == 200
    assert response.context["original"] == row


@pytest.mark.parametrize("model", [Expert, Entrepreneur])
def test_contact_details_sit_under_a_staff_only_heading(admin_client, model):
    """Email and phone are editable, in a fieldset that says they are staff only."""
    (person,) = build_rows(model, 1)
    person.email = "person@example.com"
    person.save()

    response = admin_client.get(admin_url(model, "change", person.pk))

    assert "Contact details (staff only, never published)" in response.text
    assert 'value="person@example.com"' in response.text


def test_adding_an_agreement_saves_its_two_parties(admin_client):
    """Posting the add form with two party rows creates the agreement and both."""
    association, park = make_organization(), make_organization()

    response = admin_client.post(
        admin_url(Agreement, "add"),
        {
            "name_en": "Strategic cooperation",
            "name_zh": "战略合作协议",
            "slug": "strategic-cooperation",
            "status": Agreement.Status.SIGNED,
            "signed_on": "2023-06-15",
            "publication_status": PublicationStatus.DRAFT,
            "party_roles-TOTAL_FORMS": "2",
            "party_roles-INITIAL_FORMS": "0",
            "party_roles-0-organization": association.pk,
            "party_roles-0-role": AgreementParty.Role.SIGNATORY,
            "party_roles-1-organization": park.pk,
            "party_roles-1-role": AgreementParty.Role.WITNESS,
            "projects-TOTAL_FORMS": "0",
            "projects-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    agreement = Agreement.objects.get(slug="strategic-cooperation")
    assert set(agreement.party_roles.values_list("organization", "role")) == {
        (association.pk, AgreementParty.Role.SIGNATORY),
        (park.pk, AgreementParty.Role.WITNESS),
    }


@by_model
def test_publish_action_publishes_only_the_selected_rows(admin_client, model):
    """ "Publish selected" publishes the chosen drafts and leaves the others alone."""
    rows = build_rows(model, 3)
    model.objects.update(publication_status=PublicationStatus.DRAFT)
    chosen, unchosen = rows[:2], rows[2]
    last_updated = {row.pk: row.updated_at for row in rows}

    admin_client.post(
        admin_url(model, "changelist"),
        {"action": "publish", "_selected_action": [row.pk for row in chosen]},
    )

    for row in chosen:
        row.refresh_from_db()
        assert row.publication_status == PublicationStatus.PUBLISHED
        assert row.updated_at > last_updated[row.pk]
    unchosen.refresh_from_db()
    assert unchosen.publication_status == PublicationStatus.DRAFT


def test_unpublish_action_returns_rows_to_draft(admin_client):
    """ "Unpublish" takes published records back to draft."""
    (agreement,) = build_rows(Agreement, 1)

    admin_client.post(
        admin_url(Agreement, "changelist"),
        {"action": "unpublish", "_selected_action": [agreement.pk]},
    )

    agreement.refresh_from_db()
    assert agreement.publication_status == PublicationStatus.DRAFT


def test_figure_changelist_sets_the_announced_figure_beside_the_records(
    admin_client,
):
    """A figure shows as announced ("more than 5") beside its public records."""
    agreement = make_agreement()
    for status in [PublicationStatus.PUBLISHED] * 2 + [PublicationStatus.DRAFT]:
        make_project(agreement=agreement, publication_status=status)
    make_figure(
        agreement=agreement,
        subject=AnnouncedFigure.Subject.KEY_PROJECTS,
        qualifier=AnnouncedFigure.Qualifier.MORE_THAN,
        value=5,
        as_of=datetime.date(2023, 6, 15),
    )

    response = admin_client.get(admin_url(AnnouncedFigure, "changelist"))

    assert '<td class="field-announced">more than 5</td>' in response.text
    assert '<td class="field-on_record">2</td>' in response.text


def test_text_boxes_store_unix_line_ends():
    """A browser's \\r\\n line ends are stored as \\n, so a resave changes nothing."""
    field = UnixNewlinesField(required=False)
    assert field.clean("Transfer\r\nTalent\rMarkets") == "Transfer\nTalent\nMarkets"
    assert field.clean("") == ""
