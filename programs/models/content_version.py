"""The version of the site's content that cached pages are tagged with."""

from django.db import models
from django.utils import timezone


class ContentVersion(models.Model):
    """One row whose number changes in the same transaction as every write.

    The page cache (programs/site/cache.py) serves a stored page only while
    this number is the one the page was rendered under. Kept in the database
    rather than in the cache server, so that a write commits its new version
    together with its rows or not at all: no outage of the cache can lose it.
    """

    # A fresh random number each time rather than a counter: a database
    # restored from an older dump must not reach a number that pages of the
    # newer content are stored under.
    number = models.BigIntegerField()
    # When it last changed: the Last-Modified of lists in the API.
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Not a record: nothing to translate, list or audit.
        default_permissions = ()

    def __str__(self):
        return str(self.number)
