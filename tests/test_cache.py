"""The whole-page cache: hits for anonymous visitors, and no stale page after a write.

tests/conftest.py turns the cache on and empties it for every test.
"""

import os
import textwrap
import uuid
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from programs.models import ContentVersion, Project, PublicationStatus, Source
from programs.site import cache as page_cache
from programs.site import local_copies
from talentzone.redis_cache import RedisCache

from . import factories as f
from .test_settings import PRODUCTION_ENV, run_manage

pytestmark = pytest.mark.django_db

HEADER = "X-Page-Cache"
PROJECTS = "/projects/"
REDIS_URL = "redis://127.0.0.1:6379/15"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
LOCAL_MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def status_of(response):
    """Return "hit", "miss", or None when the cache did not consider the request."""
    return response.headers.get(HEADER)


def warm(client, url):
    """Request ``url`` once so that the next request could be a hit."""
    response = client.get(url)
    assert status_of(response) == "miss"
    return response


def admin_change(admin_client, obj, **changes):
    """Post ``obj``'s admin change form with its current values and ``changes``."""
    url = reverse(f"admin:programs_{obj._meta.model_name}_change", args=[obj.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    response = admin_client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


# Hits


def test_second_request_is_a_hit_with_one_query(client, django_assert_num_queries):
    """The same page asked again comes from the cache, byte for byte, after one
    query: the content version it is checked against."""
    f.make_project(name_en="Lakeside lab")
    first = warm(client, PROJECTS)

    with django_assert_num_queries(1):
        second = client.get(PROJECTS)

    assert status_of(second) == "hit"
    assert second.status_code == 200
    assert second.content == first.content
    assert "Lakeside lab" in second.text


def test_a_hit_carries_the_headers_of_a_fresh_page(client):
    """Headers the outer middleware adds (framing, policies, language, Vary) are
    on hits too."""
    first = warm(client, PROJECTS)
    second = client.get(PROJECTS)

    assert status_of(second) == "hit"
    for name in (
        "Content-Type",
        "X-Frame-Options",
        "Content-Security-Policy",
        "Permissions-Policy",
        "Content-Language",
        "Vary",
    ):
        assert first.headers.get(name), name
        assert second.headers.get(name) == first.headers.get(name), name


@pytest.mark.parametrize("url", ["/sitemap.xml", "/robots.txt", "/feeds/projects/"])
def test_feeds_sitemap_and_robots_are_cached_too(client, url):
    """The sitemap, robots.txt and the feeds are public pages and cached likewise."""
    f.make_project()
    first = warm(client, url)

    second = client.get(url)

    assert status_of(second) == "hit"
    assert second.content == first.content


def test_head_is_served_from_the_cache_but_never_fills_it(client):
    """HEAD is answered from a page GET stored, but a HEAD alone stores nothing."""
    assert status_of(client.head(PROJECTS)) == "miss"
    assert status_of(client.get(PROJECTS)) == "miss"

    assert status_of(client.head(PROJECTS)) == "hit"


# Separate entries


def test_each_language_is_a_separate_entry(client):
    """The Chinese page is not served the English one, nor the reverse."""
    english = warm(client, PROJECTS)
    chinese = warm(client, "/zh-hans/projects/")

    assert english.content != chinese.content
    assert '<html lang="en">' in client.get(PROJECTS).text
    assert '<html lang="zh-Hans">' in client.get("/zh-hans/projects/").text


def test_each_query_string_is_a_separate_entry(client):
    """Different filters are different pages; the same filters again are a hit."""
    f.make_project(name_en="Alpha works")
    f.make_project(name_en="Beta works")
    alpha = warm(client, PROJECTS + "?q=alpha")
    beta = warm(client, PROJECTS + "?q=beta")

    assert "Beta works" not in alpha.text
    assert "Alpha works" not in beta.text
    assert status_of(client.get(PROJECTS + "?q=alpha")) == "hit"


def test_each_host_is_a_separate_entry(client):
    """Pages with absolute links (robots.txt names the sitemap) are kept per host."""
    first = client.get("/robots.txt", HTTP_HOST="localhost")
    other = client.get("/robots.txt", HTTP_HOST="127.0.0.1")

    assert status_of(other) == "miss"
    assert "http://127.0.0.1/sitemap.xml" in other.text
    assert "http://localhost/sitemap.xml" in first.text


# Never cached


def test_staff_are_never_served_cached_pages(client, admin_client):
    """A signed-in member of staff gets a fresh page, with the admin link, not a hit."""
    warm(client, PROJECTS)

    response = admin_client.get(PROJECTS)

    assert status_of(response) is None
    assert "Staff admin" in response.text


def test_staff_pages_are_never_stored(client, admin_client):
    """A page rendered for staff is not served to the next anonymous visitor."""
    admin_client.get(PROJECTS)

    response = client.get(PROJECTS)

    assert status_of(response) == "miss"
    assert "Staff admin" not in response.text


def test_signed_in_visitors_who_are_not_staff_bypass_the_cache(
    client, django_user_model
):
    """Any signed-in account is served fresh pages, not only staff."""
    warm(client, PROJECTS)
    client.force_login(django_user_model.objects.create_user("reader"))

    assert status_of(client.get(PROJECTS)) is None


@pytest.mark.parametrize("url", ["/admin/", "/admin/login/", "/healthz"])
def test_the_admin_and_the_health_check_are_never_cached(client, admin_client, url):
    """The admin (signed in or not) and /healthz never touch the page cache."""
    for visitor in (client, admin_client, client):
        assert status_of(visitor.get(url)) is None


@pytest.mark.parametrize("export", ["csv", "json"])
def test_exports_are_never_stored(client, export):
    """A streamed export is rendered every time, never served from the cache."""
    f.make_project()
    url = f"{PROJECTS}?format={export}"

    first, second = client.get(url), client.get(url)

    assert first.streaming and second.streaming
    assert status_of(second) == "miss"


def test_post_is_never_cached(client):
    """A POST neither comes from nor fills the cache."""
    response = client.post(PROJECTS)

    assert status_of(response) is None
    assert status_of(client.get(PROJECTS)) == "miss"


def test_error_pages_are_not_stored(client):
    """A 404 is rendered again on the next request."""
    client.get(PROJECTS + "no-such-project/")

    response = client.get(PROJECTS + "no-such-project/")

    assert response.status_code == 404
    assert status_of(response) == "miss"


def test_zero_seconds_turns_the_page_cache_off(client, settings):
    """DJANGO_PAGE_CACHE_SECONDS=0 renders every page afresh and stores nothing."""
    settings.PAGE_CACHE_SECONDS = 0
    client.get(PROJECTS)

    assert status_of(client.get(PROJECTS)) is None


def set_cookie(request, response):
    response.set_cookie("seen", "1")


def need_csrf_cookie(request, response):
    # What get_token() does; CsrfViewMiddleware then sets the cookie on the way out.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True


def mark_private(request, response):
    response["Cache-Control"] = "private, max-age=0"


def redirect(request, response):
    response.status_code = 302


def vary_on_cookie(request, response):
    response["Vary"] = "Cookie"


@pytest.mark.parametrize(
    ("change", "cacheable"),
    [
        (vary_on_cookie, True),
        (set_cookie, False),
        (need_csrf_cookie, False),
        (mark_private, False),
        (redirect, False),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_responses_that_set_cookies_or_opt_out_are_not_stored(change, cacheable):
    """A response that sets a cookie, asks not to be stored or is not a 200 is not
    stored; a plain one is."""
    request, response = RequestFactory().get(PROJECTS), HttpResponse("page")
    request.user = AnonymousUser()
    change(request, response)

    assert page_cache.is_cacheable_response(request, response) is cacheable


# Every kind of write makes the next request show it


def test_saving_a_record_shows_on_the_next_request(client):
    """A record renamed through the ORM shows renamed on the very next request."""
    project = f.make_project(name_en="Old name")
    warm(client, project.get_absolute_url())
    warm(client, PROJECTS)

    project.name_en = "New name"
    project.save()

    for url in (project.get_absolute_url(), PROJECTS):
        response = client.get(url)
        assert status_of(response) == "miss"
        assert "New name" in response.text and "Old name" not in response.text


def test_an_edit_in_the_admin_shows_on_the_next_request(client, admin_client):
    """A source retitled through the admin's change form shows on the next request."""
    source = f.make_source(title_en="Draft title")
    warm(client, "/sources/")

    admin_change(admin_client, source, title_en="Final title")

    assert "Final title" in client.get("/sources/").text


@pytest.mark.parametrize(
    ("action", "before", "shown"),
    [
        ("publish", PublicationStatus.DRAFT, True),
        ("unpublish", PublicationStatus.PUBLISHED, False),
    ],
)
def test_publication_actions_show_on_the_next_request(
    client, admin_client, action, before, shown
):
    """The admin's bulk publish and unpublish actions, which send no signal,
    still change the next page."""
    project = f.make_project(name_en="Wetland survey", publication_status=before)
    project.sources.add(f.make_source())
    assert ("Wetland survey" in warm(client, PROJECTS).text) is not shown

    admin_client.post(
        reverse("admin:programs_project_changelist"),
        {"action": action, "_selected_action": [project.pk]},
    )

    assert ("Wetland survey" in client.get(PROJECTS).text) is shown


def test_deleting_a_record_shows_on_the_next_request(client):
    """A deleted record disappears from its list and its page at once."""
    project = f.make_project(name_en="Closed project")
    detail = project.get_absolute_url()
    warm(client, PROJECTS)
    warm(client, detail)

    project.delete()

    assert "Closed project" not in client.get(PROJECTS).text
    assert client.get(detail).status_code == 404


def test_deleting_through_the_admin_shows_on_the_next_request(client, admin_client):
    """The admin's "delete selected" action removes the record from the next page."""
    project = f.make_project(name_en="Withdrawn project")
    warm(client, PROJECTS)

    admin_client.post(
        reverse("admin:programs_project_changelist"),
        {"action": "delete_selected", "_selected_action": [project.pk], "post": "yes"},
    )

    assert not Project.objects.filter(pk=project.pk).exists()
    assert "Withdrawn project" not in client.get(PROJECTS).text


def test_adding_a_source_shows_on_the_next_request(client):
    """A many-to-many change (a source added to a project) shows at once."""
    project = f.make_project()
    source = f.make_source(title_en="Annual report")
    assert "Annual report" not in warm(client, project.get_absolute_url()).text

    project.sources.add(source)

    assert "Annual report" in client.get(project.get_absolute_url()).text


def test_loading_seeds_shows_on_the_next_request(client, tmp_path):
    """A fixture loaded with load_seeds changes the next page."""
    f.make_source(slug="report", title_en="Report as first filed")
    warm(client, "/sources/")
    fixture = tmp_path / "seed.yaml"
    fixture.write_text(
        textwrap.dedent("""\
            - model: programs.source
              fields: {slug: report, title_en: Report as corrected}
        """),
        encoding="utf-8",
    )

    call_command("load_seeds", str(fixture), stdout=StringIO())

    assert Source.objects.get(slug="report").title_en == "Report as corrected"
    assert "Report as corrected" in client.get("/sources/").text


def test_a_write_changes_the_version_within_its_transaction():
    """The new version is the write's own: seen inside its transaction at once,
    and gone with it if it rolls back, so a cache can neither lose nor invent it."""
    before = page_cache.content_version()
    try:
        with transaction.atomic():
            f.make_project()
            during = page_cache.content_version()
            raise RuntimeError("roll back")
    except RuntimeError:
        pass

    assert during != before
    assert page_cache.content_version() == before


def test_every_write_of_a_transaction_changes_the_version():
    """A page read between two writes of one transaction is not served after the
    second (only tests and shells read pages mid-transaction, but they may)."""
    with transaction.atomic():
        project = f.make_project()
        after_first = page_cache.content_version()
        project.sources.add(f.make_source())
        assert page_cache.content_version() != after_first


def test_a_version_row_lost_to_a_flush_is_made_again(client):
    """With the row gone (a flushed database), pages are misses, then hits again."""
    warm(client, PROJECTS)

    ContentVersion.objects.all().delete()

    assert status_of(client.get(PROJECTS)) == "miss"
    assert status_of(client.get(PROJECTS)) == "hit"


def test_the_version_row_follows_every_edit_and_is_made_again_if_lost():
    """content_version_row (the API's ETag and Last-Modified) reads the row
    as it is now, each time, and makes it again if a flush lost it."""
    before = page_cache.content_version_row()
    f.make_project()
    after = page_cache.content_version_row()
    assert after.number == page_cache.content_version() != before.number
    assert after.changed_at >= before.changed_at

    ContentVersion.objects.all().delete()
    made = page_cache.content_version_row()
    assert made.number == page_cache.content_version()


def test_an_edit_made_while_the_cache_is_down_shows_once_it_is_back(
    client, monkeypatch
):
    """The failure the version in the database prevents: a write whose cache
    server does not answer cannot leave the pages stored before it current."""
    project = f.make_project(name_en="Before the outage")
    warm(client, PROJECTS)
    assert status_of(client.get(PROJECTS)) == "hit"

    # While the record is saved, the cache server does not answer.
    monkeypatch.setattr(page_cache, "cache", RedisCache(UNREACHABLE_REDIS, {}))
    project.name_en = "Edited during the outage"
    project.save()
    monkeypatch.undo()

    response = client.get(PROJECTS)
    assert status_of(response) == "miss"
    assert "Edited during the outage" in response.text


# Settings and a real Redis


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "LocMemCache 0"),
        ({"DJANGO_PAGE_CACHE_SECONDS": "30"}, "LocMemCache 30"),
        ({"DJANGO_REDIS_URL": "redis://127.0.0.1:6379/0"}, "RedisCache 600"),
    ],
)
def test_page_cache_is_on_by_default_only_with_redis(env, expected):
    """Without Redis each process would keep its own pages, of little use with
    several workers, so pages are only cached when DJANGO_REDIS_URL is set or
    DJANGO_PAGE_CACHE_SECONDS asks."""
    code = (
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'].rsplit('.', 1)[1], "
        "s.PAGE_CACHE_SECONDS)"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV, **env}
    )

    assert result.stdout.strip() == expected, result.stderr


