"""Fixtures for tests that drive the system Chromium through Playwright.

The tests never download a browser: they launch the executable Debian's
`chromium` package installs (or $CHROMIUM_PATH). Without one they skip with
the reason, except under CI (CI=1), where a missing browser is a failure.
"""

import importlib
import os
import shutil

import pytest
from django.apps import apps as django_apps

# Playwright's sync API runs an event loop in this thread; Django refuses
# database access from a thread with a running loop unless told it is safe.
# Here it is: the test thread and the live server never share a connection.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_path():
    """Return the system Chromium's path, or None when there is none."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI=1 requires the browser tests to run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: run `make install`")
    executable = chromium_path()
    if executable is None:
        _unavailable(
            "No system Chromium: `apt-get install chromium` or set CHROMIUM_PATH"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab whose relative URLs go to the live test server."""
    context = browser.new_context(
        base_url=live_server.url, accept_downloads=True, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def staff_roles(transactional_db):
    """The staff role groups, as migration 0005 makes them.

    An earlier transactional test's flush empties them. Restoring them with
    serialized_rollback instead fails: the flush's post_migrate signal has
    already made the content types again, and reloading the serialized ones
    then breaks their unique constraint.
    """
    roles = importlib.import_module("programs.migrations.0005_staff_roles")
    roles.create_roles(django_apps, schema_editor=None)
