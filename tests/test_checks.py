"""Editorial checks (programs/staff/checks.py): nothing is published that the
site cannot stand behind, and what needs attention is said and findable."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from programs.models import (
    AnnouncedFigure,
    Expert,
    Organization,
    Project,
    PublicationStatus,
)
from programs.staff.checks import needing_attention, problems

from . import factories as f
from .test_import_export import CSV, as_file, confirm, error_cells, preview

pytestmark = pytest.mark.django_db

DRAFT, PUBLISHED = PublicationStatus.DRAFT, PublicationStatus.PUBLISHED


def add_project(client, **fields):
    data = {
        "name_en": "Wetland survey",
        "kind": Project.Kind.KEY_PROJECT,
        "status": Project.Status.ANNOUNCED,
        "publication_status": PUBLISHED,
        **fields,
    }
    return client.post(reverse("admin:programs_project_add"), data)


# The one blocking rule: a published record has a published source -----------


def test_the_admin_refuses_to_publish_a_record_without_a_source(admin_client):
    """Saved as published with no source, the form says why and saves nothing."""
    response = add_project(admin_client)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["publication_status"]
    assert "Add a published source before publishing" in errors[0]
    assert not Project.objects.exists()


def test_a_draft_source_is_not_enough_and_a_published_one_is(admin_client):
    """Only a source visitors can see stands behind a published record."""
    draft = f.make_source(publication_status=DRAFT)
    published = f.make_source()

    refused = add_project(admin_client, sources=[draft.pk])
    saved = add_project(admin_client, sources=[published.pk], slug="saved")

    assert refused.status_code == 200
    assert saved.status_code == 302
    assert Project.objects.get().slug == "saved"


def test_a_draft_is_saved_without_a_source(admin_client):
    """Drafts are where records wait for their sources."""
    assert add_project(admin_client, publication_status=DRAFT).status_code == 302


def test_the_publish_action_skips_unsourced_records_and_names_them(admin_client):
    """A selection is published but for the records without a source, each named."""
    sourced = f.with_source(f.make_project(publication_status=DRAFT))
    unsourced = f.make_project(name_en="No source yet", publication_status=DRAFT)

    response = admin_client.post(
        reverse("admin:programs_project_changelist"),
        {"action": "publish", "_selected_action": [sourced.pk, unsourced.pk]},
        follow=True,
    )

    sourced.refresh_from_db()
    unsourced.refresh_from_db()
    assert (sourced.publication_status, unsourced.publication_status) == (
        PUBLISHED,
        DRAFT,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert any("“No source yet” was not published" in text for text in shown)


def test_an_import_refuses_to_publish_a_row_without_a_source(admin_client):
    """The row's publication status names the problem; nothing is written."""
    upload = as_file(
        [
            ["slug", "name_en", "kind", "publication_status"],
            ["new-firm", "New firm", "company", "published"],
        ],
        CSV,
    )

    response = preview(admin_client, Organization, upload)

    ((row, column, message),) = error_cells(response)
    assert column == "publication_status"
    assert "published source" in message
    assert not Organization.objects.exists()


def test_an_import_publishes_a_row_with_a_published_source(admin_client):
    """Naming a published source in the row lets it be published."""
    source = f.make_source(slug="report")
    upload = as_file(
        [
            ["slug", "name_en", "kind", "sources", "publication_status"],
            ["new-firm", "New firm", "company", source.slug, "published"],
        ],
        CSV,
    )

    confirm(admin_client, Organization, preview(admin_client, Organization, upload))

    assert Organization.objects.get().publication_status == PUBLISHED


def test_seeds_refuse_a_published_record_without_a_source(tmp_path):
    """load_seeds obeys the rule too, and names the record."""
    fixture = tmp_path / "firm.yaml"
    fixture.write_text(
        "- model: programs.organization\n"
        "  fields:\n"
        "    slug: unsourced-firm\n"
        "    name_en: Unsourced firm\n"
        "    kind: company\n"
        "    publication_status: published\n"
    )

    with pytest.raises(CommandError, match="without a published source"):
        call_command("load_seeds", str(fixture), stdout=io.StringIO())
    assert not Organization.objects.exists()


