"""
The API: ``/api/v1/<kind>/`` and ``/api/v1/<kind>/<slug>/`` for every public
kind of record and for announced figures, with an OpenAPI schema at
``/api/schema/`` and its docs at ``/api/docs/``.

Reads are the public site's: published records and public fields only, the
lists' own FilterSets, any visitor. Writes are the admin's: a staff member's
token, their role and districts, ``full_clean``, the publishing rules, history
under their name, and ``If-Match`` against lost updates.
"""
