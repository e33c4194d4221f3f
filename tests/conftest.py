import pytest


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
