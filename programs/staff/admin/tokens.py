"""API tokens in the admin: issued with their key shown once, revoked by deleting.

Only superusers manage tokens, for themselves or any staff member: a token
acts with its user's role and districts, so issuing one is handing out
access, as making an account is.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ...models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("user", "name")
    readonly_fields = ()

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False  # a token is issued, used and revoked; never edited

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_staff=True, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The key exists only in this request: shown by response_add, kept
        # nowhere (not in a message, which would travel in a cookie).
        token, key = ApiToken.issue(obj.user, obj.name)
        obj.pk = token.pk
        request._issued_key = (token, key)

    def response_add(self, request, obj, post_url_continue=None):
        token, key = request._issued_key
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API token issued"),
            "token": token,
            "key": key,
        }
        return TemplateResponse(request, "admin/programs/apitoken/issued.html", context)
