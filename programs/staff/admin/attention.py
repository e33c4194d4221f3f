"""Where the admin shows the editorial checks (``programs.staff.checks``)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from ..checks import needing_attention, problems


class NeedsAttentionFilter(admin.SimpleListFilter):
    """The records of a list that the editorial checks find a problem with."""

    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", _("Needs attention"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return needing_attention(queryset)
        return queryset


def warn_about(request, record):
    """Tell staff, above the record's form, what the checks find in it."""
    for problem in problems(record):
        level = messages.ERROR if problem.blocking else messages.WARNING
        messages.add_message(request, level, problem.message)
