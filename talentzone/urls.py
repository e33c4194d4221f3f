"""Top-level URLs: the admin, the health check and the public site."""

from django.contrib import admin
from django.urls import include, path

from programs.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("programs.urls")),
]
