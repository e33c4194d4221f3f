"""The page for a refused request (403): in the admin, what the role allows.

Django answers ``PermissionDenied`` with ``handler403`` (talentzone/urls.py).
On the public site that is ``templates/403.html`` in the site's look; in the
admin, where a district editor meets it when they post a change to, or delete,
another district's record, the page keeps the admin's look and says what
their role lets them do, so that "not allowed" comes with "and here is what
is". The status stays 403: the refusal itself is decided elsewhere
(``programs.staff.permissions`` and the admin mixins).
"""

from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from ..models import Role
from .addresses import in_the_admin
from .permissions import SUPERUSER, districts_of, role_of


def permission_denied(request, exception=None):
    """Render the admin's 403 page for admin addresses, the site's otherwise."""
    if not in_the_admin(request):
        return defaults.permission_denied(request, exception)
    context = {
        **admin.site.each_context(request),
        "title": _("You may not do this"),
        "role_allows": what_role_allows(request.user),
    }
    return render(request, "admin/403.html", context, status=403)


def what_role_allows(user):
    """Return, in a sentence, what ``user``'s role lets them do in the admin."""
    role = role_of(user)
    if role == SUPERUSER:
        return _("As a superuser, you may do everything the admin offers.")
    if role == Role.EDITOR:
        return _(
            "As an editor, you may change, add, delete, publish, import and "
            "revert every record."
        )
    if role == Role.VIEWER:
        return _(
            "As a viewer, you may see every record, its history and its "
            "exports, but change nothing."
        )
    if role == Role.DISTRICT_EDITOR:
        names = [district.name for district in districts_of(user)]
        if not names:
            return _(
                "As a district editor, you may change the records of your "
                "districts, but none are assigned to you yet. Ask an "
                "administrator to assign them."
            )
        return _(
            "As a district editor, you may change, add, delete, publish, import "
            "and revert the records of %(districts)s. Records of other "
            "districts, sources and research fields are yours to see, not to "
            "change."
        ) % {"districts": ", ".join(names)}
    return _(
        "Your account has no role, so it may change nothing. Ask an "
        "administrator to give you one."
    )
