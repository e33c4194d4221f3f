"""Who may change what: the districts assigned to a district editor."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reference import District


class Role(models.TextChoices):
    """The staff roles, each a group made by a migration.

    Superusers need none: they may do everything, as anywhere in Django.
    """

    VIEWER = "Viewer", _("Viewer")
    EDITOR = "Editor", _("Editor")
    DISTRICT_EDITOR = "District editor", _("District editor")


class StaffScope(models.Model):
    """The districts whose records a district editor may change.

    A district editor sees every record in the admin but may change, add or
    delete only records of these districts, and may not move a record into a
    district that is not among them.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_scope",
        verbose_name=_("user"),
    )
    districts = models.ManyToManyField(
        District, blank=True, related_name="staff_scopes", verbose_name=_("districts")
    )

    class Meta:
        verbose_name = _("staff scope")
        verbose_name_plural = _("staff scopes")

    def __str__(self):
        return str(self.user)


class StaffLanguage(models.Model):
    """The language a member of staff reads the admin in.

    Without one, the admin follows the browser's language. The public site
    does not: its language is in its address (/ or /zh-hans/).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="admin_language",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES
    )

    class Meta:
        verbose_name = _("admin language")
        verbose_name_plural = _("admin languages")

    def __str__(self):
        return f"{self.user}: {self.get_language_display()}"
