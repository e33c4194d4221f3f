"""Who may change what: roles, and district editors' districts."""


class DistrictScopedAdmin:
    """Limits a district editor to the records of their districts."""
