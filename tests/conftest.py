import pytest
from django.conf import settings
from django.utils import translation


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


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Start every test in English.

    A request to a /zh-hans/ page leaves Chinese active in the thread, which
    would make a later test's reverse() build Chinese URLs.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
