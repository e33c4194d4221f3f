"""
Counts of public records by district, research field, year and status: what
the home, zone and statistics pages show, counted once per version of the
content rather than on every request.

Counting groups every public record, so it grows with the data: about 400 ms
at 100,000 records on PostgreSQL, in four queries (``count_all``). A page
instead reads a ``Summary`` of the counts, made for the content version
(programs/site/cache.py) that every write changes:

- **When content changes.** ``content_changed`` has ``refresh_on_commit``
  count once the writing transaction commits: once per transaction however
  many rows it writes, in the writer's process. Staff pay for the counting
  when they save; visitors do not. A write outside a transaction leaves the
  counting to the next page. ``refresh`` needs nothing from a request, so it
  can later be enqueued as a background task instead.
- **Kept in the database** (``ContentSummary``, one small row per version),
  which every app server shares and no cache outage can empty. Each process
  also keeps the last summary it read, so a page costs no query for it once
  per version and process, and one primary-key query otherwise.
- **Counted by the page when missing.** A page asks for the summary of the
  version it read (``summary_for``). If there is none (a request between a
  commit and the end of its refresh, a refresh that failed, a table emptied
  or restored) the page counts then and stores what it counted: slower,
  never stale.

The guarantee is the page cache's: once a write has committed, no request
that starts after it is shown counts made before it. The version is read
before counting, so counts made while another write commits are tagged with
the version before it and never read again. Races between writers cost at
worst one more counting, never a wrong number.

What else a page reads whole and only an edit changes (the zone page's
figures, the home and statistics pages' content, rendered) is kept in the
cache under the version (``kept``), as the lists keep their parts, and made
by the same refresh in every language. A page makes what it does not find
(another process's memory cache, an emptied one) and keeps it; while the
cache server is failing, every request makes it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Count, F, OuterRef, Value
from django.db.models.functions import ExtractYear
from django.urls import get_resolver
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..kinds import PROGRAMME_KINDS
from ..models import ContentSummary, District, count_of
from . import local_copies
from .cache import content_changed, content_version
from .facets import CacheRest

# Parts kept under a content version (kept) stay a day at most: an edit makes
# their keys unreachable, and this bounds what the cache holds of them.
KEPT_SECONDS = 24 * 60 * 60
# Changed with the shape of what is kept, so that a new release never reads
# parts of another shape.
KEPT_PREFIX = "kept-1"

# By key, in the order the charts and the home page list them.
KINDS = {kind.key: kind for kind in PROGRAMME_KINDS}

# The kinds that have a research field, and the lookup that reaches it: the
# one behind their list's ?field= filter, which each count links to.
FIELD_LOOKUPS = {
    kind.key: kind.research_field_lookup
    for kind in PROGRAMME_KINDS
    if kind.research_field_lookup
}


# Counting -------------------------------------------------------------------


def district_counts():
    """Return ``({(kind key, district pk): records}, {district pk: demo records})``.

    Of public records in public districts, in one query: a correlated count
    per district and kind, which an index on (publication status, district)
    answers without reading the records. The counts include demo records; the
    second dict says how many of each district's are, so that a page can say so.
    """
    names = [f"{key}_count" for key in KINDS]
    rows = (
        District.objects.public()
        .order_by()
        .annotate(
            **{
                f"{key}_count": count_of(
                    kind.model.objects.public().filter(district=OuterRef("pk"))
                )
                for key, kind in KINDS.items()
            },
            demo_count=sum(
                count_of(
                    kind.model.objects.public().filter(
                        district=OuterRef("pk"), is_demo=True
                    )
                )
                for kind in KINDS.values()
            ),
        )
        .values_list("pk", "demo_count", *names)
    )
    records, demo = {}, {}
    for pk, demo_count, *counts in rows:
        demo[pk] = demo_count
        records.update({(key, pk): n for key, n in zip(KINDS, counts, strict=True)})
    return records, demo


def counts_by(expression_for):
    """Return {(kind key, value): count} of public records, in one query.

    ``expression_for(key, model)`` gives the value to group each kind's records
    by, or None to leave that kind out. Records whose value is NULL are not
    counted.
    """
    parts = []
    for key, kind in KINDS.items():
        expression = expression_for(key, kind.model)
        if expression is None:
            continue
        parts.append(
            kind.model.objects.public()
            .order_by()
            .annotate(value=expression)
            .filter(value__isnull=False)
            .values("value")
            .annotate(kind=Value(key, output_field=CharField()), n=Count("pk"))
            .values_list("kind", "value", "n")
        )
    rows = parts[0].union(*parts[1:], all=True)
    return {(key, value): n for key, value, n in rows}


def counts_by_field():
    """Return {(kind key, research field pk): count} of public records.

    An expert counts in each of their fields. Grouped rather than counted per
    field: at 100,000 records, 120 ms against 570.
    """
    return counts_by(
        lambda key, model: F(FIELD_LOOKUPS[key]) if key in FIELD_LOOKUPS else None
    )


def counts_by_year():
    """Return {(kind key, year): count}, by the year of each kind's ``date_field``."""
    return counts_by(
        lambda key, model: ExtractYear(model.date_field) if model.date_field else None
    )


