import pytest

from programs.models import PublicationStatus

from . import factories as f

pytestmark = pytest.mark.django_db

CEILING = "/_bench/ceiling/projects/"


def test_ceiling_is_not_routed_by_default(client):
    """The site's own URLconf has no /_bench/ address at all."""
    f.make_project()
    assert client.get(CEILING).status_code == 404


@pytest.mark.urls("benchmarks.urls")
def test_ceiling_returns_the_list_first_page_in_one_query(
    client, django_assert_num_queries
):
    """The ceiling answers the project list's first 25 public rows, in one query."""
    for _ in range(30):
        f.make_project()
    f.make_project(publication_status=PublicationStatus.DRAFT, name_en="A draft")
    with django_assert_num_queries(1):
        response = client.get(CEILING)
    assert response.status_code == 200
    rows = response.json()["results"]
    page = client.get("/projects/").context["object_list"]
    assert [row["slug"] for row in rows] == [project.slug for project in page]
    assert len(rows) == 25
    assert set(rows[0]) == {"slug", "name_en", "name_zh"}


@pytest.mark.urls("benchmarks.urls")
def test_ceiling_refuses_an_unknown_list(client):
    """A kind that is not a public list is a 404, not an error."""
    assert client.get("/_bench/ceiling/users/").status_code == 404


@pytest.mark.urls("benchmarks.urls")
def test_the_drf_floor_is_the_ceiling_through_the_apis_stack(
    client, django_assert_num_queries
):
    """The same rows as the ceiling, in one query, answered by DRF with the
    API's settings, which answer a bad list with JSON."""
    for _ in range(3):
        f.make_project()
    with django_assert_num_queries(1):
        floor = client.get("/_bench/drf-floor/projects/")
    assert floor.status_code == 200
    assert floor.json() == client.get(CEILING).json()
    missing = client.get("/_bench/drf-floor/users/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
