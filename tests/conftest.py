import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from programs import compiled_queries
from programs.site import local_copies

from .factories import make_district


@pytest.fixture(autouse=True)
def _plain_http_and_static(settings):
    """Serve tests over plain HTTP with unhashed static files.

    Production defaults redirect to HTTPS and need `collectstatic` for the
    manifest; neither is what these tests are about (test_settings covers them).
    """
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(scope="session", autouse=True)
def _plain_http_live_server():
    """Let the live server speak plain HTTP.

    Session-scoped and autouse, here rather than beside the browser tests, so
    that it applies before the session-scoped live server builds its
    middleware, which reads these settings once, whichever test starts it
    (the browser tests, or tests/test_deploy.py's nginx in front of it).
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(autouse=True)
def _content_types_known(request):
    """Know every model's content type before the test, as a running server does.

    Prefetching a figure's evidence looks its content type up once per
    process; a flush (after a transactional test) forgets it. Without this,
    a query budget would count that look-up or not depending on which tests
    ran before it in the same process.
    """
    marker = request.node.get_closest_marker("django_db")
    # Set up the test's database first: a fixture that asks for it may come
    # after this one.
    if "transactional_db" in request.fixturenames or (
        marker and marker.kwargs.get("transaction")
    ):
        request.getfixturevalue("transactional_db")
    elif marker or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        return
    ContentType.objects.get_for_models(*apps.get_app_config("programs").get_models())


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Start every test in English.

    A request to a /zh-hans/ page leaves Chinese active in the thread, which
    would make a later test's reverse() build Chinese URLs.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _page_cache_on_and_empty(settings):
    """Run every test with the page cache on, as in production, but empty.

    On, so that a test that reads a page, writes and reads it again also checks
    the invalidation; empty, so that no test sees another's pages. The cache is
    this process's memory, never a Redis named in the environment: clearing
    that would empty a cache that is not the tests' own.
    """
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    local_copies.forget()
    yield
    cache.clear()
    local_copies.forget()


@pytest.fixture
def qingpu():
    """Qingpu District, as the seeds name it: the district editors' own."""
    return make_district(slug="qingpu", name_en="Qingpu District", name_zh="青浦区")


@pytest.fixture
def wujiang():
    """Wujiang District: another district than a Qingpu editor's."""
    return make_district(slug="wujiang", name_en="Wujiang District", name_zh="吴江区")


@pytest.fixture
def production_static(settings, tmp_path):
    """Collect the static files as production does: hashed, with DEBUG off.

    For the tests that fetch a static file through whitenoise; the others
    serve unhashed files from the app directories (``_plain_http_and_static``).
    """
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture
def compiles(monkeypatch):
    """The database of each compile of rows (programs/compiled_queries.py)
    made from here on, in order."""
    made = []

    class Counted(compiled_queries._CompiledRows):
        def __init__(self, queryset, using):
            made.append(using)
            super().__init__(queryset, using)

    monkeypatch.setattr(compiled_queries, "_CompiledRows", Counted)
    return made
