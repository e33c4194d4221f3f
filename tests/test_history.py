"""The history of every change: who, when and what; reverting; restoring."""

import pytest
from django.urls import reverse

from programs.models import (
    Agreement,
    AgreementParty,
    Expert,
    Project,
    ResearchField,
    Source,
    StaffScope,
)
from programs.seeding import SeedLoader
from programs.staff.revisions import SYSTEM_USERNAME, system_user
from tests import factories as f

pytestmark = pytest.mark.django_db


def admin_url(model, view, *args):
    return reverse(f"admin:programs_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def editor_client(client):
    client.force_login(f.make_staff("editor", "Editor"))
    return client


@pytest.fixture
def viewer_client(client):
    client.force_login(f.make_staff("viewer", "Viewer"))
    return client


def change_form_data(project, **changes):
    """Return the POST data of ``project``'s change form, with ``changes``."""
    data = {
        "name_en": project.name_en,
        "name_zh": project.name_zh,
        "slug": project.slug,
        "kind": project.kind,
        "status": project.status,
        "announced_on": project.announced_on.isoformat(),
        "summary_en": project.summary_en,
        "summary_zh": project.summary_zh,
        "sources": [source.pk for source in project.sources.all()],
        "publication_status": project.publication_status,
        "version": project.version,
    }
    data.update(changes)
    return data


def history_page(client, record):
    response = client.get(admin_url(type(record), "history", record.pk))
    assert response.status_code == 200
    return response.text


def test_a_change_in_the_admin_is_recorded_with_its_user_and_fields(editor_client):
    """Saving the change form writes a version naming the editor and the changes."""
    project = f.make_project(name_en="Wetland survey")

    response = editor_client.post(
        admin_url(Project, "change", project.pk),
        change_form_data(project, name_en="Wetland restoration survey"),
    )

    assert response.status_code == 302
    latest, earlier = project.history.all()[:2]
    assert latest.history_user.username == "editor"
    assert latest.history_type == "~"
    assert latest.diff_against(earlier).changed_fields == ["name_en"]


def test_the_history_page_shows_old_and_new_values(editor_client):
    """The history lists who changed what, field by field, with old → new."""
    project = f.make_project(name_en="Wetland survey")
    editor_client.post(
        admin_url(Project, "change", project.pk),
        change_form_data(
            project, name_en="Wetland census", publication_status="archived"
        ),
    )

    text = history_page(editor_client, project)

    assert "<strong>Name (English):</strong> Wetland survey &rarr; Wetland census" in (
        text
    )
    assert "<strong>Publication status:</strong> Published &rarr; Archived" in text
    assert "<td>editor</td>" in text


def test_the_history_page_shows_changes_of_sources(editor_client):
    """Adding a source shows in the history as the sources before → after."""
    jiaxing = f.make_source(title_en="Jiaxing Daily")
    wujiang = f.make_source(title_en="Wujiang News")
    project = f.make_project()
    project.sources.add(jiaxing)

    editor_client.post(
        admin_url(Project, "change", project.pk),
        change_form_data(project, sources=[jiaxing.pk, wujiang.pk]),
    )

    text = history_page(editor_client, project)
    assert f"<strong>Sources:</strong> {jiaxing} &rarr; {jiaxing}, {wujiang}" in text


def shown_form_data(client, url, **changes):
    """Return the POST data of the admin form at ``url`` as shown, with ``changes``."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if value is not None:
            data[name] = value
    data.update(changes)
    return data


def linked(version, name):
    """Return the primary keys of the links ``version`` holds in field ``name``."""
    target = type(version).instance_type._meta.get_field(name).m2m_reverse_field_name()
    return set(getattr(version, name).values_list(f"{target}_id", flat=True))


def expert_with_links(name_en="Li Wei"):
    """Return an expert linked to a field and a source, with (linked, unlinked)
    pairs of fields and of sources."""
    fields = f.make_field(name_en="Wetlands"), f.make_field(name_en="Forestry")
    sources = (
        f.make_source(title_en="Jiaxing Daily"),
        f.make_source(title_en="Wujiang News"),
    )
    expert = f.make_expert(name_en=name_en)
    expert.research_fields.add(fields[0])
    expert.sources.add(sources[0])
    return expert, fields, sources


def test_an_admin_save_of_fields_and_links_writes_one_version(editor_client):
    """One save of an expert's name, fields and sources writes one version, by the
    editor, whose snapshot holds the links as saved."""
    expert, (_, forestry), (jiaxing, wujiang) = expert_with_links()
    versions_before = expert.history.count()
    url = admin_url(Expert, "change", expert.pk)

    response = editor_client.post(
        url,
        shown_form_data(
            editor_client,
            url,
            name_en="Li Wei (PhD)",
            research_fields=[forestry.pk],
            sources=[jiaxing.pk, wujiang.pk],
        ),
    )

    assert response.status_code == 302
    assert expert.history.count() == versions_before + 1
    latest = expert.history.first()
    assert latest.history_user.username == "editor"
    assert latest.name_en == "Li Wei (PhD)"
    assert linked(latest, "research_fields") == {forestry.pk}
    assert linked(latest, "sources") == {jiaxing.pk, wujiang.pk}


def test_adding_a_record_with_sources_in_the_admin_writes_one_version(editor_client):
    """Adding an expert with a source writes one version, "+", holding the source."""
    source = f.make_source()
    url = admin_url(Expert, "add")

    response = editor_client.post(
        url,
        shown_form_data(
            editor_client,
            url,
            name_en="Zhang Min",
            name_zh="张敏",
            slug="zhang-min",
            appointed_by=f.make_organization().pk,
            sources=[source.pk],
        ),
    )

    assert response.status_code == 302
    (version,) = Expert.objects.get(slug="zhang-min").history.all()
    assert version.history_type == "+"
    assert version.history_user.username == "editor"
    assert linked(version, "sources") == {source.pk}


def test_the_history_page_shows_one_save_as_one_version_with_its_links(
    editor_client,
):
    """The newest row of the history holds the save's name, fields and sources,
    each old → new against the version before."""
    expert, (wetlands, forestry), (jiaxing, wujiang) = expert_with_links()
    url = admin_url(Expert, "change", expert.pk)
    editor_client.post(
        url,
        shown_form_data(
            editor_client,
            url,
            name_en="Li Wei (PhD)",
            research_fields=[forestry.pk],
            sources=[jiaxing.pk, wujiang.pk],
        ),
    )

    newest_row = history_page(editor_client, expert).split("<tbody>")[1]
    newest_row = newest_row.split("</tr>")[0]
    assert "<td>editor</td>" in newest_row
    assert "<strong>Name (English):</strong> Li Wei &rarr; Li Wei (PhD)" in newest_row
    assert f"<strong>Fields:</strong> {wetlands} &rarr; {forestry}" in newest_row
    assert (
        f"<strong>Sources:</strong> {jiaxing} &rarr; {jiaxing}, {wujiang}" in newest_row
    )


def test_links_changed_outside_the_admin_still_write_their_own_version():
    """A source added from code (seeds, imports) is recorded as simple-history
    does, in a version of its own; only admin saves are folded."""
    expert = f.make_expert()
    source = f.make_source()

    expert.sources.add(source)

    latest, created = expert.history.all()
    assert linked(latest, "sources") == {source.pk}
    assert linked(created, "sources") == set()


def revert(client, record, version, **changes):
    """POST the form of ``version`` as shown, i.e. revert ``record`` to it."""
    page = client.get(admin_url(type(record), "simple_history", record.pk, version.pk))
    form = page.context["adminform"].form
    data = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() is not None
    }
    data.update(changes)
    return client.post(
        admin_url(type(record), "simple_history", record.pk, version.pk), data
    )


def test_revert_restores_the_earlier_values_and_is_recorded(editor_client):
    """Reverting puts back an earlier name and sources, as a new version."""
    first_source = f.make_source(title_en="Jiaxing Daily")
    project = f.make_project(name_en="Wetland survey")
    project.sources.add(first_source)
    original = project.history.first()
    project.refresh_from_db()
    editor_client.post(
        admin_url(Project, "change", project.pk),
        change_form_data(
            project,
            name_en="Wetland census",
            sources=[f.make_source(title_en="Wujiang News").pk],
        ),
    )
    project.refresh_from_db()
    version_before = project.version
    assert project.name_en == "Wetland census"

    response = revert(editor_client, project, original)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name_en == "Wetland survey"
    assert list(project.sources.all()) == [first_source]
    assert project.version > version_before
    latest = project.history.first()
    assert latest.history_user.username == "editor"
    assert latest.name_en == "Wetland survey"


def test_a_revert_writes_one_version_with_the_links_it_puts_back(editor_client):
    """Reverting an expert's name and sources writes one version, by the editor,
    holding the sources of the version reverted to."""
    expert, _, (jiaxing, wujiang) = expert_with_links()
    original = expert.history.first()
    url = admin_url(Expert, "change", expert.pk)
    editor_client.post(
        url,
        shown_form_data(
            editor_client, url, name_en="Li Wei (PhD)", sources=[wujiang.pk]
        ),
    )
    versions_before = expert.history.count()

    response = revert(editor_client, expert, original)

    assert response.status_code == 302
    assert expert.history.count() == versions_before + 1
    latest = expert.history.first()
    assert latest.history_user.username == "editor"
    assert latest.name_en == "Li Wei"
    assert linked(latest, "sources") == {jiaxing.pk}


def test_a_viewer_sees_a_version_but_cannot_revert_to_it(viewer_client):
    """A viewer may open an earlier version, but posting it is refused (403)."""
    project = f.make_project(name_en="Wetland survey")
    original = project.history.first()
    project.name_en = "Wetland census"
    project.save()
    url = admin_url(Project, "simple_history", project.pk, original.pk)

    page = viewer_client.get(url)
    refused = viewer_client.post(
        url, change_form_data(project, name_en="Wetland survey")
    )

    assert page.status_code == 200
    assert 'value="Revert"' not in page.text
    assert refused.status_code == 403
    project.refresh_from_db()
    assert project.name_en == "Wetland census"


@pytest.mark.parametrize("version", ["abc", "1.5", "-1"])
def test_a_version_that_is_not_a_number_is_not_found(editor_client, version):
    """/history/abc/ answers 404, not the 500 simple-history would give."""
    project = f.make_project()
    url = f"/admin/programs/project/{project.pk}/history/{version}/"

    assert editor_client.get(url).status_code == 404


def test_a_deleted_record_is_listed_and_restored_with_its_history(editor_client):
    """A deleted agreement is listed; restoring brings back pk, slug and parties."""
    source = f.make_source()
    association = f.make_organization(name_en="Talent association")
    agreement = f.make_agreement(
        name_en="Strategic cooperation", slug="strategic", parties=[association]
    )
    agreement.sources.add(source)
    project = f.make_project()
    project.sources.add(source)
    pk = agreement.pk
    editor_client.post(
        admin_url(Agreement, "changelist"),
        {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
    )
    source_pk = source.pk
    Source.objects.get(pk=source_pk)  # still there: only the agreement went
    assert not Agreement.objects.filter(pk=pk).exists()

    listing = editor_client.get(admin_url(Agreement, "deleted"))
    (row,) = listing.context["rows"]
    response = editor_client.post(admin_url(Agreement, "restore", row["version"].pk))

    assert response.status_code == 302
    assert response.url == admin_url(Agreement, "change", pk)
    restored = Agreement.objects.get(pk=pk)
    assert restored.slug == "strategic"
    assert list(restored.sources.all()) == [source]
    assert AgreementParty.objects.get(agreement=restored).organization == association
    assert [v.history_type for v in restored.history.all()][:2] == ["~", "+"]
    assert restored.history.filter(history_type="-").exists()
    assert not editor_client.get(admin_url(Agreement, "deleted")).context["rows"]


def test_a_restored_source_is_cited_again_by_its_records(editor_client):
    """A restored source is back among the sources of the records citing it."""
    source = f.make_source(title_en="Jiaxing Daily")
    project = f.make_project()
    project.sources.add(source)
    pk = source.pk
    source.delete()
    deletion = Source.history.filter(history_type="-").get()

    editor_client.post(admin_url(Source, "restore", deletion.pk))

    assert list(project.sources.all()) == [Source.objects.get(pk=pk)]


def test_the_changelist_links_to_the_deleted_records(editor_client):
    """Each changelist has a link to the records of its kind that were deleted."""
    response = editor_client.get(admin_url(Project, "changelist"))

    assert f'href="{admin_url(Project, "deleted")}"' in response.text


def test_a_viewer_sees_deleted_records_but_cannot_restore_them(viewer_client):
    """Viewers get the deleted list without buttons, and a restore POST is refused."""
    project = f.make_project(name_en="Withdrawn project")
    project.delete()
    deletion = Project.history.filter(history_type="-").get()

    listing = viewer_client.get(admin_url(Project, "deleted"))
    refused = viewer_client.post(admin_url(Project, "restore", deletion.pk))

    assert "Withdrawn project" in listing.text
    assert ">Restore</button>" not in listing.text
    assert refused.status_code == 403
    assert not Project.objects.filter(pk=project.pk).exists()


def test_restoring_over_a_reused_slug_says_why_it_cannot(editor_client):
    """A record whose slug was taken since is not restored, and the user is told."""
    project = f.make_project(slug="wetland")
    project.delete()
    f.make_project(slug="wetland")
    deletion = Project.history.filter(history_type="-").get()

    response = editor_client.post(
        admin_url(Project, "restore", deletion.pk), follow=True
    )

    assert "could not be restored" in response.text
    assert Project.objects.filter(slug="wetland").count() == 1


def test_load_seeds_changes_are_attributed_to_the_system_account(tmp_path):
    """Records created or updated by load_seeds are saved by talentzone-system."""
    fixture = tmp_path / "fields.yaml"
    fixture.write_text(
        "- model: programs.researchfield\n"
        "  fields: {slug: wetlands, name_en: Wetlands, publication_status: draft}\n",
        encoding="utf-8",
    )
    SeedLoader().load_file(fixture, "fields.yaml")
    fixture.write_text(
        fixture.read_text().replace("publication_status: draft", "name_zh: 湿地"),
        encoding="utf-8",
    )

    SeedLoader().load_file(fixture, "fields.yaml")

    field = ResearchField.objects.get(slug="wetlands")
    assert [v.history_user.username for v in field.history.all()] == [
        SYSTEM_USERNAME,
        SYSTEM_USERNAME,
    ]


def test_the_system_account_cannot_sign_in():
    """talentzone-system is inactive and has no usable password."""
    user = system_user()

    assert user == system_user()
    assert not user.is_active
    assert not user.has_usable_password()


def test_a_district_editor_restores_and_reverts_only_their_districts_records(client):
    """A Qingpu editor restores Qingpu records, and may not touch Wujiang's."""
    qingpu, wujiang = f.make_district(slug="qingpu"), f.make_district(slug="wujiang")
    user = f.make_staff("qingpu-editor", "District editor")
    StaffScope.objects.create(user=user).districts.add(qingpu)
    client.force_login(user)
    own, other = f.make_project(district=qingpu), f.make_project(district=wujiang)
    other_version = other.history.first()
    own_pk, other_pk = own.pk, other.pk
    own.delete()
    f.make_project(district=wujiang, slug="wujiang-deleted").delete()
    deletions = Project.history.filter(history_type="-")

    reverting = client.post(
        admin_url(Project, "simple_history", other_pk, other_version.pk),
        change_form_data(other, name_en="Crafted"),
    )
    restoring_other = client.post(
        admin_url(Project, "restore", deletions.get(slug="wujiang-deleted").pk)
    )
    restoring_own = client.post(
        admin_url(Project, "restore", deletions.get(id=own_pk).pk)
    )

    assert reverting.status_code == 403
    assert restoring_other.status_code == 403
    assert restoring_own.status_code == 302
    assert Project.objects.filter(pk=own_pk).exists()
    assert not Project.objects.filter(slug="wujiang-deleted").exists()
