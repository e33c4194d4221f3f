"""The assign_role command: one role per staff member, and their districts."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

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
        (
            ["nobody", "editor"],
            'Unknown user "nobody". Add --create to create them.',
        ),
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


# Creating an account, and its owner setting their password from the link.

PASSWORD = "Correct horse 42 battery"
LINK = re.compile(r"https?://\S+/admin/password/\S+/")


@pytest.fixture
def _fast_hasher(settings):
    """Hash passwords quickly: what is tested is the link, not the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def create_wang(*extra):
    return assign("wang", "District editor", "--district", "qingpu", "--create", *extra)


def link_in(output):
    found = LINK.findall(output)
    assert len(found) == 1, output
    return found[0]


def set_password(link, password=PASSWORD):
    """Open the link and set the password, as its owner does in the browser."""
    client = Client()
    form_page = client.get(urlsplit(link).path, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )
    return form_page, done


def signs_in(username, password):
    response = Client().post(
        reverse("admin:login"), {"username": username, "password": password}
    )
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_create_makes_a_staff_user_without_a_password(districts, django_user_model):
    """--create makes the missing user, staff in the role, with no usable password."""
    output = create_wang("--email", "wang@example.org")

    wang = django_user_model.objects.get(username="wang")
    assert (wang.email, wang.is_staff, wang.has_usable_password()) == (
        "wang@example.org",
        True,
        False,
    )
    assert roles_of(wang) == {Role.DISTRICT_EDITOR}
    assert scope_of(wang) == {"qingpu"}
    assert output.startswith(
        "wang: District editor of qingpu (created with email wang@example.org; "
        "added District editor; made staff; districts qingpu).\n"
    )


def test_the_link_is_on_the_site_url_given_or_the_environments(districts, monkeypatch):
    """The link starts with --site-url, else $DJANGO_SITE_URL, else the dev server."""
    monkeypatch.delenv("DJANGO_SITE_URL", raising=False)
    assert link_in(create_wang()).startswith("http://127.0.0.1:8000/admin/password/")

    monkeypatch.setenv("DJANGO_SITE_URL", "https://tz.example.org/")
    assert link_in(create_wang()).startswith("https://tz.example.org/admin/password/")

    given = create_wang("--site-url", "https://staff.example.org")
    assert link_in(given).startswith("https://staff.example.org/admin/password/")


@pytest.mark.usefixtures("_fast_hasher")
def test_the_link_sets_a_password_to_sign_in_with(districts):
    """Opening the link and typing a password twice lets the new user sign in."""
    link = link_in(create_wang())
    assert not signs_in("wang", PASSWORD)

    form_page, done = set_password(link)

    assert form_page.context["validlink"]
    assert str(admin.site.site_header) in form_page.content.decode()
    assert done.redirect_chain[-1][0] == reverse("admin-password-set-done")
    assert reverse("admin:login") in done.content.decode()
    assert signs_in("wang", PASSWORD)


@pytest.mark.usefixtures("_fast_hasher")
def test_the_link_works_once(districts):
    """After the password is set, the same link no longer opens the form."""
    link = link_in(create_wang())
    set_password(link)

    again = Client().get(urlsplit(link).path, follow=True)

    assert not again.context["validlink"]
    assert signs_in("wang", PASSWORD)


def test_running_create_again_changes_nothing_and_gives_a_fresh_link(
    districts, django_user_model
):
    """Until the user has a password, a second run changes nothing but links again."""
    create_wang()

    output = create_wang()

    assert django_user_model.objects.filter(username="wang").count() == 1
    assert output.startswith(
        "wang: District editor of qingpu: already so, nothing changed.\n"
    )
    assert link_in(output)


@pytest.mark.usefixtures("_fast_hasher")
def test_create_leaves_a_user_with_a_password_alone(districts, django_user_model):
    """An existing user who has a password is neither recreated nor sent a link."""
    django_user_model.objects.create_user("wang", "old@example.org", PASSWORD)

    output = create_wang()

    wang = django_user_model.objects.get(username="wang")
    assert (wang.email, wang.check_password(PASSWORD)) == ("old@example.org", True)
    assert "/admin/password/" not in output


def test_email_without_create_is_refused(alice):
    """--email names a new user's address, so it comes with --create only."""
    with pytest.raises(CommandError, match="--email is only for --create"):
        assign("alice", "editor", "--email", "alice@example.org")


def test_a_malformed_email_is_refused_and_creates_nobody(django_user_model):
    """A new user's email must be an address; otherwise nobody is created."""
    with pytest.raises(CommandError, match='"wang.example.org" is not an email'):
        assign("wang", "editor", "--create", "--email", "wang.example.org")

    assert not django_user_model.objects.filter(username="wang").exists()
