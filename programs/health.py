"""
``/healthz``: whether this app server can serve, for load balancers.

It answers from the database alone, never from the page cache, so that a
balancer takes a server out of rotation when its database is gone.

It must answer before the balancer gives up on it, whatever the database does:
within ``CHECK_SECONDS``. So the question is asked in a thread of its own
(with its own connection), and the answer waited for that long at most; a
database that has not answered by then is reported down. One question is in
flight per process at a time: requests that come while it is pending wait
for the same answer rather than pile up threads on a database that hangs.
On PostgreSQL the query also runs with a short statement timeout of its own,
so a busy server answers with an error rather than holding the thread.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as NoAnswerYet
from contextlib import nullcontext

from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse

CHECK_SECONDS = 1.5
CHECK_TIMEOUT_MS = 1000


def ask_database(sql):
    """Return the first row of ``sql``, run with the health check's timeout.

    ``SET LOCAL`` lasts until the end of the transaction around it, so the
    short timeout never outlives the check on a persistent connection. Only
    PostgreSQL gets a transaction: SQLite's take the write lock as they begin
    (settings.py), and a check waiting behind a long write is not an answer.
    """
    postgresql = connection.vendor == "postgresql"
    atomic = transaction.atomic() if postgresql else nullcontext()
    with atomic, connection.cursor() as cursor:
        if postgresql:
            cursor.execute(f"SET LOCAL statement_timeout = {CHECK_TIMEOUT_MS:d}")
        cursor.execute(sql)
        return cursor.fetchone()


def _database_answers():
    """Ask the database, in the checker's thread; True if it answers."""
    # No request starts or ends in this thread, so the connection's age and
    # errors are looked at here, as Django does at each request.
    connection.close_if_unusable_or_obsolete()
    try:
        ask_database("SELECT 1")
    except DatabaseError:
        return False
    return True


class Checker:
    """One thread per process that asks the database, one question at a time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None
        self._pending = None

    def database_answers(self):
        with self._lock:
            if self._pid != os.getpid():  # made in this process, not inherited
                self._pid = os.getpid()
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="healthz")
                self._pending = None
            if self._pending is None or self._pending.done():
                self._pending = self._executor.submit(_database_answers)
            pending = self._pending
        try:
            return pending.result(timeout=CHECK_SECONDS)
        except NoAnswerYet:
            return False


CHECKER = Checker()


def healthz(request):
    """Answer 200 when the database answers in time, 503 when it does not."""
    if not CHECKER.database_answers():
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
