"""Who may do what through the API: the admin's rules, repeated.

Reading is open to anyone. Writing needs a staff member's token and the same
rights as in the admin (programs/staff/permissions.py): the role's model
permission for the method, and for a district editor, a record of one of
their districts. Moving a record into a district is checked where the new
district is known, in the view (``RecordViewSet.check_district``).
"""

from rest_framework import permissions

from ..staff.permissions import _has_model_perm, may_change
from .tokens import TokenAuthentication

ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


def signed_in_staff(request):
    user = request.user
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and isinstance(request.successful_authenticator, TokenAuthentication)
    )


class AdminRules(permissions.BasePermission):
    """Open reads; writes by staff tokens with the admin's permissions."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        action = ACTIONS.get(request.method)
        if action is None:
            return True  # a method the view has not: it answers 405
        if not signed_in_staff(request):
            return False
        return _has_model_perm(request.user, action, view.model)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return may_change(request.user, obj)
