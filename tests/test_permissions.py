"""Who may do what in the admin: the roles, and district editors' districts."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import (
    Agreement,
    AnnouncedFigure,
    District,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    ResearchField,
    Role,
    Source,
    Workstation,
)
from programs.staff.permissions import districts_of, role_of
from tests.factories import (
    client_of,
    make_agreement,
    make_entrepreneur,
    make_expert,
    make_field,
    make_figure,
    make_organization,
    make_project,
    make_source,
    make_staff,
    make_workstation,
)

pytestmark = pytest.mark.django_db

ANONYMOUS, VIEWER, EDITOR, DISTRICT_EDITOR, SUPERUSER = (
    "anonymous",
    "viewer",
    "editor",
    "district_editor",
    "superuser",
)
WHO = [ANONYMOUS, VIEWER, EDITOR, DISTRICT_EDITOR, SUPERUSER]

# Outcomes a request can have.
LOGIN = "redirected to login"
DENIED = "403, nothing changed"
OK = "done"  # a page shown (and, for a change form, editable) or the write made
READ_ONLY = "view-only form"

# Kinds of record, as a district editor of Qingpu meets them.
SCOPED = "scoped"  # has a district foreign key
DISTRICT = "district"  # a District: its own district
SHARED = "shared"  # reference data of no district


def district_editor(scoped, district, shared):
    """Return a district editor's expectation by the kind of record."""
    return {SCOPED: scoped, DISTRICT: district, SHARED: shared}


# Columns: anonymous, viewer, editor, district editor of Qingpu (by kind of
# record: scoped, district, shared), superuser. "own" is a Qingpu record (for
# shared records, any one), "other" a Wujiang one. Actions run in this order,
# on the same two records.
MATRIX = {
    "changelist":   (LOGIN, OK,        OK, OK,                                  OK),
    "add form":     (LOGIN, DENIED,    OK, district_editor(OK, DENIED, DENIED), OK),
    "add":          (LOGIN, DENIED,    OK, district_editor(OK, DENIED, DENIED), OK),
    "view own":     (LOGIN, READ_ONLY, OK, district_editor(OK, OK, READ_ONLY),  OK),
    "view other":   (LOGIN, READ_ONLY, OK, READ_ONLY,                           OK),
    "history":      (LOGIN, OK,        OK, OK,                                  OK),
    "change own":   (LOGIN, DENIED,    OK, district_editor(OK, OK, DENIED),     OK),
    "change other": (LOGIN, DENIED,    OK, DENIED,                              OK),
    "delete other": (LOGIN, DENIED,    OK, DENIED,                              OK),
    "delete own":   (LOGIN, DENIED,    OK, district_editor(OK, DENIED, DENIED), OK),
}  # fmt: skip


def make_record(model, district):
    """Return a new record of ``model`` in ``district`` (District: that one)."""
    builders = {
        Organization: make_organization,
        Agreement: lambda **f: make_agreement(parties=[make_organization()], **f),
        Project: make_project,
        Expert: make_expert,
        Workstation: make_workstation,
        Entrepreneur: make_entrepreneur,
        AnnouncedFigure: make_figure,
    }
    if model is District:
        district.sources.add(make_source())
        return district
    if model is Source:
        return make_source()
    if model is ResearchField:
        return make_field()
    record = builders[model](district=district)
    if hasattr(record, "sources"):
        # A published record's form saves only with a published source.
        record.sources.add(make_source())
    return record


RECORD_MODELS = [
    Source,
    District,
    ResearchField,
    Organization,
    Agreement,
    Project,
    Expert,
    Workstation,
    Entrepreneur,
    AnnouncedFigure,
]
NAME_FIELD = {Source: "title_en", AnnouncedFigure: "label_en"}


def kind_of(model):
    if model is District:
        return DISTRICT
    return SHARED if model in (Source, ResearchField) else SCOPED


