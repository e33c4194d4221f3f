"""Template tags and filters for the public pages.

The tags a list repeats on every row (``record_name``, ``record_link``,
``show_date``) run a few hundred times a page, so each remembers what only the
language decides: the start and end of a kind's detail URL (one ``reverse()``
per URL name, not per row) and how a date is written.
"""

import datetime
import functools
import re
import weakref
from typing import NamedTuple

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import querystring
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse, translate_url
from django.utils import dateformat, formats
from django.utils.encoding import iri_to_uri
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, gettext

from ..kinds import BY_KEY, KINDS
from ..models.base import (
    CHINESE,
    ENGLISH,
    Record,
    active_and_other_language,
    in_language,
)

register = template.Library()


@register.filter
def kind_plural(key):
    """Return the plural name of the kind of record with key ``key``."""
    return BY_KEY[key].plural


@register.simple_tag(takes_context=True)
def main_nav(context):
    """Render the site's main navigation, marking the link to this page.

    The same on every page of a language but for that mark, so it is rendered
    once per process, language and marked link: its twelve reversed and
    translated links took 0.3 ms of every page.
    """
    links = _nav_links(get_language(), get_script_prefix(), get_urlconf())
    path = context["request"].path
    current = path if any(url == path for url, _label in links) else None
    return _rendered_nav(links, current)


@register.simple_tag(takes_context=True)
def sort_header(context, field, label):
    """Render a list's column header that sorts by ``field``, keeping the filters.

    Ascending first, then descending; the header says which is in force. A
    tag rather than an included template: a list shows two or three, and the
    include cost four times as much.
    """
    current = context["request"].GET.get("sort")
    descending = f"-{field}"
    if current == field:
        state, order, arrow = "ascending", descending, "▲"
    elif current == descending:
        state, order, arrow = "descending", field, "▼"
    else:
        state, order, arrow = None, field, None
    return format_html(
        '<th scope="col"{}>\n  <a href="{}">{}{}</a>\n</th>\n',
        format_html(' aria-sort="{}"', state) if state else "",
        querystring(context, sort=order, page=None),
        label,
        format_html(' <span aria-hidden="true">{}</span>', arrow) if arrow else "",
    )


@register.tag
def once_per_language(parser, token):
    """Render what it holds once per process and language.

    ``{% once_per_language %}…{% end_once_per_language %}``, for the parts of
    the layout that read nothing but the language: translations, reversed
    URLs and static files. They are the same on every page, and rendering
    them took a tenth of a list page. What reads the request or the page's
    context must stay outside.
    """
    nodelist = parser.parse(("end_once_per_language",))
    parser.delete_first_token()
    return OncePerLanguageNode(nodelist)


class OncePerLanguageNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        # Kept on the node, which lives as long as its template: a template
        # parsed anew (a test's, or one reloaded in development) starts empty.
        self.rendered = {}
        _ONCE_NODES.add(self)

    def render(self, context):
        # Keyed on all that reverse() reads, as _detail_url_around is.
        key = (get_language(), get_script_prefix(), get_urlconf())
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = self.nodelist.render(context)
        return html


# Emptied when settings change, as the memories below.
_ONCE_NODES = weakref.WeakSet()


@functools.lru_cache(maxsize=16)
def _nav_links(language, script_prefix, urlconf):
    """Return the main navigation's ``(url, label)`` pairs in ``language``.

    Keyed on all that ``reverse()`` reads, as ``_detail_url_around`` is.
    """
    pages = [
        ("programs:zone", gettext("Zone")),
        *((kind.list_url_name, kind.label) for kind in KINDS),
        ("programs:timeline", gettext("Timeline")),
        ("programs:stats", gettext("Statistics")),
    ]
    return tuple((reverse(url_name), str(label)) for url_name, label in pages)


@functools.lru_cache(maxsize=64)
def _rendered_nav(links, current):
    return render_to_string("includes/nav.html", {"links": links, "current": current})


# The link schemes a page may render whatever the database holds: a
# javascript: or data: address loaded by a fixture must never become a link.
SAFE_LINK_SCHEMES = ("http", "https", "mailto")


