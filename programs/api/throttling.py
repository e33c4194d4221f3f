"""How often the API may be asked: per address for anonymous readers (the
``anon`` rate), per member of staff for token holders (the ``user`` rate).

DRF's ``UserRateThrottle`` limits an anonymous request by its address too, so
an anonymous reader was held to both rates, and paid two round trips to the
cache for them. ``StaffRateThrottle`` leaves anonymous requests to
``AnonRateThrottle``, as that one leaves signed-in staff to this.
"""

from rest_framework.throttling import UserRateThrottle


class StaffRateThrottle(UserRateThrottle):
    """The ``user`` rate, for signed-in members of staff only."""

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None  # limited as anonymous, by AnonRateThrottle
        return super().get_cache_key(request, view)
