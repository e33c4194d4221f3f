"""Issue, list and revoke API tokens from the shell.

    python manage.py api_token issue alice --name "district sync"
    python manage.py api_token list
    python manage.py api_token revoke 3fa9c0d1

``issue`` prints the key once: only a digest of it is stored.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from programs.models import ApiToken


class Command(BaseCommand):
    help = "Issue, list or revoke API tokens (a token acts as its staff user)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help="make a token; prints its key once")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="what the token is for")
        actions.add_parser("list", help="every token, by the start of its key")
        revoke = actions.add_parser("revoke", help="delete a token")
        revoke.add_argument("prefix", help="the start of its key, as listed")

    def handle(self, *args, action, **options):
        getattr(self, action)(**options)

    def issue(self, username, name, **_):
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.is_staff or not user.is_active:
            raise CommandError(f'No active staff member "{username}".')
        _token, key = ApiToken.issue(user, name)
        self.stdout.write(key)
        self.stderr.write("Shown once: only a digest of this key is stored.")

    def list(self, **_):
        for token in ApiToken.objects.select_related("user"):
            used = token.last_used_at.isoformat() if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}  {token.user.username}  {token.name}  used: {used}"
            )

    def revoke(self, prefix, **_):
        tokens = ApiToken.objects.filter(prefix=prefix)
        if tokens.count() != 1:
            raise CommandError(f'No single token begins "{prefix}".')
        tokens.delete()
        self.stdout.write(f"Revoked {prefix}.")
