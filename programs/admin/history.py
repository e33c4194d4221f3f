"""The history of every change: who, when, what, and a way back."""

from simple_history.admin import SimpleHistoryAdmin


class RecordHistoryAdmin(SimpleHistoryAdmin):
    """Every record's history, with what changed between versions."""
