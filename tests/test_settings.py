import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x7Qp2vLm9Zr4" * 4,
    "DJANGO_ALLOWED_HOSTS": "talentzone.example.org",
    "DATABASE_URL": "sqlite:////tmp/talentzone-deploy-check.sqlite3",
}


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


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
