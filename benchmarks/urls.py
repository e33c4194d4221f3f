"""The site's URLs plus the benchmark's ceiling view (``benchmarks.ceiling``)."""

from django.urls import path

from talentzone.urls import urlpatterns as site_urlpatterns

from .ceiling import ceiling

urlpatterns = [
    path("_bench/ceiling/<slug:kind>/", ceiling, name="ceiling"),
    *site_urlpatterns,
]
