"""Admin for who is scoped to which districts: superusers only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ...models import StaffScope


@admin.register(StaffScope)
class StaffScopeAdmin(admin.ModelAdmin):
    """The districts each district editor may change; see also ``assign_role``."""

    list_display = ["user", "district_names"]
    list_select_related = ["user"]
    search_fields = ["user__username", "districts__name_en", "districts__name_zh"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["districts"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("districts")

    @admin.display(description=_("districts"))
    def district_names(self, scope):
        return ", ".join(district.name_en for district in scope.districts.all())

    # Who may change what is the superusers' call alone, whatever the groups say.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)