def admin_url(model, view, *args):
    return reverse(f"admin:programs_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def users(qingpu):
    return {
        ANONYMOUS: None,
        VIEWER: make_staff("viewer", Role.VIEWER),
        EDITOR: make_staff("editor", Role.EDITOR),
        DISTRICT_EDITOR: make_staff("qingpu-editor", Role.DISTRICT_EDITOR, [qingpu]),
        SUPERUSER: make_staff("root", is_superuser=True),
    }


@pytest.fixture
def superuser_client(users):
    return client_of(users[SUPERUSER])


def _as_post_value(value):
    if isinstance(value, (list, tuple)):
        return [str(getattr(item, "pk", item)) for item in value]
    return str(getattr(value, "pk", value))


def form_data(response, with_inline_rows=True):
    """Return the POST data that saves the change form in ``response`` as shown."""
    context = response.context
    data = {}
    forms = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        if with_inline_rows:
            forms += [formset.management_form, *formset.forms]
        else:
            prefix = formset.prefix
            data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | serialize(forms)


def serialize(forms):
    """Return the POST data of ``forms`` as they would be submitted unchanged."""
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = (
                "on" if value is True else _as_post_value(value)
            )
    return data


class Scene:
    """One model's Qingpu and Wujiang records, and the forms that save them."""

    def __init__(self, model, qingpu, wujiang, superuser_client):
        self.model = model
        self.name_field = NAME_FIELD.get(model, "name_en")
        self.own = make_record(model, qingpu)
        self.other = make_record(model, wujiang)
        self.data = {
            record.pk: form_data(
                superuser_client.get(admin_url(model, "change", record.pk))
            )
            for record in (self.own, self.other)
        }
        self.add_data = form_data(
            superuser_client.get(admin_url(model, "change", self.own.pk)),
            with_inline_rows=False,
        ) | {"slug": "added-record", self.name_field: "Added record"}

    def perform(self, client, action):
        """Do ``action`` with ``client`` and return the outcome seen."""
        verb, _space, whose = action.partition(" ")
        record = self.other if whose == "other" else self.own
        if action == "changelist":
            return self._page(client.get(admin_url(self.model, "changelist")))
        if action == "add form":
            return self._page(client.get(admin_url(self.model, "add")))
        if action == "history":
            return self._page(client.get(admin_url(self.model, "history", record.pk)))
        if verb == "view":
            return self._change_form(
                client.get(admin_url(self.model, "change", record.pk))
            )
        if action == "add":
            response = client.post(admin_url(self.model, "add"), self.add_data)
            return self._write(response, self.model.objects.filter(slug="added-record"))
        if verb == "change":
            data = self.data[record.pk] | {self.name_field: "Renamed record"}
            response = client.post(admin_url(self.model, "change", record.pk), data)
            renamed = self.model.objects.filter(
                pk=record.pk, **{self.name_field: "Renamed record"}
            )
            return self._write(response, renamed)
        response = client.post(
            admin_url(self.model, "delete", record.pk), {"post": "yes"}
        )
        return self._write(response, self.model.objects.filter(pk=record.pk), False)

    def _page(self, response):
        if _is_login_redirect(response):
            return LOGIN
        return {200: OK, 403: DENIED}.get(response.status_code, response.status_code)

    def _change_form(self, response):
        if response.status_code != 200:
            return self._page(response)
        editable = response.context["has_change_permission"]
        assert editable == ('name="_save"' in response.text)
        return OK if editable else READ_ONLY

    def _write(self, response, done, done_if_exists=True):
        made = done.exists() == done_if_exists
        if _is_login_redirect(response):
            return LOGIN if not made else "written before the login redirect"
        if response.status_code == 403:
            return DENIED if not made else "written despite the 403"
        if response.status_code == 302 and made:
            return OK
        errors = response.context and response.context.get("errors")
        return f"{response.status_code}, not written: {errors}"


def _is_login_redirect(response):
    return response.status_code == 302 and response.url.startswith(
        reverse("admin:login")
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    "model", RECORD_MODELS, ids=lambda model: model._meta.model_name
)
def test_permission_matrix(model, who, users, qingpu, wujiang, superuser_client):
    """Each role gets exactly the outcomes of MATRIX on every kind of record."""
    scene = Scene(model, qingpu, wujiang, superuser_client)
    client = client_of(users[who])
    expected, seen = {}, {}
    for action, outcomes in MATRIX.items():
        outcome = outcomes[WHO.index(who)]
        expected[action] = (
            outcome[kind_of(model)] if isinstance(outcome, dict) else outcome
        )
        seen[action] = scene.perform(client, action)

    assert seen == expected


# A district editor of Qingpu, trying what the buttons do not offer.


@pytest.fixture
def qingpu_editor_client(users):
    return client_of(users[DISTRICT_EDITOR])


def project_data(superuser_client, project, **changes):
    response = superuser_client.get(admin_url(Project, "change", project.pk))
    return form_data(response) | changes


def test_district_editor_cannot_create_a_record_in_another_district(
    qingpu_editor_client, superuser_client, qingpu, wujiang
):
    """A crafted add form naming Wujiang is refused on the district field."""
    template = make_project(district=qingpu)
    data = project_data(
        superuser_client, template, slug="crafted", district=str(wujiang.pk)
    )

    response = qingpu_editor_client.post(admin_url(Project, "add"), data)

    assert response.status_code == 200
    assert "district" in response.context["adminform"].form.errors
    assert not Project.objects.filter(slug="crafted").exists()


def test_district_editor_cannot_move_their_record_to_another_district(
    qingpu_editor_client, superuser_client, qingpu, wujiang
):
    """Posting a Qingpu project with district Wujiang is refused and changes nothing."""
    project = make_project(district=qingpu, name_en="Ours")
    data = project_data(
        superuser_client, project, district=str(wujiang.pk), name_en="Moved"
    )

    response = qingpu_editor_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 200
    assert "district" in response.context["adminform"].form.errors
    project.refresh_from_db()
    assert (project.district, project.name_en) == (qingpu, "Ours")


def test_district_editor_cannot_leave_a_record_without_a_district(
    qingpu_editor_client, superuser_client, qingpu
):
    """Emptying the district of a Qingpu project is refused: it would not be theirs."""
    project = make_project(district=qingpu)
    data = project_data(superuser_client, project)
    del data["district"]

    response = qingpu_editor_client.post(admin_url(Project, "change", project.pk), data)

    assert "district" in response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.district == qingpu


def test_district_editor_cannot_post_changes_to_another_districts_record(
    qingpu_editor_client, superuser_client, wujiang
):
    """A crafted change of a Wujiang project is refused with 403 and changes nothing."""
    project = make_project(district=wujiang, name_en="Theirs")
    data = project_data(superuser_client, project, name_en="Hijacked")

    response = qingpu_editor_client.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name_en == "Theirs"


# SourcedRecordAdmin's Count annotation (GROUP BY) drops Meta.ordering, so every
# autocomplete of a sourced record warns, for superusers too: not this test's matter.
@pytest.mark.filterwarnings("ignore::django.core.paginator.UnorderedObjectListWarning")
def test_district_field_offers_only_the_editors_districts(
    qingpu_editor_client, qingpu, wujiang
):
    """The add form's district choices and the district picker list only Qingpu."""
    form = qingpu_editor_client.get(admin_url(Project, "add")).context["adminform"]
    picker = qingpu_editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "programs", "model_name": "project", "field_name": "district"},
    )

    assert list(form.form.fields["district"].queryset) == [qingpu]
    assert [row["id"] for row in picker.json()["results"]] == [str(qingpu.pk)]


