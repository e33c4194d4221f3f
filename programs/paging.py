"""
Numbered pages of a list, the same from one visit to the next and as quick
to reach at page 4,000 as at page 2.

The site's lists and the API's are paged by number (``?page=``), which means
``OFFSET``: the database walks past every row before the page. Two things
keep that honest at 100,000 records:

- ``totally_ordered``: ties broken by primary key, so that each record has
  one place. 47,669 of 100,000 demo experts share a name with another, and
  PostgreSQL may order records that tie differently for each page, so that a
  visitor paging through saw some twice and missed others.
- ``page_by_keys``: past the first pages, the page's keys are read first,
  walking the order alone (through an index holding it and the key, where
  migration 0020 made one), then the page's rows by key, in one query.
  Walking the rows themselves joined every skipped row to the related
  records the rows show: page 4,000 of 100,000 experts took 188 ms, and
  16 this way.
"""

# A page after this many rows reads its keys before its rows. Before it,
# compiling the two-step query cost more than the short walk it saves.
KEYS_FIRST_PAST = 1000


def totally_ordered(queryset):
    """Return ``queryset`` in its order, then by primary key."""
    order = queryset.query.order_by or queryset.model._meta.ordering
    if order and order[-1] in ("pk", "-pk"):
        return queryset
    return queryset.order_by(*order, "pk")


def bounds_of(page):
    """Return ``(start, stop)``, where ``page``, a Django ``Page``, begins and
    ends in its list, for a slice."""
    # start_index() is 0 on the empty first page of an empty list.
    return max(page.start_index() - 1, 0), page.end_index()


def reads_keys_first(page):
    """Say whether ``page``, a Django ``Page``, reads its keys before its rows."""
    return page.start_index() > KEYS_FIRST_PAST


def page_by_keys(queryset, page, rows=None):
    """Return the rows of ``page``, a Django ``Page`` of ``queryset``.

    ``rows`` is what to read of them (``queryset`` itself, or its
    ``values_list``), filtered to the page's keys if the page lies past
    ``KEYS_FIRST_PAST``; otherwise sliced as the page is.
    """
    if rows is None:
        rows = queryset
    start, stop = bounds_of(page)
    if not reads_keys_first(page):
        return rows[start:stop]
    # The keys from ``queryset``, whose only joins are those its filters and
    # order need, not those of the columns ``rows`` shows.
    keys = queryset.values("pk")[start:stop]
    return rows.filter(pk__in=keys)


def last_page_read_in_one(page_size):
    """Return the number of the last page that reads its rows in one query,
    not its keys first (``reads_keys_first``), at ``page_size`` rows a page."""
    return (KEYS_FIRST_PAST - 1) // page_size + 1
