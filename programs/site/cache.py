"""
Whole-page caching of the public site for anonymous visitors.

Every cached page is tagged with the *content version*, one number in the cache
that every write to a record bumps. A page is served from the cache only while
its tag equals the current version, so the first request after an edit renders
afresh: nobody sees a stale page, and nothing has to know which pages a record
appears on (a project shows on its own page, its agreement's, its district's,
the lists, search, stats, the feeds and the sitemap).

What bumps the version:

- ``post_save``, ``post_delete`` and ``m2m_changed`` of every model of this app,
  connected in ``ProgramsConfig.ready()``: the admin's forms, its delete action,
  ``load_seeds`` and ``loaddata`` all send them;
- an explicit ``bump_content_version()`` wherever a write sends no signal:
  ``QuerySet.update()`` and ``bulk_create()`` (``generate_demo``).

Inside a transaction the version is bumped when it commits, once however many
rows it writes (``load_seeds`` saves hundreds; deleting many records sends a
signal per row): bumped any earlier, a request reading the old rows before the
commit would cache them under the new version. The thread that writes sees its
own rows before the commit, so it also bumps at once if it has stored a page
since its last bump: in practice only tests read pages inside a transaction.
An extra bump costs a re-render; a missing one costs a stale page, so the code
bumps when in doubt.

The version must be shared by every process that serves pages or writes
records. Redis (``DJANGO_REDIS_URL``) is; Django's local-memory cache is not:
each process keeps its own counter, so a write in one gunicorn worker, or in a
``load_seeds`` run from a shell, would leave the pages cached by the other
workers stale until they expire. That is why ``DJANGO_PAGE_CACHE_SECONDS``
defaults to 0 (off) without Redis: caching in local memory is only turned on
when someone asks for it and accepts that delay.

Only anonymous ``GET``/``HEAD`` requests for the public site (the ``programs``
URLs, the sitemap and robots.txt) are cached, and only plain 200 responses
that set no cookie: never the admin, staff, the health check, streamed
exports or error pages. A page is keyed on scheme, host, language and the full
path with its query string; hits make no database query. The ``X-Page-Cache``
header says ``hit`` or ``miss`` on every request the cache considered.

If the cache server is down, pages are rendered as if there were no cache,
and a failed bump is logged: the pages it should have invalidated expire after
``DJANGO_PAGE_CACHE_SECONDS`` at the latest.
"""

import hashlib
import logging
import secrets
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"
PAGE_KEY_PREFIX = "page:"
HEADER = "X-Page-Cache"
CACHED_NAMESPACES = {"programs"}
CACHED_URL_NAMES = {"sitemap", "robots"}
# A response that asks not to be stored is not stored.
UNCACHEABLE_DIRECTIVES = ("private", "no-cache", "no-store")

# Whether this thread, whose database connection sees its own uncommitted
# writes, has stored a page since it last bumped the version.
_this_thread = threading.local()


def _fresh_version():
    # Random rather than 1: if the key is evicted, a counter that started again
    # at 1 could meet pages stored under an earlier 1.
    return secrets.randbits(48)


def content_version():
    """Return the current content version, creating it when it is missing."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _increment_version():
    """Add one to the content version (atomic in Redis); log if the cache fails."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # missing: a fresh random version is a bump too
            if not cache.add(VERSION_KEY, _fresh_version(), timeout=None):
                cache.incr(VERSION_KEY)  # another process created it meanwhile
    except Exception:
        logger.exception("Could not bump the page cache's content version.")


def bump_content_version(using=None):
    """Make every cached page stale: call after a write that sends no signal.

    Inside a transaction the bump waits for the commit (see the module's
    docstring), and is made once however often this is called.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        _increment_version()
        return
    # run_on_commit holds (savepoint ids, callback, robust); a savepoint rolled
    # back takes its callbacks with it, so a write after it registers anew.
    if not any(entry[1] is _increment_version for entry in connection.run_on_commit):
        transaction.on_commit(_increment_version, using=using)
    if getattr(_this_thread, "stored_page", False):
        _this_thread.stored_page = False
        _increment_version()


def _bump_on_write(sender, using=None, **kwargs):
    if kwargs.get("action", "post_").startswith("post_"):  # not m2m's pre_*
        bump_content_version(using)


def connect_signals(app_config):
    """Bump the content version on every write to a model of ``app_config``."""
    for model in app_config.get_models():
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

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not is_cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        try:
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY)
            if version is None:
                version = content_version()
        except Exception:
            logger.warning("The page cache is unavailable.", exc_info=True)
            return self.get_response(request)
        entry = found.get(key)
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
                _this_thread.stored_page = True
            except Exception:
                logger.warning("The page cache is unavailable.", exc_info=True)
        response[HEADER] = "miss"
        return response
