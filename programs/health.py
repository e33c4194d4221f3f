"""
``/healthz``: whether this app server can serve, for load balancers.

It answers from the database alone, never from the page cache, so that a
balancer takes a server out of rotation when its database is gone.

It must answer before the balancer gives up on it, whatever the database does,
so on PostgreSQL its query runs with a statement timeout of its own, far
shorter than the one pages get (``DJANGO_DB_STATEMENT_TIMEOUT_MS``): a server
that is up but stuck then makes it answer 503 within about two seconds.
"""

from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse

CHECK_TIMEOUT_MS = 2000


def ask_database(sql):
    """Return the first row of ``sql``, run with the health check's timeout.

    ``SET LOCAL`` lasts until the end of the transaction around it, so the
    short timeout never outlives the check on a persistent connection.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL statement_timeout = {CHECK_TIMEOUT_MS:d}")
        cursor.execute(sql)
        return cursor.fetchone()


def healthz(request):
    """Answer 200 when the database answers, 503 when it does not."""
    try:
        ask_database("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
