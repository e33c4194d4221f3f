"""
``/healthz``: whether this app server can serve, for load balancers.

It answers from the database alone, never from the page cache, so that a
balancer takes a server out of rotation when its database is gone.

It must answer before the balancer gives up on it, whatever the database does,
so on PostgreSQL its query runs with limits of its own, far shorter than the
ones pages get (``DJANGO_DB_STATEMENT_TIMEOUT_MS``): a statement timeout for a
server that is up but busy, and a client-side deadline (talentzone.postgresql)
for one that does not answer at all. Either way it answers 503 within about two
seconds, or within the connect timeout (2 s) when it must connect first.
"""

from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse

CHECK_TIMEOUT_MS = 1000
# After which the check gives up on a server that cannot even time out.
CHECK_DEADLINE_SECONDS = 1.5


def ask_database(sql):
    """Return the first row of ``sql``, run with the health check's timeout.

    ``SET LOCAL`` lasts until the end of the transaction around it, so the
    short timeout never outlives the check on a persistent connection.
    """
    deadline = getattr(connection, "query_deadline", None)
    try:
        if deadline is not None:
            connection.query_deadline = CHECK_DEADLINE_SECONDS
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {CHECK_TIMEOUT_MS:d}")
            cursor.execute(sql)
            return cursor.fetchone()
    finally:
        if deadline is not None:
            connection.query_deadline = deadline


def healthz(request):
    """Answer 200 when the database answers, 503 when it does not."""
    try:
        ask_database("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