def test_district_changelist_still_lists_every_district(
    qingpu_editor_client, qingpu, wujiang
):
    """A district editor sees every district in the list, their own and others."""
    response = qingpu_editor_client.get(admin_url(District, "changelist"))

    assert set(response.context["cl"].result_list) == {qingpu, wujiang}


def test_publish_action_publishes_only_the_editors_districts_records(
    qingpu_editor_client, qingpu, wujiang
):
    """Publishing a mixed selection publishes the Qingpu drafts and no others."""
    ours = make_project(district=qingpu, publication_status=PublicationStatus.DRAFT)
    theirs = make_project(district=wujiang, publication_status=PublicationStatus.DRAFT)
    for project in (ours, theirs):
        project.sources.add(make_source())

    qingpu_editor_client.post(
        admin_url(Project, "changelist"),
        {"action": "publish", "_selected_action": [ours.pk, theirs.pk]},
    )

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.publication_status == PublicationStatus.PUBLISHED
    assert theirs.publication_status == PublicationStatus.DRAFT


def test_delete_action_refuses_a_selection_with_another_districts_records(
    qingpu_editor_client, qingpu, wujiang
):
    """Confirming "delete selected" over a Wujiang record is refused; nothing goes."""
    ours, theirs = make_project(district=qingpu), make_project(district=wujiang)

    response = qingpu_editor_client.post(
        admin_url(Project, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [ours.pk, theirs.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 403
    assert Project.objects.filter(pk__in=[ours.pk, theirs.pk]).count() == 2


def test_list_editable_rows_of_other_districts_are_read_only(
    qingpu_editor_client, qingpu, wujiang, monkeypatch
):
    """Editing the list changes the Qingpu row and leaves the Wujiang row as it was."""
    monkeypatch.setattr(
        admin.site.get_model_admin(Project), "list_editable", ["status"]
    )
    ours = make_project(district=qingpu, status=Project.Status.ANNOUNCED)
    theirs = make_project(district=wujiang, status=Project.Status.ANNOUNCED)
    url = admin_url(Project, "changelist")
    formset = qingpu_editor_client.get(url).context["cl"].formset
    rows = {"_save": "Save"} | serialize([formset.management_form, *formset.forms])
    for form in formset.forms:
        rows[form.add_prefix("status")] = Project.Status.COMPLETED

    response = qingpu_editor_client.post(url, rows)

    assert response.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, theirs.status) == (
        Project.Status.COMPLETED,
        Project.Status.ANNOUNCED,
    )


def _inline_permissions(response):
    return {
        inline.formset.prefix: inline.has_change_permission
        for inline in response.context["inline_admin_formsets"]
    }


def test_inlines_follow_their_parents_permission(qingpu_editor_client, qingpu, wujiang):
    """Parties of a Qingpu agreement are editable, of a Wujiang one read-only.

    Projects under an agreement have a district of their own: a district
    editor changes them in their own form, where it is checked.
    """
    parties = [make_organization()]
    ours = make_agreement(district=qingpu, parties=parties)
    theirs = make_agreement(district=wujiang, parties=parties)

    own_form = qingpu_editor_client.get(admin_url(Agreement, "change", ours.pk))
    other_form = qingpu_editor_client.get(admin_url(Agreement, "change", theirs.pk))

    assert _inline_permissions(own_form) == {"party_roles": True, "projects": False}
    assert _inline_permissions(other_form) == {"party_roles": False, "projects": False}


def _history_id(record):
    return record.history.earliest().history_id


def test_reverting_needs_the_change_permission(users, superuser_client, wujiang):
    """Posting an old version back is refused to a viewer and to another district."""
    project = make_project(district=wujiang, name_en="First")
    project.name_en = "Second"
    project.save()
    url = admin_url(Project, "simple_history", project.pk, _history_id(project))
    data = form_data(superuser_client.get(url))

    refused = {
        who: client_of(users[who]).post(url, data).status_code
        for who in (VIEWER, DISTRICT_EDITOR)
    }

    assert refused == {VIEWER: 403, DISTRICT_EDITOR: 403}
    project.refresh_from_db()
    assert project.name_en == "Second"


def test_district_editor_without_districts_may_add_nothing():
    """A district editor who has not been given a district cannot add records."""
    user = make_staff("unscoped", Role.DISTRICT_EDITOR)

    response = client_of(user).get(admin_url(Project, "add"))

    assert response.status_code == 403


# Staff scopes and the role in the header.


def test_only_superusers_see_and_edit_staff_scopes(users):
    """The staff scope list is the superusers' alone, however powerful the group."""
    url = reverse("admin:programs_staffscope_changelist")

    statuses = {who: client_of(users[who]).get(url).status_code for who in WHO[1:]}

    assert statuses == {VIEWER: 403, EDITOR: 403, DISTRICT_EDITOR: 403, SUPERUSER: 200}


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        (VIEWER, "Role: Viewer"),
        (EDITOR, "Role: Editor"),
        (DISTRICT_EDITOR, "Role: District editor · Qingpu District"),
        (SUPERUSER, "Role: Superuser"),
    ],
)
def test_admin_header_shows_the_users_role_and_districts(users, who, shown):
    """Every admin page says which role (and districts) the user works under."""
    response = client_of(users[who]).get(reverse("admin:index"))

    assert shown in response.text


