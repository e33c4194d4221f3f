"""No lost edits: a save from a form opened before someone else's save is refused."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from programs.models import Agreement, Project, PublicationStatus
from tests.factories import make_agreement, make_district, make_project, make_source

pytestmark = pytest.mark.django_db

STALE = "after you opened it. Your changes have not been saved."
REAPPLY = "Copy your edits, reload the page, and apply them again."


@pytest.fixture
def staff(django_user_model):
    """Return a signed-in admin client for each of the named staff members."""

    def sign_in(username):
        user = django_user_model.objects.create_superuser(username, f"{username}@x.org")
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def agreement():
    return make_agreement(
        name_en="Original name",
        slug="original",
        district=make_district(),
        publication_status=PublicationStatus.DRAFT,
    )


def change_url(record):
    return reverse(f"admin:programs_{record._meta.model_name}_change", args=[record.pk])


def changelist_url(model):
    return reverse(f"admin:programs_{model._meta.model_name}_changelist")


def _add_form(data, form):
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        data[field.html_name] = value


def change_form_data(response):
    """Return the POST data of the change form as the page shows it."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        _add_form(data, inline.formset.management_form)
        for form in inline.formset.forms:
            _add_form(data, form)
    return data


def list_form_data(response):
    """Return the POST data of the changelist's editable rows, saved."""
    formset = response.context["cl"].formset
    data = {"_save": "Save"}
    _add_form(data, formset.management_form)
    for form in formset.forms:
        _add_form(data, form)
    return data


def row_prefix(response, record):
    (form,) = [
        f for f in response.context["cl"].formset.forms if f.instance.pk == record.pk
    ]
    return form.prefix


def open_form(client, record):
    response = client.get(change_url(record))
    assert response.status_code == 200
    return change_form_data(response)


def test_change_form_carries_the_version_it_was_opened_at(staff, agreement):
    """The change form sends the record's version back in a hidden field."""
    response = staff("alice").get(change_url(agreement))

    assert '<input type="hidden" name="version" value="1"' in response.text


def test_a_single_edit_saves_and_raises_the_version(staff, agreement):
    """An edit from an up-to-date form saves and moves the version on by one."""
    alice = staff("alice")
    data = open_form(alice, agreement)
    data["name_en"] = "Name by Alice"

    response = alice.post(change_url(agreement), data)

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.name_en, agreement.version) == ("Name by Alice", 2)
    data = open_form(alice, agreement)  # a form opened afterwards saves too
    data["name_en"] = "Name by Alice, again"
    assert alice.post(change_url(agreement), data).status_code == 302


def test_second_of_two_concurrent_saves_is_refused_and_loses_nothing(staff, agreement):
    """Bob's save over Alice's is refused, shows her change and keeps his values."""
    alice, bob = staff("alice"), staff("bob")
    alices, bobs = open_form(alice, agreement), open_form(bob, agreement)
    alices["name_en"] = "Name by Alice"
    bobs["name_en"] = "Name by Bob"
    bobs["cooperation_areas_en"] = "Areas by Bob"

    first = alice.post(change_url(agreement), alices)
    second = bob.post(change_url(agreement), bobs)

    assert first.status_code == 302
    assert second.status_code == 200
    errors = second.context["adminform"].form.non_field_errors()
    (message,) = errors
    assert message.startswith("Someone else saved this agreement at ")
    assert f"(by alice) {STALE}" in message
    assert "name (English): “Original name” → “Name by Alice”" in message
    assert message.endswith(REAPPLY)
    assert 'value="Name by Bob"' in second.text
    assert "Areas by Bob" in second.text
    agreement.refresh_from_db()
    assert (agreement.name_en, agreement.cooperation_areas_en) == ("Name by Alice", "")
    assert agreement.version == 2


def test_resending_a_refused_form_is_refused_again(staff, agreement):
    """A refused form keeps its old version, so sending it again changes nothing."""
    alice, bob = staff("alice"), staff("bob")
    alices, bobs = open_form(alice, agreement), open_form(bob, agreement)
    alice.post(change_url(agreement), {**alices, "name_en": "Name by Alice"})
    refused = bob.post(change_url(agreement), {**bobs, "name_en": "Name by Bob"})

    again = bob.post(change_url(agreement), change_form_data(refused))

    assert again.status_code == 200
    agreement.refresh_from_db()
    assert agreement.name_en == "Name by Alice"


