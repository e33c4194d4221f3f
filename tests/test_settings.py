import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x7Qp2vLm9Zr4" * 4,
    "DJANGO_ALLOWED_HOSTS": "talentzone.example.org",
    "DATABASE_URL": "sqlite:////tmp/talentzone-deploy-check.sqlite3",
}


def run_python(*args, env):
    """Run Python on ``args`` in a fresh process, configured by ``env`` alone."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_manage(*args, env):
    return run_python("manage.py", *args, env=env)


def test_deploy_check_passes_with_only_the_production_variables():
    """With DEBUG off and only the three variables set, check --deploy is clean."""
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_flags_the_development_key():
    """Production without its own secret key fails check --deploy."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "True True True 31536000"),
        ({"DJANGO_SECURE_SSL_REDIRECT": "0"}, "False True True 31536000"),
        ({"DJANGO_DEBUG": "1"}, "False False False 0"),
    ],
)
def test_security_defaults_follow_debug_and_can_be_overridden(env, expected):
    """HTTPS settings are on in production unless a variable turns one off."""
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV, **env}
    )
    assert result.stdout.strip() == expected, result.stderr


def test_debug_is_off_unless_asked():
    """DEBUG is off when DJANGO_DEBUG is unset."""
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env={},
    )
    assert result.stdout.strip() == "False", result.stderr


# Two threads writing one SQLite file, as `make run`'s server and its job
# worker do: the second reads, then writes while the first holds the write
# lock. In SQLite's default (deferred) mode its write fails at once with
# "database is locked"; here it waits its turn.
SQLITE_WRITERS = textwrap.dedent(
    """
    import threading
    from django.db import connection, transaction

    connection.cursor().execute("CREATE TABLE seen (n integer)")
    first_writing, errors = threading.Event(), []

    def first():
        with transaction.atomic():
            connection.cursor().execute("INSERT INTO seen VALUES (1)")
            first_writing.set()
            threading.Event().wait(0.5)
        connection.close()

    def second():
        first_writing.wait()
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM seen")
                (n,) = cursor.fetchone()
                cursor.execute("INSERT INTO seen VALUES (%s)", [n + 1])
        except Exception as error:
            errors.append(error)
        connection.close()

    threads = [threading.Thread(target=each) for each in (first, second)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    cursor = connection.cursor()
    cursor.execute("SELECT n FROM seen ORDER BY n")
    print(errors, [n for (n,) in cursor.fetchall()])
    print(cursor.execute("PRAGMA journal_mode").fetchone()[0])
    """
)


def test_sqlite_writers_wait_their_turn_and_readers_never_wait(tmp_path):
    """`make run`'s job worker and a command writing at once both succeed, and
    the file is in WAL mode, where a reader never waits for a writer."""
    env = {"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}

    result = run_manage("shell", "--no-imports", "-c", SQLITE_WRITERS, env=env)

    assert result.stdout.split("\n")[:2] == ["[] [1, 2]", "wal"], result.stderr


def test_the_wsgi_application_leaves_what_it_loaded_out_of_full_collections():
    """The server's process freezes what loading the site made (gc.freeze):
    the collector's full passes no longer walk it."""
    code = "import gc, talentzone.wsgi; print(gc.get_freeze_count())"
    result = run_python("-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 100_000