def test_district_editors_changelist_queries_do_not_grow_with_rows(
    qingpu_editor_client, qingpu
):
    """Role, districts and per-row permissions cost the same for 3 rows as for 6."""
    url = admin_url(Project, "changelist")
    for _n in range(3):
        make_project(district=qingpu)
    qingpu_editor_client.get(url)
    with CaptureQueriesContext(connection) as three_rows:
        qingpu_editor_client.get(url)
    for _n in range(3):
        make_project(district=qingpu)

    with CaptureQueriesContext(connection) as six_rows:
        qingpu_editor_client.get(url)

    assert len(six_rows) == len(three_rows)


# The rules themselves.


def test_a_user_in_several_role_groups_has_the_most_powerful():
    """Viewer and Editor make an editor; Viewer and District editor a district one."""
    both = make_staff("both", Role.VIEWER)
    both.groups.add(Group.objects.get(name=Role.EDITOR))
    scoped = make_staff("scoped", Role.VIEWER)
    scoped.groups.add(Group.objects.get(name=Role.DISTRICT_EDITOR))

    assert (role_of(both), role_of(scoped)) == (Role.EDITOR, Role.DISTRICT_EDITOR)


def test_role_and_districts_are_read_once_per_user_object(
    users, qingpu, django_assert_num_queries
):
    """Asking a user's role and districts again costs no further query."""
    user = users[DISTRICT_EDITOR]
    with django_assert_num_queries(2):
        role_of(user), districts_of(user)
    with django_assert_num_queries(0):
        assert (role_of(user), districts_of(user)) == (Role.DISTRICT_EDITOR, [qingpu])
