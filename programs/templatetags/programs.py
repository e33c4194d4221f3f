"""Template tags and filters for the public pages."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import dateformat, formats
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info, gettext

from ..kinds import BY_KEY, KINDS
from ..models.base import CHINESE, ENGLISH, active_and_other_language, in_language

register = template.Library()


@register.filter
def kind_plural(key):
    """Return the plural name of the kind of record with key ``key``."""
    return BY_KEY[key].plural


@register.simple_tag
def record_kinds():
    """Return every kind of public record (``programs.kinds``), in order."""
    return KINDS


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
def language_versions(context):
    """Return this page in every language: code, BCP 47 tag, name and URL.

    The URL keeps the path and the query string, so switching language keeps
    the filters; ``absolute_url`` is for ``hreflang`` alternates.
    """
    request = context["request"]
    (_suffix, active_tag), _other = active_and_other_language()
    versions = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.get_full_path(), code)
        tag = CHINESE[1] if code.startswith("zh") else ENGLISH[1]
        versions.append(
            {
                "code": code,
                "tag": tag,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "is_current": tag == active_tag,
            }
        )
    return versions


# The partials every list row repeats are tags rather than includes: a list
# page shows a few hundred of them, and a Python tag renders several times
# faster than an included template.


@register.simple_tag
def demo_badge():
    """Render the label of a record invented by generate_demo."""
    return format_html('<span class="demo-badge">{}</span>', gettext("Demo data"))


@register.simple_tag
def record_name(record, link=False):
    """Render ``record``'s name in the active language, labelled if demo data.

    Linked to the record when ``link`` is set.
    """
    name = localized(record, "name")
    if link:
        name = format_html('<a href="{}">{}</a>', record.get_absolute_url(), name)
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
            '<a href="{}">{}</a>', record.get_absolute_url(), localized(record, "name")
        )
    return _missing(gettext("none"))


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
        return _missing(gettext("unknown"))
    return format_html(
        '<time datetime="{}">{}</time>',
        dateformat.format(date, "Y-m-d"),
        formats.date_format(date, "DATE_FORMAT"),
    )


def _missing(meaning):
    # A dash for the eye, and the word for screen readers.
    return format_html(
        '<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>',
        meaning,
    )