def test_a_record_published_before_the_rule_is_flagged_not_blocked(admin_client):
    """An edit of an already published record saves; its page says what to fix."""
    project = f.make_project(name_en="Old record")
    change = reverse("admin:programs_project_change", args=[project.pk])

    page = admin_client.get(change)

    assert "Add a published source before publishing" in page.text
    assert project in needing_attention(Project.objects.all())


def test_demo_records_need_no_source():
    """Invented records are labelled wherever shown, so no source is asked."""
    demo = f.make_project(is_demo=True)
    assert problems(demo) == []


# Warnings, and the filter that finds them ------------------------------------


def warned(record):
    """Return the fields ``problems`` warns about, and whether the filter agrees."""
    model = type(record)
    fields = {problem.field for problem in problems(record)}
    found = record in needing_attention(model.objects.all())
    return fields, found


def test_a_link_to_a_draft_is_a_warning(admin_client):
    """A published expert in a draft field: the page would not show the field."""
    expert = f.with_source(f.make_expert())
    expert.research_fields.add(f.make_field(publication_status=DRAFT))
    district = f.make_district(publication_status=DRAFT)
    expert.district = district
    expert.save()

    assert warned(expert) == ({"research_fields", "district"}, True)


def test_a_project_before_its_agreement_or_elsewhere_is_a_warning():
    """Dated before its agreement, or in another district: both are said."""
    qingpu, jiashan = f.make_district(), f.make_district()
    agreement = f.make_agreement(district=qingpu, signed_on=datetime.date(2023, 6, 15))
    project = f.with_source(
        f.make_project(
            agreement=agreement,
            district=jiashan,
            announced_on=datetime.date(2020, 6, 15),
        )
    )

    assert warned(project) == ({"announced_on", "district"}, True)


def test_a_figure_after_its_source_is_a_warning():
    """A source cannot count ahead of its own publication date."""
    figure = f.make_figure(as_of=datetime.date(2024, 1, 1))

    assert warned(figure) == ({"as_of"}, True)


def test_a_sound_record_needs_no_attention():
    """A sourced project in its agreement's district, dated after it: nothing."""
    qingpu = f.make_district()
    agreement = f.with_source(f.make_agreement(district=qingpu))
    project = f.with_source(f.make_project(agreement=agreement, district=qingpu))

    assert warned(project) == (set(), False)
    assert warned(f.make_figure()) == (set(), False)


def test_the_needs_attention_filter_lists_only_flagged_records(admin_client):
    """?attention=yes on a list keeps the records the checks flag."""
    f.with_source(f.make_project(name_en="Sound"))
    f.make_project(name_en="Unsourced")

    response = admin_client.get(
        reverse("admin:programs_project_changelist"), {"attention": "yes"}
    )

    shown = [str(project) for project in response.context["cl"].result_list]
    assert shown == ["Unsourced"]


# Contact details --------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "valid"),
    [("+86 21 6975 0000", True), ("(021) 6975-0000 ext 12", True)]
    + [("call me maybe", False), ("12", False)],
)
def test_a_phone_number_must_look_like_one(phone, valid):
    """Digits and the usual separators pass; words do not."""
    expert = f.make_expert(phone=phone)
    errors = {}
    try:
        expert.full_clean()
    except ValidationError as error:
        errors = error.message_dict
    assert ("phone" not in errors) is valid


def test_problems_of_a_figure_use_its_source():
    """A figure is published with its source: a draft source blocks it."""
    figure = f.make_figure(source=f.make_source(publication_status=DRAFT))

    assert [p.field for p in problems(figure) if p.blocking] == ["publication_status"]
    assert isinstance(figure, AnnouncedFigure)


def test_the_expert_model_is_checked_like_the_others():
    """An unsourced published expert is flagged by the filter too."""
    expert = f.make_expert()
    assert expert in needing_attention(Expert.objects.all())
