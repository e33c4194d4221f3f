"""The API address of a record."""

from django.urls import reverse


def api_url(request, record):
    """Return the absolute API address of ``record``."""
    name = f"api:{record._meta.model_name}-detail"
    return request.build_absolute_uri(reverse(name, args=[record.slug]))