def _save_by_orm(agreement, django_user_model, client):
    agreement.name_en = "Name from the shell"
    agreement.save()


def _load_seeds(agreement, django_user_model, client, tmp_path):
    fixture = tmp_path / "agreement.yaml"
    fixture.write_text(
        "- model: programs.agreement\n"
        "  fields:\n"
        f"    slug: {agreement.slug}\n"
        "    name_en: Name from the seeds\n"
    )
    call_command("load_seeds", str(fixture), stdout=io.StringIO())


def _publish_from_the_list(agreement, django_user_model, client):
    agreement.sources.add(make_source())  # publishing needs a source
    response = client.post(
        changelist_url(Agreement),
        {"action": "publish", "_selected_action": [agreement.pk]},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "change",
    [_save_by_orm, _load_seeds, _publish_from_the_list],
    ids=["orm-save", "load-seeds", "publish-action"],
)
def test_save_after_a_change_outside_the_form_is_refused(
    staff, agreement, django_user_model, tmp_path, change
):
    """A form opened before a shell save, load_seeds or publishing is refused."""
    alice = staff("alice")
    data = open_form(alice, agreement)
    args = (agreement, django_user_model, staff("bob"))
    if change is _load_seeds:
        args += (tmp_path,)
    change(*args)
    before = Agreement.objects.values().get(pk=agreement.pk)

    response = alice.post(change_url(agreement), {**data, "name_zh": "爱丽丝"})

    assert response.status_code == 200
    assert STALE in str(response.context["adminform"].form.non_field_errors())
    assert Agreement.objects.values().get(pk=agreement.pk) == before


@pytest.mark.parametrize(
    "version", [None, "", "garbled"], ids=["absent", "blank", "garbled"]
)
def test_a_post_without_a_version_is_refused_with_a_message(staff, agreement, version):
    """A crafted POST with no usable version is refused and explained, not a 500."""
    alice = staff("alice")
    data = open_form(alice, agreement)
    del data["version"]
    if version is not None:
        data["version"] = version
    data["name_en"] = "Crafted name"

    response = alice.post(change_url(agreement), data)

    assert response.status_code == 200
    (message,) = response.context["adminform"].form.non_field_errors()
    assert "did not say which version of the agreement it was opened at" in message
    agreement.refresh_from_db()
    assert agreement.name_en == "Original name"


def test_an_inline_record_saved_elsewhere_is_not_overwritten(staff, agreement):
    """A project edited on its own page is not overwritten from the agreement's."""
    project = make_project(agreement=agreement, name_en="Project name")
    alice, bob = staff("alice"), staff("bob")
    bobs = open_form(bob, agreement)
    alices = open_form(alice, project)
    saved = alice.post(change_url(project), {**alices, "name_en": "By Alice"})
    assert saved.status_code == 302
    (project_name,) = [name for name, value in bobs.items() if value == "Project name"]
    bobs[project_name] = "By Bob"

    response = bob.post(change_url(agreement), bobs)

    assert response.status_code == 200
    assert "Someone else saved this project at" in response.text
    project.refresh_from_db()
    assert project.name_en == "By Alice"


def test_stale_list_edit_is_refused_and_names_the_row(staff):
    """A status changed in the list after someone else saved that row is refused."""
    project = make_project(name_en="Wetland survey")
    make_project()
    alice, bob = staff("alice"), staff("bob")
    alices = alice.get(changelist_url(Project))
    bobs = bob.get(changelist_url(Project))
    assert f'name="{row_prefix(bobs, project)}-version"' in bobs.text
    alice_data, bob_data = list_form_data(alices), list_form_data(bobs)
    alice_data[f"{row_prefix(alices, project)}-status"] = Project.Status.UNDER_WAY
    bob_data[f"{row_prefix(bobs, project)}-status"] = Project.Status.CANCELLED

    assert alice.post(changelist_url(Project), alice_data).status_code == 302
    response = bob.post(changelist_url(Project), bob_data)

    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any(
        m.startswith("Nothing was saved: someone else saved “Wetland survey”")
        for m in shown
    )
    assert "Someone else saved this project at" in response.text
    project.refresh_from_db()
    assert project.status == Project.Status.UNDER_WAY


