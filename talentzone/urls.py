"""Top-level URLs: the admin, the health check, the sitemap, robots.txt, the
favicon and the public site.

The public site is in English at unprefixed paths and in Simplified Chinese
under /zh-hans/; the others have one address each.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path, reverse_lazy
from django.utils.functional import lazy
from django.views.generic import RedirectView, TemplateView

from programs.health import healthz
from programs.site.sitemaps import SITEMAPS
from programs.staff.language import set_admin_language

# Django's password-reset pages take the admin's look from the admin app's
# registration/ templates; these give them the admin's name too.
ADMIN_BRANDING = {
    "site_header": admin.site.site_header,
    "site_title": admin.site.site_title,
}

# A refusal: in the admin's look under /admin/, the site's elsewhere.
handler403 = "programs.staff.denied.permission_denied"
# An unreachable database is a 503 in the site's look, not a 500.
handler500 = "programs.unavailable.server_error"

urlpatterns = [
    # Before the admin's own URLs, under its address: the language switch.
    path("admin/language/", set_admin_language, name="admin-language"),
    # Also before them: setting one's password from a link assign_role printed.
    path(
        "admin/password/done/",
        auth_views.PasswordResetCompleteView.as_view(extra_context=ADMIN_BRANDING),
        name="admin-password-set-done",
    ),
    path(
        "admin/password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("admin-password-set-done"),
            extra_context=ADMIN_BRANDING,
        ),
        name="admin-password-set",
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The API: JSON in one language-neutral address space (both languages'
    # fields are in every record).
    path("api/", include("programs.api.urls")),
    # One sitemap and one robots.txt for both languages, at the root where
    # crawlers look for them; the sitemap lists each page in both languages.
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(
            template_name="robots.txt", content_type="text/plain; charset=utf-8"
        ),
        name="robots",
    ),
    # Browsers ask for /favicon.ico where a page links none (the admin's);
    # static() is called per request, so the address is the hashed one
    # collectstatic wrote. Not permanent: a browser would keep following a
    # 301 to a hashed name after the icon changes.
    path(
        "favicon.ico",
        RedirectView.as_view(
            url=lazy(static, str)("programs/favicon.svg"), permanent=False
        ),
        name="favicon",
    ),
    *i18n_patterns(
        path("", include("programs.site.urls")), prefix_default_language=False
    ),
]
