"""Top-level URLs: the admin, the health check, the sitemap, robots.txt and
the public site.

The public site is in English at unprefixed paths and in Simplified Chinese
under /zh-hans/; the others have one address each.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from programs.health import healthz
from programs.site.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
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
    *i18n_patterns(
        path("", include("programs.site.urls")), prefix_default_language=False
    ),
]
