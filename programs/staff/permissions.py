"""Who may change what: staff roles and the districts of district editors.

Django's model permissions (given by the role groups of migration 0005) say
what kind of record a user may view, add, change or delete. A district editor
is narrowed further, to the records of the districts in their StaffScope: a
record's district is its ``district`` foreign key, or the record itself for a
District. Records of no district (sources, research fields, and records whose
district is left empty) are shared: a district editor only views them.

What this module works out is cached on the user object, which lives as long
as one request, so that checking a hundred records costs the same two queries
as checking one.
"""

from django.contrib.auth import get_permission_codename
from django.core.exceptions import FieldDoesNotExist

from ..models import District, Role

SUPERUSER = "superuser"

# A user in several role groups holds the most powerful of them.
ROLES_BY_POWER = (Role.EDITOR, Role.DISTRICT_EDITOR, Role.VIEWER)


def role_of(user):
    """Return the user's role: SUPERUSER, a Role, or None for a user without one."""
    if not (user.is_authenticated and user.is_active):
        return None
    if user.is_superuser:
        return SUPERUSER
    if not hasattr(user, "_staff_role"):
        names = set(
            user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        )
        user._staff_role = next((r for r in ROLES_BY_POWER if r in names), None)
    return user._staff_role


def is_district_editor(user):
    """Return True if the user's changes are limited to their districts."""
    return role_of(user) == Role.DISTRICT_EDITOR


def districts_of(user):
    """Return the districts in the user's StaffScope, by English name."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_staff_districts"):
        user._staff_districts = list(
            District.objects.filter(staff_scopes__user=user).order_by("name_en")
        )
    return user._staff_districts


def district_ids_of(user):
    """Return the primary keys of the districts in the user's StaffScope."""
    return {district.pk for district in districts_of(user)}


def has_district(model):
    """Return True if records of ``model`` belong to a district."""
    if issubclass(model, District):
        return True
    try:
        field = model._meta.get_field("district")
    except FieldDoesNotExist:
        return False
    return field.is_relation and field.related_model is District


def district_of(obj):
    """Return the primary key of the district ``obj`` belongs to, or None."""
    if isinstance(obj, District):
        return obj.pk
    if has_district(type(obj)):
        return obj.district_id
    return None


def _has_model_perm(user, action, model):
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


def may_change(user, obj):
    """Return True if the user may change (or delete) the record ``obj``."""
    if not _has_model_perm(user, "change", type(obj)):
        return False
    if not is_district_editor(user):
        return True
    return district_of(obj) in district_ids_of(user)


def may_add_in(user, district, model=None):
    """Return True if the user may file a new record under ``district``.

    ``district`` is a District, its primary key or None (no district); with
    ``model``, the user must also hold the permission to add that kind of record.
    """
    if model is not None and not _has_model_perm(user, "add", model):
        return False
    if not is_district_editor(user):
        return True
    if model is not None and not has_district(model):
        return False
    district_id = district.pk if isinstance(district, District) else district
    return district_id in district_ids_of(user)


def changeable_by(user, queryset):
    """Return the records of ``queryset`` that the user may change."""
    if not _has_model_perm(user, "change", queryset.model):
        return queryset.none()
    if not is_district_editor(user):
        return queryset
    if issubclass(queryset.model, District):
        return queryset.filter(pk__in=district_ids_of(user))
    if has_district(queryset.model):
        return queryset.filter(district__in=district_ids_of(user))
    return queryset.none()
