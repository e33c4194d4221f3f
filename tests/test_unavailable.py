"""An unreachable database: bounded waits, and a 503 rather than a 500."""

import json
import threading
import time
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.urls import reverse

from programs import health

from . import factories as f
from .test_postgres import on_postgresql
from .test_settings import PRODUCTION_ENV, run_manage

PRINT_OPTIONS = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)


def database_options(**env):
    """Return the database OPTIONS the settings build from ``env``."""
    result = run_manage(
        "shell", "--no-imports", "-c", PRINT_OPTIONS, env={**PRODUCTION_ENV, **env}
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_gets_bounded_waits_by_default():
    """On PostgreSQL, connecting, statements and lock waits have default limits."""
    options = database_options(DATABASE_URL="postgres://app@db.internal:5432/app")
    assert options["connect_timeout"] == 2
    assert options["options"] == "-c statement_timeout=30000 -c lock_timeout=10000"


def test_postgresql_timeouts_follow_the_environment_and_keep_url_options():
    """The three variables set the limits; options in DATABASE_URL are kept."""
    options = database_options(
        DATABASE_URL="postgres://app@db/app?sslmode=require&options=-c%20search_path%3Dx",
        DJANGO_DB_CONNECT_TIMEOUT="2",
        DJANGO_DB_STATEMENT_TIMEOUT_MS="1500",
        DJANGO_DB_LOCK_TIMEOUT_MS="700",
    )
    assert options == {
        "sslmode": "require",
        "connect_timeout": 2,
        "options": "-c statement_timeout=1500 -c lock_timeout=700 -c search_path=x",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler():
    """Server-side binding and prepared statements are on unless turned off."""
    options = database_options(
        DATABASE_URL="postgres://app@db/app", DJANGO_DB_PREPARED_STATEMENTS="0"
    )
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


def test_sqlite_gets_no_postgresql_options():
    """SQLite, which has no such parameters, is left without them: it gets its
    own, for the server and the job worker sharing its file (test_settings)."""
    assert database_options() == {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }


@pytest.mark.django_db
def test_page_answers_503_in_the_site_look_when_the_database_is_down(
    client, settings, django_assert_num_queries
):
    """A view that cannot reach the database gives an uncached 503 in the site
    look, rendered without a query."""
    settings.PAGE_CACHE_SECONDS = 0  # whose version query comes before the view
    client.raise_request_exception = False
    with (
        mock.patch(
            "programs.site.home.HomeView.get_context_data",
            side_effect=OperationalError("connection refused"),
        ),
        django_assert_num_queries(0),
    ):
        response = client.get(reverse("programs:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "Talent programmes of the Yangtze River Delta" in response.text
    assert "Temporarily unavailable" in response.text


@pytest.mark.django_db
def test_page_503_needs_no_session_for_a_signed_in_visitor(client, settings):
    """The 503 page renders when a staff page loses the database mid-render."""
    # Off, so that no middleware reads the session before the view: the
    # session first fails in the footer, as when the database goes mid-page.
    settings.PAGE_CACHE_SECONDS = 0
    client.force_login(f.make_staff("editor"))
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get(reverse("programs:source-list"))
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failing",
    [
        "programs.site.cache.content_version",  # the page cache, before any view
        "django.contrib.sessions.backends.db.SessionStore.load",  # the session
    ],
)
def test_a_middleware_that_loses_the_database_gives_the_503_too(client, failing):
    """The 503 is the 500 handler's, so a failure before the view is one as well."""
    client.cookies["sessionid"] = "x" * 32  # so that the session is read
    client.raise_request_exception = False
    with mock.patch(failing, side_effect=OperationalError("connection refused")):
        response = client.get(reverse("programs:project-list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Temporarily unavailable" in response.text


@pytest.mark.django_db
def test_other_errors_keep_the_500_page(client):
    """Only an unreachable database is an outage: a bug is still a 500."""
    client.raise_request_exception = False
    with mock.patch(
        "programs.site.home.HomeView.get_context_data", side_effect=ValueError("bug")
    ):
        response = client.get(reverse("programs:home"))
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    """The health check keeps its JSON shape and answers 503 on a database error."""
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("down"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}


@on_postgresql
@pytest.mark.django_db
def test_healthz_query_runs_under_its_own_short_statement_timeout():
    """The health check's query runs with a 1 s timeout, not the pages' 30 s."""
    assert health.ask_database("SHOW statement_timeout") == ("1s",)


@pytest.fixture
def own_connection(db):
    """A connection of its own to the test database, which a test may break."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    yield wrapper
    wrapper.close()


@on_postgresql
def test_a_query_the_server_never_answers_is_given_up_at_its_deadline(
    own_connection,
):
    """A server that cannot enforce its own timeout (here: it has none, and the
    query sleeps) does not hold the worker past the client-side deadline."""
    own_connection.query_deadline = 0.5
    started = time.monotonic()
    with pytest.raises(OperationalError), own_connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("SELECT pg_sleep(5)")
    assert time.monotonic() - started < 2


@on_postgresql
def test_queries_sent_together_are_given_up_at_their_deadline_too(own_connection):
    """In a pipeline (programs/compiled_queries.py) the wait is for all the
    queries' answers at once, when the block ends: it has the deadline too."""
    own_connection.query_deadline = 0.5
    started = time.monotonic()
    with pytest.raises(OperationalError), own_connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        with own_connection.pipeline(), own_connection.cursor() as sleeping:
            cursor.execute("SELECT 1")
            sleeping.execute("SELECT pg_sleep(5)")
    assert time.monotonic() - started < 2


@on_postgresql
def test_a_lost_connection_is_unusable_rather_than_an_error(own_connection):
    """Django's health check of a connection that is gone says so, so the
    request reconnects (it once raised, and the worker answered 500 for good)."""
    own_connection.ensure_connection()
    own_connection.connection.close()
    assert own_connection.is_usable() is False


@pytest.mark.django_db
def test_healthz_answers_in_time_when_the_database_hangs(client, monkeypatch):
    """However long the database takes, /healthz answers 503 within its limit."""
    release = threading.Event()
    monkeypatch.setattr(health, "CHECK_SECONDS", 0.3)
    monkeypatch.setattr(health, "_database_answers", lambda: release.wait(5))
    monkeypatch.setattr(health, "CHECKER", health.Checker())
    try:
        started = time.monotonic()
        first = client.get("/healthz")
        second = client.get("/healthz")  # waits on the same pending question
        elapsed = time.monotonic() - started
    finally:
        release.set()
    assert (first.status_code, second.status_code) == (503, 503)
    assert elapsed < 1.5
    assert client.get("/healthz").status_code == 200  # answered: up again


@on_postgresql
def test_the_deadline_lets_queries_that_answer_in_time_through(own_connection):
    own_connection.query_deadline = 0.5
    with own_connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT pg_sleep(0.2)")
    assert own_connection.is_usable()


@on_postgresql
def test_postgresql_uses_the_backend_with_deadlines():
    assert connection.settings_dict["ENGINE"] == "talentzone.postgresql"
    assert connection.query_deadline == 32.0  # 30 s statement timeout + 2
