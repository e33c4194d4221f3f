"""Give a staff member one role, and a district editor their districts.

With ``--create``, a missing account is made first, without a password: the
command prints a one-time link where its owner sets their own, so no password
ever passes through a shell, a terminal's scrollback or an email we write.
The link is Django's password-reset link (``default_token_generator``), served
by ``PasswordResetConfirmView`` under the admin's address (talentzone/urls.py):
it stops working once a password is set, and after ``PASSWORD_RESET_TIMEOUT``.
"""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from programs.models import District, PublicationStatus, Role, StaffScope

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def parse_role(text):
    """Return the Role named by ``text`` ("district-editor", "Editor", ...)."""
    wanted = text.strip().lower().replace("-", " ").replace("_", " ")
    for role in Role:
        if role.value.lower() == wanted:
            return role
    valid = ", ".join(f'"{role.value}"' for role in Role)
    raise CommandError(f'Unknown role "{text}". Valid roles: {valid}.')


def password_link(user, site_url):
    """Return the address where ``user`` sets their password, valid once."""
    path = reverse(
        "admin-password-set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site_url.rstrip("/") + path


def link_lifetime():
    """Return how long a password link works, in words ("3 days")."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    for unit, size in (("days", 24 * 3600), ("hours", 3600)):
        if seconds >= 2 * size:
            return f"{seconds // size} {unit}"
    return f"{seconds // 60} minutes"


class Command(BaseCommand):
    help = (
        "Set a user's role to exactly ROLE (Viewer, Editor or District editor), "
        "removing any other role, and make them staff. A district editor needs "
        "one or more --district slugs and may change only those districts' "
        "records; for the other roles the districts are cleared. With --create, "
        "a missing user is created without a password, and a one-time link is "
        "printed where they set their own. Running it again with the same "
        "arguments changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "role", help='"Viewer", "Editor" or "District editor" (or district-editor)'
        )
        parser.add_argument(
            "--district",
            action="append",
            default=[],
            dest="districts",
            metavar="SLUG",
            help="A district the district editor may change (repeat for several).",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help=(
                "Create the user if there is none, and print a link where they "
                "set their password (again on later runs, until they have one)."
            ),
        )
        parser.add_argument(
            "--email", default="", help="The new user's email address (with --create)."
        )
        parser.add_argument(
            "--site-url",
            default=os.environ.get("DJANGO_SITE_URL") or DEFAULT_SITE_URL,
            help=(
                "The site's address, for the link (default: $DJANGO_SITE_URL, "
                f"else {DEFAULT_SITE_URL})."
            ),
        )

    def handle(
        self, *args, username, role, districts, create, email, site_url, **options
    ):
        role = parse_role(role)
        if email and not create:
            raise CommandError("--email is only for --create.")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f'"{email}" is not an email address.') from None
        scope = self.get_scope(role, districts)
        with transaction.atomic():
            user, changes = self.get_user(username, create, email)
            changes += self.assign(user, role, scope)
        summary = f"{user.get_username()}: {role.value}"
        if scope:
            summary += " of " + ", ".join(d.slug for d in scope)
        if changes:
            self.stdout.write(f"{summary} ({'; '.join(changes)}).")
        else:
            self.stdout.write(f"{summary}: already so, nothing changed.")
        if create and not user.has_usable_password():
            self.stdout.write(
                f"{user.get_username()} has no password yet. Send them this link "
                f"to set one (it works once, within {link_lifetime()}):\n"
                f"{password_link(user, site_url)}\n"
                f"Then they sign in at {site_url.rstrip('/')}{reverse('admin:index')}"
            )

    def get_user(self, username, create, email):
        """Return the user named ``username`` and, in words, what was done."""
        User = get_user_model()
        try:
            return User._default_manager.get_by_natural_key(username), []
        except User.DoesNotExist:
            if not create:
                raise CommandError(
                    f'Unknown user "{username}". Add --create to create them.'
                ) from None
        # No password given: create_user() makes it unusable, so nobody can
        # sign in until the owner sets theirs through the printed link.
        user = User._default_manager.create_user(username, email=email)
        return user, ["created" + (f" with email {email}" if email else "")]

    def get_scope(self, role, slugs):
        """Return the districts ``role`` is given: a district editor's, or none."""
        if role == Role.DISTRICT_EDITOR:
            if not slugs:
                raise CommandError(
                    "A district editor needs at least one --district SLUG."
                )
            return self.get_districts(slugs)
        if slugs:
            raise CommandError(f"--district is only for {Role.DISTRICT_EDITOR.value}.")
        return []

    def get_districts(self, slugs):
        found = District.objects.filter(
            slug__in=slugs,
            publication_status__in=[
                PublicationStatus.PUBLISHED,
                PublicationStatus.DRAFT,
            ],
        ).order_by("slug")
        unknown = sorted(set(slugs) - {district.slug for district in found})
        if unknown:
            raise CommandError(
                "Unknown (or archived) district: " + ", ".join(unknown) + "."
            )
        return list(found)

    def assign(self, user, role, districts):
        """Make it so; return what changed, in words."""
        changes = []
        groups = {
            group.name: group for group in Group.objects.filter(name__in=Role.values)
        }
        if role.value not in groups:
            raise CommandError(
                f'The group "{role.value}" is missing: run "manage.py migrate".'
            )
        held = set(
            user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        )
        if held - {role.value}:
            user.groups.remove(*(groups[name] for name in held - {role.value}))
            changes.append("removed " + ", ".join(sorted(held - {role.value})))
        if role.value not in held:
            user.groups.add(groups[role.value])
            changes.append(f"added {role.value}")
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            changes.append("made staff")
        changes += self.set_scope(user, districts)
        return changes

    def set_scope(self, user, districts):
        scope = StaffScope.objects.filter(user=user).first()
        before = set(scope.districts.values_list("slug", flat=True)) if scope else set()
        after = {district.slug for district in districts}
        if before == after:
            return []
        if scope is None:
            scope = StaffScope.objects.create(user=user)
        scope.districts.set(districts)
        if not after:
            return ["districts cleared"]
        return ["districts " + ", ".join(sorted(after))]
