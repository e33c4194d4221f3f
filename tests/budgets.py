"""What every public page costs before its own queries.

Query budgets are constant however many records a page shows
(docs/performance.md, "Queries per page constant"); this is the part of each
that is the page cache's rather than the page's.
"""

# An anonymous request for a public page first reads the content version its
# cached copy is checked against (programs/site/cache.py), hit or miss.
CACHE_CHECK = 1
