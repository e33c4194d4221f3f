"""The assign_role command: one role per staff member, and their districts."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from programs.models import PublicationStatus, Role, StaffScope
from tests.factories import make_district

pytestmark = pytest.mark.django_db


def assign(*args):
    out = StringIO()
    call_command("assign_role", *args, stdout=out)
    return out.getvalue()


def roles_of(user):
    return set(user.groups.values_list("name", flat=True))


def scope_of(user):
    scope = StaffScope.objects.filter(user=user).first()
    return set(scope.districts.values_list("slug", flat=True)) if scope else set()


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice")


@pytest.fixture
def districts():
    return {
        slug: make_district(slug=slug, publication_status=status)
        for slug, status in [
            ("qingpu", PublicationStatus.PUBLISHED),
            ("wujiang", PublicationStatus.DRAFT),
            ("old", PublicationStatus.ARCHIVED),
        ]
    }


def test_district_editor_gets_the_group_staff_status_and_districts(alice, districts):
    """A district editor is put in that group, made staff and given the districts."""
    output = assign(
        "alice", "district-editor", "--district", "qingpu", "--district", "wujiang"
    )

    alice.refresh_from_db()
    assert roles_of(alice) == {Role.DISTRICT_EDITOR}
    assert alice.is_staff
    assert scope_of(alice) == {"qingpu", "wujiang"}
    assert output == (
        "alice: District editor of qingpu, wujiang (added District editor; "
        "made staff; districts qingpu, wujiang).\n"
    )


def test_a_new_role_replaces_the_old_and_clears_the_districts(alice, districts):
    """Making a district editor an editor removes the old group and the districts."""
    alice.groups.add(Group.objects.get(name=Role.VIEWER))
    assign("alice", "District editor", "--district", "qingpu")

    output = assign("alice", "editor")

    assert roles_of(alice) == {Role.EDITOR}
    assert scope_of(alice) == set()
    assert (
        output
        == "alice: Editor (removed District editor; added Editor; districts cleared).\n"
    )


def test_other_groups_are_left_alone(alice):
    """Groups that are not roles (say, a mailing list) survive a change of role."""
    alice.groups.add(Group.objects.create(name="Newsletter"))

    assign("alice", "viewer")

    assert roles_of(alice) == {Role.VIEWER, "Newsletter"}


def test_running_it_again_changes_nothing(alice, districts):
    """The second run with the same arguments reports that nothing changed."""
    assign("alice", "district-editor", "--district", "qingpu")

    output = assign("alice", "district-editor", "--district", "qingpu")

    assert output == "alice: District editor of qingpu: already so, nothing changed.\n"
    assert scope_of(alice) == {"qingpu"}


def test_the_districts_given_replace_the_old_ones(alice, districts):
    """Naming other districts sets exactly those."""
    assign("alice", "district-editor", "--district", "qingpu")

    assign("alice", "district-editor", "--district", "wujiang")

    assert scope_of(alice) == {"wujiang"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "editor"], 'Unknown user "nobody".'),
        (
            ["alice", "admin"],
            'Unknown role "admin". Valid roles: "Viewer", "Editor", "District editor".',
        ),
        (["alice", "district-editor"], "A district editor needs at least one"),
        (
            [
                "alice",
                "district-editor",
                "--district",
                "qingpu",
                "--district",
                "nowhere",
            ],
            "Unknown (or archived) district: nowhere.",
        ),
        (
            ["alice", "district-editor", "--district", "old"],
            "Unknown (or archived) district: old.",
        ),
        (["alice", "editor", "--district", "qingpu"], "--district is only for"),
    ],
    ids=[
        "unknown-user",
        "unknown-role",
        "no-district",
        "unknown-district",
        "archived-district",
        "district-for-editor",
    ],
)
def test_mistakes_are_refused_and_change_nothing(alice, districts, args, message):
    """A mistake stops the command with a message that names it, and changes nothing."""
    with pytest.raises(
        CommandError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        assign(*args)

    alice.refresh_from_db()
    assert (roles_of(alice), alice.is_staff, scope_of(alice)) == (set(), False, set())
