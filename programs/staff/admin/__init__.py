"""
The admin: where staff of the district offices and the association keep records.

Laid out like ``programs.models``. Every changelist costs the same number of
queries however many rows it shows: foreign keys in a list are joined
(``list_select_related``), counts are annotated in ``get_queryset`` and
many-to-many columns are prefetched.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Importing the modules registers their admins.
from . import figures, jobs, programmes, reference, scopes, tokens  # noqa: F401

admin.site.site_header = _("Talentzone staff admin")
admin.site.site_title = _("Talentzone admin")
admin.site.index_title = _("Records of the demonstration zone's talent programmes")