def test_list_edit_of_other_rows_saves_beside_a_row_saved_elsewhere(staff):
    """Rows nobody else touched save even if another row was saved meanwhile."""
    saved_elsewhere, edited = make_project(), make_project()
    bob = staff("bob")
    page = bob.get(changelist_url(Project))
    data = list_form_data(page)
    saved_elsewhere.name_en = "Renamed elsewhere"
    saved_elsewhere.save()
    data[f"{row_prefix(page, edited)}-status"] = Project.Status.COMPLETED

    assert bob.post(changelist_url(Project), data).status_code == 302

    edited.refresh_from_db()
    assert (edited.status, edited.version) == (Project.Status.COMPLETED, 2)


def test_reverting_to_an_earlier_version_saves_a_new_version(staff, agreement):
    """A revert from the history page saves, with the next version, not the old one."""
    alice = staff("alice")
    first = agreement.history.earliest()
    data = open_form(alice, agreement)
    alice.post(change_url(agreement), {**data, "name_en": "Second name"})
    url = reverse(
        "admin:programs_agreement_simple_history",
        args=[agreement.pk, first.history_id],
    )
    page = alice.get(url)

    response = alice.post(url, change_form_data(page))

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.name_en, agreement.version) == ("Original name", 3)


def test_every_save_raises_the_version_even_with_update_fields(agreement):
    """A save that names only some fields still raises the stored version."""
    agreement.name_en = "Renamed"
    agreement.save(update_fields=["name_en"])

    assert Agreement.objects.get(pk=agreement.pk).version == 2


def test_saving_a_record_rebuilt_from_history_raises_the_stored_version(agreement):
    """An instance rebuilt from an old version is saved as the next version."""
    agreement.name_en = "Second"
    agreement.save()
    agreement.name_en = "Third"
    agreement.save()

    agreement.history.earliest().instance.save()

    agreement.refresh_from_db()
    assert (agreement.name_en, agreement.version) == ("Original name", 4)


def test_dates_are_shown_in_the_refusal_when_not_today(staff, agreement):
    """A save made on another day is named with its date as well as its time."""
    alice, bob = staff("alice"), staff("bob")
    bobs = open_form(bob, agreement)
    alices = open_form(alice, agreement)
    alice.post(change_url(agreement), {**alices, "name_en": "Name by Alice"})
    agreement.history.filter(version=2).update(
        history_date=datetime.datetime(2024, 3, 1, 2, 42, tzinfo=datetime.UTC)
    )

    response = bob.post(change_url(agreement), bobs)

    assert "saved this agreement at 2024-03-01 10:42 (by alice)" in response.text


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL only"
)
@pytest.mark.django_db(transaction=True)
def test_a_save_waits_for_a_concurrent_one_to_commit_and_is_then_refused(staff):
    """A save checked while another holds the row waits, then sees its version.

    Without the row lock Bob's check would read the version from before the
    uncommitted save, pass, and overwrite it once that save committed.
    """
    agreement = make_agreement(name_en="Original name", district=make_district())
    bob = staff("bob")
    bobs = {**open_form(bob, agreement), "name_en": "Name by Bob"}
    responses = []

    def bob_saves():
        try:
            responses.append(bob.post(change_url(agreement), bobs))
        finally:
            connection.close()

    with transaction.atomic():
        holding = Agreement.objects.select_for_update().get(pk=agreement.pk)
        holding.name_en = "Name by Alice"
        holding.save()
        thread = threading.Thread(target=bob_saves)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # waiting for the row
    thread.join(timeout=10)

    assert responses[0].status_code == 200
    agreement.refresh_from_db()
    assert (agreement.name_en, agreement.version) == ("Name by Alice", 2)
