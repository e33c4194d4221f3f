"""Template tags for the staff admin."""

from django import template
from django.utils.translation import gettext as _

from ..models import Role
from ..staff.permissions import SUPERUSER, districts_of, role_of

register = template.Library()


@register.simple_tag
def staff_role(user):
    """Return "Role: District editor · Qingpu District" for the user, or "".

    Two queries at most (the user's groups, then a district editor's
    districts), cached on the user for the rest of the request.
    """
    role = role_of(user)
    if role is None:
        return ""
    label = _("Superuser") if role == SUPERUSER else Role(role).label
    summary = _("Role: %(role)s") % {"role": label}
    if role == Role.DISTRICT_EDITOR:
        names = [district.name for district in districts_of(user)]
        summary += " · " + (", ".join(names) or _("no districts assigned"))
    return summary
