"""Give a staff member one role, and a district editor their districts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from programs.models import District, PublicationStatus, Role, StaffScope


def parse_role(text):
    """Return the Role named by ``text`` ("district-editor", "Editor", ...)."""
    wanted = text.strip().lower().replace("-", " ").replace("_", " ")
    for role in Role:
        if role.value.lower() == wanted:
            return role
    valid = ", ".join(f'"{role.value}"' for role in Role)
    raise CommandError(f'Unknown role "{text}". Valid roles: {valid}.')


class Command(BaseCommand):
    help = (
        "Set a user's role to exactly ROLE (Viewer, Editor or District editor), "
        "removing any other role, and make them staff. A district editor needs "
        "one or more --district slugs and may change only those districts' "
        "records; for the other roles the districts are cleared. Running it "
        "again with the same arguments changes nothing."
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

    def handle(self, *args, username, role, districts, **options):
        role = parse_role(role)
        user = self.get_user(username)
        if role == Role.DISTRICT_EDITOR:
            if not districts:
                raise CommandError(
                    "A district editor needs at least one --district SLUG."
                )
            scope = self.get_districts(districts)
        elif districts:
            raise CommandError(f"--district is only for {Role.DISTRICT_EDITOR.value}.")
        else:
            scope = []
        with transaction.atomic():
            changes = self.assign(user, role, scope)
        summary = f"{user.get_username()}: {role.value}"
        if scope:
            summary += " of " + ", ".join(d.slug for d in scope)
        if changes:
            self.stdout.write(f"{summary} ({'; '.join(changes)}).")
        else:
            self.stdout.write(f"{summary}: already so, nothing changed.")

    def get_user(self, username):
        User = get_user_model()
        try:
            return User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f'Unknown user "{username}".') from None

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
