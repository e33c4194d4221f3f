"""The site's URLs plus the benchmark's ceiling views (``benchmarks.ceiling``)."""

from django.urls import path

from talentzone.urls import urlpatterns as site_urlpatterns

from .ceiling import DrfFloor, ceiling

urlpatterns = [
    path("_bench/ceiling/<slug:kind>/", ceiling, name="ceiling"),
    path("_bench/drf-floor/<slug:kind>/", DrfFloor.as_view(), name="drf-floor"),
    *site_urlpatterns,
]
