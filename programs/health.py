"""
``/healthz``: whether this app server can serve, for load balancers.

It answers from the database alone, never from the page cache, so that a
balancer takes a server out of rotation when its database is gone.
"""

from django.db import DatabaseError, connection
from django.http import JsonResponse


def healthz(request):
    """Answer 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
