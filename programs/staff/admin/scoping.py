"""Who may change what: roles, and district editors' districts.

The role groups grant model permissions; the mixins here narrow a district
editor to the records of their districts on every request, in the permission
methods, querysets and form fields the admin uses to decide and to validate,
so that a crafted request is refused as firmly as a click.
"""

from django.core.exceptions import PermissionDenied

from ...models import District
from ..permissions import (
    changeable_by,
    district_ids_of,
    district_of,
    has_district,
    is_district_editor,
    may_add_in,
    may_change,
)


class DistrictScopedAdmin:
    """Limits a district editor to the records of their districts.

    Others' records open read-only (Django's view-only form); records without
    a district (sources, research fields) are shared reference data that
    district editors only view; the district field offers, and accepts, only
    their own districts.
    """

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        if not is_district_editor(request.user):
            return True
        # A new District would not be theirs; shared reference data is not either.
        return (
            has_district(self.model)
            and self.model is not District
            and bool(district_ids_of(request.user))
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        # With no record, the question is whether the list may offer changes.
        return obj is None or may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if not is_district_editor(request.user):
            return True
        # District editors delete what they could have added: not a District.
        if not has_district(self.model) or self.model is District:
            return False
        return obj is None or may_change(request.user, obj)

    def scoped_for_change(self, request, queryset):
        """Return the records of ``queryset`` this user may change.

        Bulk actions call this, so that a selection (or "select all") that
        includes other districts' records changes only the user's own.
        """
        return changeable_by(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if (
            db_field.name == "district"
            and db_field.related_model is District
            and is_district_editor(request.user)
        ):
            # The queryset is what the form validates against: a posted
            # district outside it is refused with a field error. Required, so
            # that a record is never left in no district, where it is not theirs.
            kwargs["queryset"] = District.objects.filter(
                pk__in=district_ids_of(request.user)
            )
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def scoped_search_results(self, request, queryset):
        """Return the search results ``queryset`` as the user's picker offers them.

        Called by RecordAdmin.get_search_results, after the search.
        """
        if (
            self.model is District
            and _is_autocomplete(request)
            and request.GET.get("field_name") == "district"
            and is_district_editor(request.user)
        ):
            # The district picker offers a district editor their own districts.
            queryset = queryset.filter(pk__in=district_ids_of(request.user))
        return queryset

    def scoped_changelist_formset(self, request, formset_class):
        """Return ``formset_class`` with rows the user may not change read-only.

        Called by RecordAdmin.get_changelist_formset.
        """
        user = request.user

        class ScopedChangelistFormSet(formset_class):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                # Called before the posted values reach the instance: this is
                # the record as stored.
                if form.instance.pk is not None and not may_change(user, form.instance):
                    for field in form.fields.values():
                        field.disabled = True
                        if hasattr(field, "queryset"):
                            # Let the stored value (say, another district) stand.
                            field.queryset = field.queryset.model._default_manager.all()

        return ScopedChangelistFormSet

    def refuse_unscoped_save(self, request, obj, change):
        """Raise PermissionDenied unless the user may save ``obj``.

        The form already refuses other districts; this catches any other path.
        Called by RecordAdmin.save_model.
        """
        allowed = (
            may_change(request.user, obj)
            if change
            else may_add_in(request.user, district_of(obj), self.model)
        )
        if not allowed:
            raise PermissionDenied


def _is_autocomplete(request):
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "autocomplete"


class ParentScopedInline:
    """An inline that may be changed only where its parent record may be.

    Rows that belong to a district of their own (projects under an agreement,
    figures under a source) are changed by district editors in their own
    forms, where their district is checked; inline, they only view them.
    """

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._may_edit_under(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit_under(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit_under(
            request, obj
        )

    def _may_edit_under(self, request, parent):
        if not is_district_editor(request.user):
            return True
        if has_district(self.model):
            return False
        return parent is None or may_change(request.user, parent)
