"""
The site served as ``make serve`` serves it: nginx in front of gunicorn.

Every command (``migrate``, ``load_seeds``, the shell snippets scenarios run
and the server itself) gets the same environment, pointing at the run's own
PostgreSQL and Redis (``reliability.services``).
"""

import contextlib
import glob
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import load
from .services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Shorter than the production default of 30 s, so a stuck query cannot
# outlast a scenario; stated in the report with the rest of these.
RUN_SETTINGS = {
    "DJANGO_DB_STATEMENT_TIMEOUT_MS": "5000",
}
STAFF_USER = "chaos-admin"


def environment(postgres, redis):
    """Return the environment every command of the run gets."""
    return {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "DJANGO_REDIS_URL": redis.url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "0",
        "DJANGO_CSRF_COOKIE_SECURE": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_DEBUG": "0",
        **RUN_SETTINGS,
    }


def manage(env, *args, timeout=120):
    """Run ``manage.py`` with ``args``; raise, with its output, if it fails."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        # The full output is for the run's log; the error, for the report.
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        errors = re.findall(
            r"^[\w.]+(?:Error|Exception|Canceled)\b.*", result.stderr, re.M
        )
        raise RuntimeError(
            f"manage.py {args[0]} failed: {errors[-1] if errors else result.returncode}"
        )
    return result.stdout


def prepare(env):
    """Build the database and static files as `make serve` does; add a staff user.

    Returns the staff user's password.
    """
    manage(env, "migrate", "--noinput")
    manage(env, "load_seeds")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    password = secrets.token_urlsafe(16)
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_superuser({STAFF_USER!r}, "
        f"'chaos@example.com', {password!r})",
    )
    return password


SETTINGS_REPORT = """
import json
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps({
    "database": database["ENGINE"],
    "database options": database.get("OPTIONS", {}),
    "persistent connections (s)": database.get("CONN_MAX_AGE"),
    "cache options": settings.CACHES["default"].get("OPTIONS", {}),
    "page cache (s)": settings.PAGE_CACHE_SECONDS,
    "import limit (bytes)": settings.IMPORT_MAX_BYTES,
    "import limit (rows)": settings.IMPORT_MAX_ROWS,
}))
"""


def effective_settings(env):
    """Return the waits and limits the app runs with, as its settings say."""
    output = manage(env, "shell", "-c", SETTINGS_REPORT)
    return json.loads(output.strip().splitlines()[-1])


class Site:
    """``deploy/serve.py run`` in a process group of its own."""

    def __init__(self, env, runtime_dir):
        self.env = env
        self.port = free_port()
        self.runtime_dir = Path(runtime_dir)
        self.log = self.runtime_dir.parent / "serve.log"
        self.process = None

    @property
    def workers(self):
        return self.env.get("WEB_CONCURRENCY") or str(2 * os.cpu_count() + 1)

    def start(self):
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "deploy/serve.py", "run", "--listen",
                 f"127.0.0.1:{self.port}", "--runtime-dir", str(self.runtime_dir)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )  # fmt: skip
        wait_for_port(self.port, 60)
        if not self.wait_until_healthy(60):
            raise RuntimeError(f"the site never became healthy: see {self.log}")

    def wait_until_healthy(self, seconds):
        """Wait until /healthz answers 200; return the seconds taken, or None."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if load.fetch(self.port, "/healthz", timeout=5).status == 200:
                return time.monotonic() - started
            time.sleep(0.25)
        return None

    def nginx_limits(self):
        """Return the rendered nginx.conf's client timeouts and body limit."""
        wanted = (
            "client_header_timeout",
            "client_body_timeout",
            "client_max_body_size",
        )
        config = (self.runtime_dir / "nginx.conf").read_text().splitlines()
        lines = (line.strip().rstrip(";") for line in config)
        return [line for line in lines if line.split(" ")[0] in wanted]

    def gunicorn_pids(self):
        """Return the pids of gunicorn's master and workers, read from /proc."""
        pgid = self.process.pid
        found = []
        for status in glob.glob("/proc/[0-9]*/status"):
            pid = int(status.split("/")[2])
            try:
                if os.getpgid(pid) != pgid:
                    continue
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"gunicorn" in command:
                found.append(pid)
        return found

    def stop(self):
        """Stop nginx and gunicorn as serve.py does on SIGTERM; kill if stuck."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=40)
        # Whatever is left of the group (a worker stuck on a frozen database).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