@register.filter
def safe_link(address):
    """Return ``address`` if it is an http(s) or mailto link, else ""."""
    address = (address or "").strip()
    scheme, colon, _rest = address.partition(":")
    if colon and scheme.lower() in SAFE_LINK_SCHEMES:
        return address
    return ""


@register.filter
def lines(text):
    """Return the non-blank lines of ``text``."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.simple_tag(takes_context=True)
def query_without(context, *names):
    """Return the current query string without ``names`` (and the page number)."""
    query = context["request"].GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return f"?{query.urlencode()}" if query else "?"


@register.simple_tag
def localized(record, stem):
    """Render ``record``'s ``stem`` field in the active language.

    Text that falls back to the other language is wrapped in a ``lang``
    attribute, so that screen readers and fonts treat it as that language.
    """
    text, tag = in_language(record, stem)
    (_suffix, active_tag), _other = active_and_other_language()
    if tag == active_tag:
        return text
    return format_html('<span lang="{}">{}</span>', tag, text)


@register.simple_tag
def localized_text(record, stem):
    """Render a long text field in the active language as paragraphs."""
    text, tag = in_language(record, stem)
    return format_html(
        '<div lang="{}">{}</div>', tag, mark_safe(linebreaks(text, autoescape=True))
    )


@register.simple_tag
def language_of(record, stem):
    """Return the BCP 47 tag of the language ``stem`` is shown in."""
    return in_language(record, stem)[1]


@register.simple_tag
def other_language(record, stem):
    """Render ``stem`` in the language not shown, when both are filled in."""
    _active, (suffix, tag) = active_and_other_language()
    other = getattr(record, f"{stem}_{suffix}", "")
    if not other or in_language(record, stem)[1] == tag:
        return ""
    return format_html('<span class="other-language" lang="{}">{}</span>', tag, other)


@register.simple_tag(takes_context=True)
def language_links(context):
    """Return this page's links to itself in every language, rendered.

    ``alternates`` are the ``hreflang`` links of its head, ``switcher`` the
    language switcher of its header. Both keep the path and the query
    string, so switching language keeps the filters.
    """
    request = context["request"]
    origin = f"{request.scheme}://{request.get_host()}"
    return _language_links(
        request.get_full_path(),
        origin,
        get_language(),
        get_script_prefix(),
        get_urlconf(),
    )


class LanguageLinks(NamedTuple):
    alternates: str
    switcher: str


@functools.lru_cache(maxsize=4096)
def _language_links(full_path, origin, language, script_prefix, urlconf):
    """Render a page's language links, once per address, origin and language.

    Keyed on all that they read, the active language, script prefix and
    URLconf among them (as ``_path_in``): building and rendering them anew
    took about 5% of a list or record page.
    """
    (_suffix, active_tag), _other = active_and_other_language()
    path, mark, query = full_path.partition("?")
    versions = []
    for code, _name in settings.LANGUAGES:
        url = f"{_path_in(path, code, language, script_prefix, urlconf)}{mark}{query}"
        tag = CHINESE[1] if code.startswith("zh") else ENGLISH[1]
        versions.append(
            {
                "tag": tag,
                "name": get_language_info(code)["name_local"],
                "url": url,
                # As request.build_absolute_uri() writes it.
                "absolute_url": iri_to_uri(f"{origin}{url}"),
                "is_current": tag == active_tag,
            }
        )
    context = {"versions": versions}
    return LanguageLinks(
        alternates=render_to_string("includes/language_alternates.html", context),
        switcher=render_to_string("includes/language_switcher.html", context),
    )


@functools.lru_cache(maxsize=4096)
def _path_in(path, code, language, script_prefix, urlconf):
    """Return ``path`` in language ``code``, as ``translate_url`` does.

    Which keeps a query string as it is, so only the path is remembered,
    keyed on all else that resolving and reversing it read (the active
    language among them: it decides the prefix resolved): translating every
    page's address into each language took a fifth of the layout's time.
    """
    return translate_url(path, code)


# The partials every list row repeats are tags rather than includes: a list
# page shows a few hundred of them, and a Python tag renders several times
# faster than an included template.


@register.simple_tag
def demo_badge():
    """Render the label of a record invented by generate_demo."""
    return format_html('<span class="demo-badge">{}</span>', gettext("Demo data"))


# What the detail URLs' <slug:slug> accepts: such a slug goes into the URL as
# it is, unquoted, so it can be put between a kind's URL's start and end.
URL_SAFE_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SLUG_MARK = "slug-mark"


@functools.lru_cache(maxsize=64)
def _detail_url_around(url_name, language, script_prefix, urlconf):
    """Return the parts of ``url_name``'s URL before and after the slug.

    Keyed on all that ``reverse()`` reads besides the slug: the language
    (i18n_patterns' prefix), the script prefix and the URLconf.
    """
    before, _mark, after = reverse(url_name, args=[SLUG_MARK]).rpartition(SLUG_MARK)
    return before, after


def _detail_url_name(record):
    """Return the URL name ``record.get_absolute_url()`` reverses, if known."""
    if type(record).get_absolute_url is Record.get_absolute_url:
        return f"programs:{record._meta.model_name}-detail"
    # A RecordLink (site/related.py): just enough of a record to link it.
    return getattr(record, "url_name", None)


def detail_url_around(url_name):
    """Return the parts of ``url_name``'s URL before and after the slug, now."""
    return _detail_url_around(
        url_name, get_language(), get_script_prefix(), get_urlconf()
    )


def record_url(record):
    """Return ``record.get_absolute_url()``, reversing once per kind and language."""
    url_name = _detail_url_name(record)
    if url_name is None or not URL_SAFE_SLUG.fullmatch(record.slug):
        return record.get_absolute_url()
    before, after = detail_url_around(url_name)
    return f"{before}{record.slug}{after}"


@register.simple_tag
def record_name(record, link=False):
    """Render ``record``'s name in the active language, labelled if demo data.

    Linked to the record when ``link`` is set.
    """
    name = localized(record, "name")
    if link:
        name = format_html('<a href="{}">{}</a>', record_url(record), name)
    if getattr(record, "is_demo", False):
        return format_html("{} {}", name, demo_badge())
    return name


@register.simple_tag
def record_link(record):
    """Render a link to ``record`` if visitors may see it, else a dash.

    So an unpublished record's name never shows.
    """
    if record and record.is_public:
        return format_html(
            '<a href="{}">{}</a>', record_url(record), localized(record, "name")
        )
    return missing(gettext("none"))


@register.simple_tag
def figure_amount(figure):
    """Render a figure's value with its qualifier: "more than 40", "4"."""
    value = formats.number_format(figure.value, force_grouping=True)
    if figure.qualifier == figure.Qualifier.EXACTLY:
        return value
    return gettext("%(qualifier)s %(value)s") % {
        "qualifier": figure.get_qualifier_display(),
        "value": value,
    }


@register.simple_tag
def show_date(date):
    """Render ``date`` as the active language writes it, machine-readable too."""
    if not date:
        return missing(gettext("unknown"))
    return date_in_language(date, get_language())


def date_in_language(date, language):
    """Return ``show_date(date)`` for a date, in ``language``, the active one."""
    if type(date) is not datetime.date:
        # A datetime's moment is written in its own time zone: not memoised.
        return _date_in.__wrapped__(date, language)
    return _date_in(date, language)


# A list shows a few dates many times; the language is the one other input
# but settings, on whose change the memory is emptied (below).
@functools.lru_cache(maxsize=4096)
def _date_in(date, language):
    return format_html(
        '<time datetime="{}">{}</time>',
        dateformat.format(date, "Y-m-d"),
        formats.date_format(date, "DATE_FORMAT"),
    )


def missing(meaning):
    # A dash for the eye, and the word for screen readers.
    return format_html(
        '<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>',
        meaning,
    )


@receiver(setting_changed)
def _forget_urls_and_dates(**kwargs):
    # As Django empties its own URL resolvers and formats on a settings change
    # (tests override the URLconf, languages and formats).
    _detail_url_around.cache_clear()
    _path_in.cache_clear()
    _language_links.cache_clear()
    for node in _ONCE_NODES:
        node.rendered.clear()
    _nav_links.cache_clear()
    _rendered_nav.cache_clear()
    _date_in.cache_clear()
