"""API tokens: how staff members' scripts write through the API."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Characters of the key kept in clear, so that staff can tell tokens apart.
PREFIX_LENGTH = 8


def digest_of(key):
    """Return the stored digest of ``key``.

    A plain SHA-256 suffices: keys are 256 random bits, not passwords, so
    there is nothing to guess and no need for a slow, salted hash.
    """
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A key that acts as its user in the API, with that user's role and districts.

    Only a digest of the key is stored: it is shown once, when it is issued,
    and a lost key is replaced, not recovered. Deleting the token revokes it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for.")
    )
    prefix = models.CharField(_("key begins"), max_length=PREFIX_LENGTH, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, user, name):
        """Make a token for ``user``; return it and its key, which is not kept."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=key[:PREFIX_LENGTH], digest=digest_of(key)
        )
        return token, key
