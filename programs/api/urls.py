"""The API's addresses: /api/v1/<kind>/, the schema and its docs."""

from csp.decorators import csp_update
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from .views import VIEWSETS

app_name = "api"

# The plural in each address, as on the site.
PREFIXES = {
    "district": "districts",
    "organization": "organizations",
    "agreement": "agreements",
    "project": "projects",
    "workstation": "workstations",
    "expert": "experts",
    "entrepreneur": "entrepreneurs",
    "source": "sources",
    "announcedfigure": "figures",
}

router = SimpleRouter()
for key, viewset in VIEWSETS.items():
    router.register(PREFIXES[key], viewset, basename=key)


@csrf_exempt  # no form posts here, and a stray POST should get this 404
def not_found(request, *args, **kwargs):
    """Any other address under /api/: a JSON 404, never the site's HTML page."""
    return JsonResponse({"detail": "Not found. 未找到。"}, status=404)


urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI draws its icons as data: images; nothing else is allowed
    # beyond the site's policy.
    path(
        "docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    re_path(r"^", not_found),
]