@pytest.fixture
def unreachable_cache(settings):
    """Point the default cache at a port where no Redis answers."""
    settings.CACHES = {
        "default": {
            "BACKEND": "talentzone.redis_cache.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }
    yield
    settings.CACHES = LOCAL_MEMORY


def test_pages_render_without_the_cache_when_it_is_down(
    client, unreachable_cache, caplog
):
    """With the cache server unreachable, pages and writes still work."""
    f.make_project(name_en="Still here")

    response = client.get(PROJECTS)

    assert response.status_code == 200 and "Still here" in response.text
    assert status_of(response) is None
    assert "The page cache is unavailable" in caplog.text


def test_after_a_cache_failure_pages_leave_the_cache_alone_for_a_while(
    client, monkeypatch
):
    """A cache server that hangs costs one request its timeout, not every one,
    until the rest is over."""
    hanging = mock.Mock()
    hanging.get.side_effect = ConnectionError("no answer in time")
    asked = hanging.get
    monkeypatch.setattr(page_cache, "cache", hanging)
    clock = mock.Mock(return_value=1000.0)
    monkeypatch.setattr(page_cache.time, "monotonic", clock)

    for _ in range(3):
        assert client.get(PROJECTS).status_code == 200
    assert asked.call_count == 1

    clock.return_value += page_cache.REST_SECONDS
    client.get(PROJECTS)
    assert asked.call_count == 2


@pytest.fixture
def redis_cache(settings):
    """Point the default cache at a real Redis, under keys of this test's own."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "1":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"talentzone-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "talentzone.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)
    settings.CACHES = LOCAL_MEMORY  # which conftest.py clears, not this Redis


def test_redis_shares_pages_and_their_invalidation_between_servers(
    client, redis_cache, monkeypatch, django_assert_num_queries
):
    """Two app servers with their own Redis clients share cached pages, and a write
    on one makes the other render afresh."""
    project = f.make_project(name_en="Shared page")
    warm(client, PROJECTS)
    other_server = caches.create_connection("default")  # its own connection pool

    with django_assert_num_queries(1):
        assert status_of(client.get(PROJECTS)) == "hit"

    # The write happens on the other server, through its own client.
    monkeypatch.setattr(page_cache, "cache", other_server)
    project.name_en = "Renamed elsewhere"
    project.save()
    monkeypatch.undo()

    response = client.get(PROJECTS)
    assert status_of(response) == "miss"
    assert "Renamed elsewhere" in response.text


def test_redis_cache_calls_share_one_client(redis_cache):
    """Every call reuses one redis-py client (talentzone/redis_cache.py):
    Django's own builds a new one per call, which took half a round trip."""
    cache = caches["default"]
    cache.set("shared", "client")

    reading, writing = (cache._cache.get_client(write=write) for write in (0, 1))

    assert reading is writing
    assert cache.get("shared") == "client"
    assert cache.get_many(["shared", "absent"]) == {"shared": "client"}
    assert caches.create_connection("default").get("shared") == "client"


def test_each_process_keeps_copies_of_what_it_read_under_a_version(
    client, redis_cache, settings, django_assert_num_queries
):
    """A list's kept parts are read from Redis once per process and version:
    with them gone from Redis, the page still costs only its rows, read with
    the version. An edit is a new version, whose parts are made anew."""
    import redis

    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(3):
        f.make_expert()
    url = reverse("programs:expert-list")
    assert "3 matches" in client.get(url).text  # makes and keeps the parts
    server = redis.Redis.from_url(REDIS_URL)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert [server.delete(key) for key in server.scan_iter(f"{prefix}:*")]
    with django_assert_num_queries(1):
        assert "3 matches" in client.get(url).text
    f.make_expert()
    assert "4 matches" in client.get(url).text


def test_copies_are_bounded_and_only_of_another_servers_cache(monkeypatch):
    """A cache in this process's memory is read as it is; copies of another
    server's are dropped when there are too many."""
    assert local_copies.in_this_process()  # the tests' cache
    monkeypatch.setattr(local_copies, "in_this_process", lambda: False)
    monkeypatch.setattr(local_copies, "MOST_COPIES", 3)
    local_copies.set_many({"v1:a": 1, "v1:b": 2}, 60)
    caches["default"].clear()
    assert local_copies.get_many(["v1:a", "v1:b", "v1:c"]) == {"v1:a": 1, "v1:b": 2}
    local_copies.set_many({"v2:a": 3, "v2:b": 4}, 60)
    caches["default"].clear()
    assert local_copies.get_many(["v1:a", "v2:a"]) == {"v2:a": 3}
