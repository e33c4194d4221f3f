"""
Whole-page caching of the public site for anonymous visitors.

Every cached page is tagged with the *content version*, one number in the
database (``ContentVersion``) that every write to a record changes in its own
transaction. A page is served from the cache only while its tag equals the
version the database holds, so the first request after an edit's commit
renders afresh: nobody sees a stale page, and nothing has to know which pages
a record appears on (a project shows on its own page, its agreement's, its
district's, the lists, search, stats, the feeds and the sitemap).

The guarantee: once a write has committed, no request that starts after it is
served a page rendered before it, whatever the cache server did meanwhile.
The version is read before rendering, so a write that commits during a render
leaves that page tagged with the older version, never served again. Because
the new version commits with the rows or not at all, a cache server that is
paused, restarted or emptied during an edit cannot lose it (an earlier design
kept the version in Redis, where a failed bump left old pages served until
they expired). The price is one primary-key query on every hit.

What changes the version:

- ``post_save``, ``post_delete`` and ``m2m_changed`` of every model of this app,
  connected in ``ProgramsConfig.ready()``: the admin's forms, its delete action,
  ``load_seeds`` and ``loaddata`` all send them;
- an explicit ``bump_content_version()`` wherever a write sends no signal:
  ``QuerySet.update()`` and ``bulk_create()`` (``generate_demo``).

A new version is announced by ``content_changed``: the pages' counts
(programs/site/aggregates.py) and the bulk download (data_package.py) are made
anew once it commits.

Each write sets a new version, however many a transaction makes: one small
``UPDATE`` of one row, cheaper than the signal that calls it, and correct even
for a thread that reads pages between its own uncommitted writes. The row is
locked until the transaction ends, so concurrent writers take turns at their
commits; the admin's lock timeout bounds the wait.

Pages may be stored in any cache, Redis (``DJANGO_REDIS_URL``) or each
process's memory, since the version they are checked against is shared by
every process through the database. ``DJANGO_PAGE_CACHE_SECONDS`` defaults to 0
(off) without Redis only because memory caches are per process and so do
little good with several workers.

Only anonymous ``GET``/``HEAD`` requests for the public site (the ``programs``
URLs, the sitemap and robots.txt) are cached, and only plain 200 responses
that set no cookie: never the admin, staff, the health check, streamed
exports or error pages. A page is keyed on scheme, host, language and the full
path with its query string. The ``X-Page-Cache`` header says ``hit`` or
``miss`` on every request the cache considered.

If the cache server is down, pages are rendered as if there were no cache, and
each process tries it again only after ``REST_SECONDS``. If
the database is down, no page can be checked or rendered: the visitor gets the
503 page (programs/unavailable.py).
"""

import hashlib
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

from programs.compiled_queries import CompiledQuery
from programs.models import ContentVersion

logger = logging.getLogger(__name__)

VERSION_ROW = 1
PAGE_KEY_PREFIX = "page:"
HEADER = "X-Page-Cache"
CACHED_NAMESPACES = {"programs"}
CACHED_URL_NAMES = {"sitemap", "robots"}
# How long a process renders without the cache after the cache server failed.
REST_SECONDS = 5
# A response that asks not to be stored is not stored.
UNCACHEABLE_DIRECTIVES = ("private", "no-cache", "no-store")


def _new_number():
    return secrets.randbits(62)


def content_version(using=DEFAULT_DB_ALIAS):
    """Return the content version the database holds, creating it if missing."""
    # In plain SQL: it runs on every hit, where the ORM's building of the
    # query would cost more than the query itself.
    connection = connections[using]
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {table} WHERE id = %s", [VERSION_ROW])
        row = cursor.fetchone()
    return bump_content_version(using) if row is None else row[0]


def version_column():
    """Return the content version as a column to add to a query.

    Read in the same statement as the query's rows, so in the same snapshot,
    and without a round trip of its own. NULL if the version's row is missing
    (then ``content_version`` makes it).
    """
    return Subquery(ContentVersion.objects.filter(pk=VERSION_ROW).values("number"))


# The content version's row, for what also says when it changed (the API's
# Last-Modified): compiled once per process, as building the query cost more
# than running it (compiled_queries.py).
_VERSION_AND_TIME = CompiledQuery(
    lambda key: ContentVersion.objects.filter(pk=key).only("number", "changed_at"),
    key_type=int,
)


def content_version_row(using=DEFAULT_DB_ALIAS):
    """Return the content version's row (its ``number`` and ``changed_at``),
    creating it if missing."""
    found = _VERSION_AND_TIME(VERSION_ROW, using)
    if not found:
        bump_content_version(using)
        found = _VERSION_AND_TIME(VERSION_ROW, using)
    return found[0]


