"""Template filters for the public pages."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The URL keys of programs.related.latest_of_each, as headings.
KIND_PLURALS = {
    "district": _("districts"),
    "organization": _("organizations"),
    "agreement": _("agreements"),
    "project": _("projects"),
    "workstation": _("academician workstations"),
    "expert": _("experts"),
    "entrepreneur": _("overseas entrepreneurs"),
}


@register.filter
def kind_plural(key):
    """Return the plural name of the kind of record with URL key ``key``."""
    return KIND_PLURALS.get(key, key)


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
