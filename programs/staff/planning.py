"""
The admin's queries planned for their own values.

PostgreSQL prepares the queries a connection repeats (settings.py), and after
five runs of one it may keep a single plan for any value. The public pages
ask the same few queries with values alike, and gain: their queries are
planned once. The admin's filters and sorts vary, and a plan made for common
values can be ruinous for a rare one: listing the 100,000 entrepreneurs with
the publication status Archived (none of them) took 160 ms instead of 40,
walking the whole name index. So the admin's queries are not prepared, and
are planned for their values each time.
"""

import contextlib

from django.db import DEFAULT_DB_ALIAS, connections

from .addresses import in_the_admin


class AdminQueriesUnpreparedMiddleware:
    """Run the admin's requests with prepared statements off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not in_the_admin(request):
            return self.get_response(request)
        with unprepared(connections[DEFAULT_DB_ALIAS]):
            return self.get_response(request)


@contextlib.contextmanager
def unprepared(connection):
    """Prepare no statement on ``connection`` inside, where it would."""
    if not connection.settings_dict["OPTIONS"].get("prepare_threshold"):
        yield  # SQLite, or PostgreSQL with prepared statements off
        return
    connection.ensure_connection()
    psycopg_connection = connection.connection
    threshold = psycopg_connection.prepare_threshold
    psycopg_connection.prepare_threshold = None
    try:
        yield
    finally:
        # A connection lost and made again inside has the setting's threshold.
        psycopg_connection.prepare_threshold = threshold
