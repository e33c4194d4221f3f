"""The favicon: linked from every page, and /favicon.ico answered, not a 404."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_the_svg(client):
    """/favicon.ico, which browsers ask for unprompted, redirects (302) to the SVG."""
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/programs/favicon.svg"


@pytest.mark.parametrize("path", ["/", "/zh-hans/", "/no-such-page/"])
def test_pages_link_the_svg_icon(client, path):
    """Pages in both languages, error pages too, name the SVG as their icon."""
    text = client.get(path).text

    assert (
        '<link rel="icon" href="/static/programs/favicon.svg" type="image/svg+xml">'
        in text
    )


def test_the_icon_is_served_as_svg_in_production(client, production_static):
    """After collectstatic, /favicon.ico leads to the hashed SVG, which whitenoise
    serves as image/svg+xml with DEBUG off."""
    redirect = client.get(reverse("favicon"))
    response = client.get(redirect["Location"])

    assert re.fullmatch(r"/static/programs/favicon\.[0-9a-f]{12}\.svg", redirect.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"".join(response.streaming_content).startswith(b"<svg")
