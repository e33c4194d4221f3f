"""Marking the searched-for text in search results."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from ..models.base import active_and_other_language, in_language

register = template.Library()


@register.filter
def highlight(text, query):
    """Escape ``text`` and wrap each case-insensitive ``query`` in ``<mark>``.

    The query is matched as a whole, as the lists match it. The text is split
    before it is escaped, so a query never matches inside an entity such as
    ``&amp;`` and markup in either string stays text.
    """
    text, query = str(text or ""), str(query or "").strip()
    if not query:
        return escape(text)
    pieces = []
    end = 0
    for match in re.finditer(re.escape(query), text, flags=re.IGNORECASE):
        pieces.append(escape(text[end : match.start()]))
        pieces.append(format_html("<mark>{}</mark>", match.group()))
        end = match.end()
    pieces.append(escape(text[end:]))
    return mark_safe("".join(pieces))


@register.simple_tag
def highlighted(record, stem, query):
    """Render ``stem`` in the active language with ``query`` marked.

    Like ``{% localized %}``: text that falls back to the other language is
    wrapped in a ``lang`` attribute.
    """
    text, tag = in_language(record, stem)
    (_suffix, active_tag), _other = active_and_other_language()
    if tag == active_tag:
        return highlight(text, query)
    return format_html('<span lang="{}">{}</span>', tag, highlight(text, query))


@register.simple_tag
def highlighted_other(record, stem, query):
    """Render ``stem`` in the language not shown, marked, when both are filled in.

    So an English page shows why 青浦 found "Qingpu District".
    """
    _active, (suffix, tag) = active_and_other_language()
    other = getattr(record, f"{stem}_{suffix}", "")
    if not other or in_language(record, stem)[1] == tag:
        return ""
    return format_html(
        '<span class="other-language" lang="{}">{}</span>', tag, highlight(other, query)
    )