# Sent on every change of the content version (``using``: the database), for
# what else must follow the content: the pages' counts (aggregates.py) and the
# bulk download (data_package.py).
content_changed = Signal()


def bump_content_version(using=None):
    """Make every cached page stale: call after a write that sends no signal.

    The new version is written in the caller's transaction, if any, so it
    commits (or rolls back) with the write. Returns the new version.
    """
    number = _new_number()
    versions = ContentVersion.objects.using(using)
    if not versions.filter(pk=VERSION_ROW).update(
        number=number, changed_at=timezone.now()
    ):
        # The first write on an empty database (or after a flush). Another
        # process may create the row meanwhile: then it is updated after all.
        try:
            with transaction.atomic(using=using):
                versions.create(pk=VERSION_ROW, number=number)
        except IntegrityError:
            versions.filter(pk=VERSION_ROW).update(number=number)
    # Sent once the new version is written, so that work run at once (outside
    # a transaction) already sees it.
    content_changed.send(sender=ContentVersion, using=using)
    return number


def _bump_on_write(sender, using=None, **kwargs):
    if kwargs.get("action", "post_").startswith("post_"):  # not m2m's pre_*
        bump_content_version(using)


def connect_signals(app_config):
    """Bump the content version on every write to a model of ``app_config``."""
    for model in app_config.get_models():
        # Nor a model that holds no content, such as a background job.
        if model is ContentVersion or not getattr(model, "CHANGES_CONTENT", True):
            continue
        uid = f"page-cache:{model._meta.label_lower}"
        post_save.connect(_bump_on_write, sender=model, dispatch_uid=uid)
        post_delete.connect(_bump_on_write, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _bump_on_write,
                sender=through,
                dispatch_uid=f"page-cache:{through._meta.label_lower}",
            )


def page_key(request):
    """Return the cache key of the page ``request`` asks for."""
    parts = [
        request.scheme,
        request.get_host(),
        translation.get_language(),
        request.get_full_path(),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return PAGE_KEY_PREFIX + digest


def is_cacheable_request(request):
    """Return True if ``request`` is an anonymous read of a public page."""
    if request.method not in ("GET", "HEAD"):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    public = match.namespace in CACHED_NAMESPACES or (
        not match.namespace and match.url_name in CACHED_URL_NAMES
    )
    if not public:
        return False
    # Last, since it reads the session: a query, but only with a session cookie.
    return not request.user.is_authenticated


def is_cacheable_response(request, response):
    """Return True if ``response`` is the same for every anonymous visitor."""
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # Cookies the middleware outside this one would set on the way out.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not any(word in cache_control for word in UNCACHEABLE_DIRECTIVES)
        and not request.user.is_authenticated
    )


class PageCacheMiddleware:
    """Serve anonymous visitors' public pages from the cache while still current.

    It goes last in ``MIDDLEWARE``: after sessions and authentication, which it
    asks whether the visitor is signed in, and after ``LocaleMiddleware``, which
    sets the language it keys on. It stores the view's own response; the
    middleware above it adds the security, language and ``Vary`` headers to
    hits and misses alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # After the cache server fails, this process leaves it alone for a
        # while: a server that hangs then costs one request in a while its
        # socket timeout (1 s), not every request.
        self.resting_until = 0.0

    def _cache_failed(self):
        logger.warning("The page cache is unavailable.", exc_info=True)
        self.resting_until = time.monotonic() + REST_SECONDS

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if time.monotonic() < self.resting_until:
            # What else the page keeps in the cache is left alone too.
            request.cache_resting = True
            return self.get_response(request)
        if not seconds or not is_cacheable_request(request):
            return self.get_response(request)
        # First, and outside the try: with the database down nothing can be
        # checked or rendered, and the error becomes the 503 page.
        version = content_version()
        # For what the page keeps under the version too (facets.py).
        request.content_version = version
        key = page_key(request)
        try:
            entry = cache.get(key)
        except Exception:
            self._cache_failed()
            request.cache_resting = True
            return self.get_response(request)
        if entry is not None and entry[0] == version:
            content, headers = entry[1:]
            response = HttpResponse(content, headers=headers)
            response[HEADER] = "hit"
            return response
        response = self.get_response(request)
        if request.method == "GET" and is_cacheable_response(request, response):
            # Tagged with the version read before rendering: if a write came
            # meanwhile, this entry is already stale and will not be served.
            entry = (version, response.content, list(response.items()))
            try:
                cache.set(key, entry, seconds)
            except Exception:
                self._cache_failed()
        response[HEADER] = "miss"
        return response
