"""No lost edits: a save over someone else's newer save is refused."""


class LockedEditAdmin:
    """Refuses a change form or list edit made from an out-of-date copy."""
