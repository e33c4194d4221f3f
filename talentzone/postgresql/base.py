"""
Django's PostgreSQL backend, with a client-side deadline on every query, and
a way to send several queries in one round trip (``pipeline``).

``statement_timeout`` is enforced by the server, and a server that stops
answering enforces nothing: a frozen process, a paused VM or a partition
that drops packets. Its kernel may even go on acknowledging TCP, so neither
keepalives nor ``tcp_user_timeout`` notice, and a query waits for ever,
holding its worker; a few such requests hold them all, ``/healthz``
included. Here every query gets a deadline a little past the server's own
timeout (which normally acts first, with a cleaner error). One watchdog
thread per process shuts down the socket of a query still waiting at its
deadline: psycopg then raises ``OperationalError`` in the waiting thread, the
request ends with the 503 page (programs/unavailable.py), and Django opens a
new connection on the next request.

The deadline covers queries run through Django (``execute`` and
``executemany``), queries sent together (``pipeline``) and the connection
health check. Rows fetched later from a
server-side cursor (exports) are not covered; connecting is bounded by
libpq's ``connect_timeout``.
"""

import contextlib
import socket
import threading
import time

from django.conf import settings
from django.db.backends.postgresql import base

# How long after the server's own statement timeout a query is given up on.
GRACE_SECONDS = 2.0
# How often the watchdog looks: a deadline may be overrun by up to this.
TICK_SECONDS = 0.1


class Watchdog:
    """Shuts down the sockets of queries still waiting past their deadline."""

    def __init__(self):
        self._waiting = {}  # id of a waiting query -> (deadline, socket's fd)
        self._lock = threading.Lock()
        self._thread = None

    @contextlib.contextmanager
    def deadline(self, fd, seconds):
        """Give what runs inside ``seconds`` on the socket ``fd``."""
        token = object()
        with self._lock:
            self._waiting[id(token)] = (time.monotonic() + seconds, fd)
            self._start()
        try:
            yield
        finally:
            with self._lock:
                self._waiting.pop(id(token), None)

    def _start(self):
        # Started lazily, and again in a process forked after it started
        # (gunicorn's workers), where the parent's thread does not exist.
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._watch, name="database-deadline", daemon=True
            )
            self._thread.start()

    def _watch(self):
        while True:
            time.sleep(TICK_SECONDS)
            now = time.monotonic()
            # Under the lock, so that the query cannot finish and its
            # descriptor be closed and reused for another socket meanwhile.
            with self._lock:
                for key, (deadline, fd) in list(self._waiting.items()):
                    if deadline <= now:
                        del self._waiting[key]
                        _shut_down(fd)


def _shut_down(fd):
    """End the connection on ``fd`` without closing the descriptor, which
    still belongs to psycopg: its waiting read returns at once."""
    try:
        sock = socket.socket(fileno=fd)
    except OSError:
        return  # already gone
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.detach()


WATCHDOG = Watchdog()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Seconds, or None when statements have no timeout (0: a long
        # migration run by hand); the health check shortens it for its query.
        statement_ms = settings.DB_STATEMENT_TIMEOUT_MS
        self.query_deadline = (
            statement_ms / 1000 + GRACE_SECONDS if statement_ms else None
        )
        self.execute_wrappers.append(self._within_deadline)

    def _within_deadline(self, execute, sql, params, many, context):
        with self._deadline():
            return execute(sql, params, many, context)

    @contextlib.contextmanager
    def pipeline(self):
        """Send the queries run inside together, and wait once for them all.

        psycopg's pipeline mode: queries that do not depend on each other
        cost one round trip instead of one each. Their results are all in
        when the block ends, within the query deadline, and an error is
        raised as Django's own.
        """
        self.ensure_connection()
        with self.wrap_database_errors, self._deadline(), self.connection.pipeline():
            yield

    def is_usable(self):
        if self.connection is None:
            return False
        with self._deadline():
            return super().is_usable()

    def _deadline(self):
        if self.query_deadline is None:
            return contextlib.nullcontext()
        try:
            fd = self.connection.fileno()
        except Exception:
            # Already lost (psycopg raises): the query fails at once, with
            # nothing to wait for, and Django's own handling of it follows.
            return contextlib.nullcontext()
        return WATCHDOG.deadline(fd, self.query_deadline)
