"""The counts of public records kept for each version of the site's content."""

from django.db import models
from django.utils import timezone


class ContentSummary(models.Model):
    """What the home, zone and statistics pages count, for one content version.

    Derived from the records and never edited: programs/site/aggregates.py
    writes a row when the content changes and reads it back by version. Kept
    in the database rather than only in the cache server, so that every app
    server shares it and no outage of the cache empties it.
    """

    # Not content: writing a summary must not change the content version
    # (programs/site/cache.py), which would call for another summary.
    CHANGES_CONTENT = False

    # The content version (ContentVersion.number) the counts are of.
    version = models.BigIntegerField(primary_key=True)
    counts = models.JSONField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Not a record: nothing to translate, list or audit.
        default_permissions = ()

    def __str__(self):
        return str(self.version)