def counts_by_status():
    """Return {(kind key, status): count} of public records."""
    return counts_by(lambda key, model: F("status"))


# The summary ----------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Counts of public records, each a dict from a key to a number of records.

    Keys are ``(kind key, value)`` but in ``demo_by_district``, keyed by the
    district alone. A count of 0 may have no key: read with ``.get(key, 0)``.
    """

    by_district: dict
    demo_by_district: dict
    by_field: dict
    by_year: dict
    by_status: dict

    def to_json(self):
        """Return the counts as JSON-ready lists of ``[*key, count]``."""
        return {
            name: [
                [*key, n] if isinstance(key, tuple) else [key, n]
                for key, n in counts.items()
            ]
            for name, counts in vars(self).items()
        }

    @classmethod
    def from_json(cls, data):
        """Return the summary that ``to_json()`` gave ``data``."""
        return cls(
            **{
                name: {
                    (tuple(row[:-1]) if len(row) > 2 else row[0]): row[-1]
                    for row in rows
                }
                for name, rows in data.items()
            }
        )


def count_all():
    """Return the summary of the records the database holds now, in four queries."""
    by_district, demo_by_district = district_counts()
    return Summary(
        by_district=by_district,
        demo_by_district=demo_by_district,
        by_field=counts_by_field(),
        by_year=counts_by_year(),
        by_status=counts_by_status(),
    )


# The last summary this process read or made: (version, summary).
_last = (None, None)


def _remember(version, summary):
    global _last
    _last = (version, summary)
    return summary


def _store(version, summary):
    # A plain INSERT, which sends no signal; whoever stored it first won.
    ContentSummary.objects.bulk_create(
        [ContentSummary(version=version, counts=summary.to_json())],
        ignore_conflicts=True,
    )


def summary_of(version):
    """Return the summary of content version ``version``, counting it if missing.

    No query if this process read it last, one if it is stored, and
    ``count_all``'s four and one to store it if it is not.
    """
    last_version, last_summary = _last
    if version == last_version:
        return last_summary
    stored = (
        ContentSummary.objects.filter(version=version)
        .values_list("counts", flat=True)
        .first()
    )
    if stored is not None:
        return _remember(version, Summary.from_json(stored))
    summary = count_all()
    _store(version, summary)
    return _remember(version, summary)


def current_summary():
    """Return the summary of the content the database holds now.

    One query for the version; none for the summary when this process has
    just counted it (refresh() keeping the pages' parts after an edit).
    """
    return summary_of(content_version())


def summary_for(request):
    """Return the summary of the content ``request`` is answered with.

    Of the version the page cache read for it, if it did (an anonymous
    visitor's request while the cache is on), else of the version read now.
    """
    version = getattr(request, "content_version", None)
    if version is None:
        version = request.content_version = content_version()
    return summary_of(version)


def refresh():
    """Count and store the summary of the content the database now holds, and
    make the parts the pages keep (``kept``) for it.

    The summary unless it is stored already. Rows of other versions are
    deleted: no request started from now on asks for them. Returns the summary.
    """
    version = content_version()
    if ContentSummary.objects.filter(version=version).exists():
        summary = summary_of(version)
    else:
        summary = count_all()
        _store(version, summary)
        # Read again: the row of a version committed meanwhile stays too.
        current = content_version()
        ContentSummary.objects.exclude(version__in={version, current}).delete()
        _remember(version, summary)
    keep_parts(version)
    return summary


def refresh_on_commit(using=None):
    """Refresh the summary once the current transaction commits.

    Once per transaction however often it is called: the callback is looked
    for among those the transaction holds already. Staff's writes (the admin,
    the API, imports) each run in a transaction. A write outside one
    refreshes nothing: a script saving row by row in autocommit would
    otherwise count everything again after every row, and the next page
    counts for itself instead (``summary_of``). A refresh that fails is
    logged and leaves the write committed; the next page then counts too.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return
    if any(callback is refresh for _, callback, _ in connection.run_on_commit):
        return
    # The site has one database, whose summary refresh() counts, whichever
    # connection wrote.
    connection.on_commit(refresh, robust=True)


def _refresh_after(sender, using=None, **kwargs):
    refresh_on_commit(using)


def connect_signals():
    """Count anew after every change of the content version."""
    content_changed.connect(_refresh_after, dispatch_uid="aggregates-refresh")


# Kept in the cache ----------------------------------------------------------

# What pages keep under the content version, by name: each made by a function
# of no argument, in the active language. Registered by the page that reads
# it (``@keeps(name)``); refresh() makes them all again after an edit.
PARTS = {}


def keeps(name):
    """Register the decorated function as the maker of part ``name``."""

    def register(make):
        PARTS[name] = make
        return make

    return register


# What pages keep under keys of their own (the lists' parts, list_parts.py):
# functions of the version that make and keep them in the active language,
# registered with ``@keeps_more`` and run by refresh() in every language.
KEEPERS = []


def keeps_more(keep):
    """Register ``keep(version)`` to be run in every language after an edit."""
    KEEPERS.append(keep)
    return keep


def _part_key(version, name):
    return f"{KEPT_PREFIX}:{version}:{get_language()}:{name}"


def kept(request, *names):
    """Return ``{name: part}`` for the registered parts ``names``.

    Kept in the cache under the content version ``request`` is answered with
    and the language, and read in one ``get_many``; what is missing is made
    and kept. While the cache server is failing, everything is made anew, as
    facets.py does.
    """
    if getattr(request, "cache_resting", False) or CacheRest.is_on():
        return {name: PARTS[name]() for name in names}
    version = getattr(request, "content_version", None)
    if version is None:
        version = request.content_version = content_version()
    keys = {name: _part_key(version, name) for name in names}
    try:
        found = local_copies.get_many(keys.values())
    except Exception:
        CacheRest.begin()
        found = {}
    parts = {name: found.get(key) for name, key in keys.items()}
    missing = {name: PARTS[name]() for name, part in parts.items() if part is None}
    parts.update(missing)
    if missing and not CacheRest.is_on():
        try:
            local_copies.set_many(
                {keys[name]: part for name, part in missing.items()}, KEPT_SECONDS
            )
        except Exception:
            CacheRest.begin()
    return parts


def kept_html(request, name):
    """Return registered part ``name``, HTML its maker rendered, as safe.

    Only for parts made by rendering a template: never what a visitor sent.
    """
    return mark_safe(kept(request, name)[name])


def keep_parts(version):
    """Make and keep every registered part of ``version``, in every language."""
    if CacheRest.is_on():
        return
    # The pages register their parts when the URLconf imports them, which a
    # command or a worker that writes has had no reason to do yet.
    get_resolver().url_patterns  # noqa: B018
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            parts = {_part_key(version, name): make() for name, make in PARTS.items()}
            try:
                local_copies.set_many(parts, KEPT_SECONDS)
            except Exception:
                CacheRest.begin()
                return
            for keep in KEEPERS:
                keep(version)
