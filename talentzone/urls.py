"""Top-level URLs: the admin, the health check and the public site.

The public site is in English at unprefixed paths and in Simplified Chinese
under /zh-hans/; the admin and the health check have one address each.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from programs.views.records import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    *i18n_patterns(path("", include("programs.urls")), prefix_default_language=False),
]
