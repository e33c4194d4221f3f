"""
Search every kind of public record at once, the way each list searches its own.

Every word of the query must be found, in any order, in some searched field
of a record: its names, its summary, the kind's other fields (a FilterSet's
``search_fields``; its ``matching`` does the work here and on the list). So a
kind's matches are exactly its list's matches for the same ``q``, and a "See
all N" link to the list shows the same N records. Announced figures, which
have no page or list, are found by their labels (the API's FigureFilterSet)
and shown as a group of their own, each linked to its source.

Within a kind the whole query as a name comes first, then names that start
with it, then names holding every word, then the rest; ties keep the list's
order. Each hit says which fields its words were found in, with an excerpt
around the first match outside the names.

The first rows and the count of every kind, and of the figures, come back in
one query (a UNION ALL of one part per kind), however many records match.

Trigram indexes (migrations 0003 and 0014) serve each word of three or more
characters on PostgreSQL. Measured there at 100,000 records (generate_demo
--size 200000; in-process, median of 20, on a busy 2-core machine): search()
took about 370 ms for "Qingpu" (10,000 matches, each counted and ranked), 175
ms for "workstation", 125 ms for "solar qingpu", 70 ms for 青浦光伏. A word
of one character has no trigram to look up, so PostgreSQL scans the tables
for it. A word of two Chinese characters, as most Chinese words are, is
looked up in the pair index of migration 0016 instead (cjk.py). Measured
the same way, with the other tests of a CI run on the machine: 青浦 (4,972
experts among them) 507 ms before that index, 91 ms with it; 国超 (28
experts) 459 ms before, 46 ms with it; and the expert list for 国超 648 ms
before, 35 ms with it. What a hit
shows is built for the rows kept only, which took a third off a common word
("Shen", 22,000 entrepreneurs).
"""

import re
from dataclasses import dataclass, field
from operator import itemgetter

from django import forms
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    JSONField,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, JSONObject, RowNumber
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from django.views.generic import TemplateView

from ..api.filters import FigureFilterSet
from ..kinds import BY_KEY, KINDS, Kind
from ..models import AnnouncedFigure, Source
from ..models.base import active_and_other_language, in_language
from ..sorting import in_page_order
from . import filters
from .related import RecordLink

# The lists reject a longer ``q``; a search that allowed more would link to
# lists that refuse it.
MAX_QUERY_LENGTH = filters.RecordFilterSet.base_filters["q"].extra["max_length"]
RESULTS_PER_KIND = 5
# The length of a one-line snippet, and how much of it comes before a match.
SNIPPET_CHARS = 160
SNIPPET_LEAD = 50

# The key of the figures' part of the UNION, beside the kinds' keys.
FIGURES = "figure"
FIGURE_NAMES = ("label_en", "label_zh")
# What a figure's hit shows besides its label (includes/search_figure.html).
FIGURE_DATA = {
    "subject": F("subject"),
    "value": F("value"),
    "qualifier": F("qualifier"),
    "date_rule": F("date_rule"),
    "on_record": F("on_record"),
    "source_slug": F("source__slug"),
    "source_title_en": F("source__title_en"),
    "source_title_zh": F("source__title_zh"),
    "source_status": F("source__publication_status"),
}
LANGUAGE_TAGS = {"en": "en", "zh": "zh-Hans"}


@dataclass(frozen=True)
class SearchHit(RecordLink):
    """One matching record: its link, where the words were found, a snippet.

    ``texts`` holds the record's searched and snippet fields by name,
    ``fields`` the searched ones in the order a match in them is worth naming
    (names first, summaries last), ``context`` the kind's snippet fields as
    (English, Chinese) pairs. A figure's hit links to its source.
    """

    words: tuple = ()
    texts: dict = field(default_factory=dict)
    fields: tuple = ()
    context: tuple = ()
    model: type | None = None
    figure: AnnouncedFigure | None = None

    @property
    def matched(self):
        """Return the label of each field holding a word, names first.

        The slug only when nothing else holds one: it is made from the name.
        """
        labels = {}
        for name in self.fields:
            if _first_match(self.texts.get(name), self.words) is not None:
                labels.setdefault(_stem(name), field_label(self.model, name))
        if len(labels) > 1:
            labels.pop("slug", None)
        # " · " as snippets join their parts: it needs no translation.
        return " · ".join(map(str, labels.values()))

    @property
    def marked_name(self):
        """Return the name in the page's language with each word marked.

        As ``{% highlighted %}``: a name that falls back to the other language
        is wrapped in its ``lang``.
        """
        text, tag = in_language(self, "name")
        return _in_language(mark(text, self.words), tag)

    @property
    def marked_other_name(self):
        """Return the other language's name, marked, when both are filled in."""
        _active, (suffix, tag) = active_and_other_language()
        other = getattr(self, f"name_{suffix}", "")
        if not other or in_language(self, "name")[1] == tag:
            return ""
        return format_html(
            '<span class="other-language" lang="{}">{}</span>',
            tag,
            mark(other, self.words),
        )

    @property
    def marked_snippet(self):
        """Return an excerpt around the first match outside the names, marked.

        Without one, the kind's usual context (the opening of a summary, a
        district's city), in the page's language or else the other one.
        """
        for name in self._fields_past_the_names():
            text = " ".join((self.texts.get(name) or "").split())
            at = _first_match(text, self.words)
            if at is not None:
                tag = LANGUAGE_TAGS.get(name.rpartition("_")[2], "")
                return _in_language(mark(_excerpt(text, at), self.words), tag)
        (active, active_tag), (_suffix, other_tag) = active_and_other_language()
        first = 0 if active == "en" else 1
        for index, tag in ((first, active_tag), (1 - first, other_tag)):
            text = _join(self.texts.get(pair[index]) for pair in self.context)
            if text:
                return _in_language(mark(text, self.words), tag)
        return ""

    def _fields_past_the_names(self):
        """Return the searched fields but the names, the page's language first."""
        (active, _tag), _other = active_and_other_language()
        # A slug is the name again, in a form not worth an excerpt.
        rest = [name for name in self.fields[2:] if name != "slug"]
        stems = list(dict.fromkeys(_stem(name) for name in rest))
        return sorted(
            rest,
            key=lambda name: (stems.index(_stem(name)), not name.endswith(active)),
        )


@dataclass(frozen=True)
class KindResults:
    """The first matches of one kind, how many there are, and where to see all."""

    kind: Kind
    hits: list
    total: int
    see_all_url: str


@dataclass(frozen=True)
class FigureResults:
    """The first announced figures whose labels match, and how many do."""

    hits: list
    total: int

    @property
    def more(self):
        """Return how many matching figures are not shown."""
        return self.total - len(self.hits)


def matching(kind, query):
    """Return the public records of ``kind`` its list shows for ``?q=query``."""
    return kind.filterset.matching(kind.model.objects.public(), query)


def matching_figures(query):
    """Return the published figures whose labels hold every word of ``query``."""
    return FigureFilterSet.matching(AnnouncedFigure.objects.public(), query)


def search(query, limit=RESULTS_PER_KIND):
    """Return a KindResults per kind that matches ``query``, and the figures.

    As ``(results, figures)``, figures being None when none matches. One
    query, or none without a word to search for.
    """
    words = tuple(filters.RecordFilterSet.words(query))
    if not words:
        return [], None
    phrase = " ".join(query.split())
    parts = [_first_matches(kind, words, phrase, limit) for kind in KINDS]
    parts.append(_first_figures(words, phrase, limit))
    found = {}
    totals = {}
    rows = parts[0].union(*parts[1:], all=True)
    for key, slug, name_en, name_zh, date, demo, position, total, data in rows:
        hit = _hit(key, slug, name_en, name_zh, date, demo, data, words)
        found.setdefault(key, []).append((position, hit))
        totals[key] = total
    results = []
    for kind in KINDS:
        if kind.key in found:
            list_url = reverse(kind.list_url_name)
            results.append(
                KindResults(
                    kind,
                    _in_order(found[kind.key]),
                    totals[kind.key],
                    f"{list_url}?{urlencode({'q': query})}",
                )
            )
    figures = None
    if FIGURES in found:
        figures = FigureResults(_in_order(found[FIGURES]), totals[FIGURES])
    return results, figures


def _in_order(numbered):
    return [hit for _position, hit in sorted(numbered, key=itemgetter(0))]


def _rank(name_fields, words, phrase):
    """Return a record's rank among its kind's matches, best first.

    0 for the phrase as a whole name, 1 for a name that starts with it, 2 for
    names that hold every word between them, 3 for matches in other fields.
    """

    def any_name(lookup, value):
        return Q.create(
            [(f"{name}__{lookup}", value) for name in name_fields], connector=Q.OR
        )

    in_names = Q()
    for word in words:
        in_names &= any_name("icontains", word)
    return Case(
        When(any_name("iexact", phrase), then=Value(0)),
        When(any_name("istartswith", phrase), then=Value(1)),
        When(in_names, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def _first_rows(queryset, key, names, words, phrase, ordering, date, data, limit):
    """Return ``queryset``'s first ``limit`` rows by rank, then ``ordering``.

    Each row: its group ``key``, slug, ``names``, date, demo flag, position,
    the count of every match, and ``data`` (a dict of what its hit shows).
    Window functions number and count every match, so one UNION of the kinds
    brings both the first rows and the totals. Compound statements may not
    order their parts, so the position travels as a column. ``data`` is built
    for the rows kept only: a word found in 20,000 summaries would otherwise
    copy each of them (a third of the time at 100,000 records).
    """
    name_en, name_zh = names
    position = Window(
        RowNumber(), order_by=[_rank(names, words, phrase), *ordering, "pk"]
    )
    return (
        queryset.order_by()
        .annotate(position=position, total=Window(Count("pk")))
        .annotate(
            group=Value(key, output_field=CharField()),
            ref=F("slug"),
            en=F(name_en),
            zh=F(name_zh),
            on=date,
            demo=F("is_demo"),
            data=Case(
                When(position__lte=limit, then=data),
                default=None,
                output_field=JSONField(),
            ),
        )
        .filter(position__lte=limit)
        .values_list(
            "group", "ref", "en", "zh", "on", "demo", "position", "total", "data"
        )
    )


def _first_matches(kind, words, phrase, limit):
    """Return the kind's first ``limit`` matches, and their count, as rows."""
    model = kind.model
    date = F(model.date_field) if model.date_field else Cast(Value(None), DateField())
    context = [name for pair in kind.snippet_fields for name in pair]
    texts = dict.fromkeys([*kind.search_fields, *context])
    return _first_rows(
        matching(kind, phrase),
        kind.key,
        kind.name_fields,
        words,
        phrase,
        in_page_order(model, model._meta.ordering),
        date,
        JSONObject(**{name: F(name) for name in texts}),
        limit,
    )


def _first_figures(words, phrase, limit):
    """Return the first ``limit`` matching figures, and their count, as rows.

    Shaped as the kinds' rows: the label is the name, and what the figure
    shows (includes/search_figure.html) travels with the searched fields.
    """
    texts = {name: F(name) for name in FigureFilterSet.search_fields}
    return _first_rows(
        matching_figures(phrase).with_on_record(),
        FIGURES,
        FIGURE_NAMES,
        words,
        phrase,
        AnnouncedFigure._meta.ordering,
        F("as_of"),
        JSONObject(**texts, **FIGURE_DATA),
        limit,
    )


def _hit(key, slug, name_en, name_zh, date, is_demo, data, words):
    data = data or {}
    if key == FIGURES:
        return SearchHit(
            "programs:source-detail",
            data["source_slug"],
            name_en,
            name_zh,
            date,
            is_demo,
            words=words,
            texts=data,
            fields=_match_order(FIGURE_NAMES, FigureFilterSet.search_fields),
            model=AnnouncedFigure,
            figure=_figure(slug, name_en, name_zh, date, is_demo, data),
        )
    kind = BY_KEY[key]
    return SearchHit(
        kind.detail_url_name,
        slug,
        name_en,
        name_zh,
        date,
        is_demo,
        words=words,
        texts=data,
        fields=_match_order(kind.name_fields, kind.search_fields),
        context=kind.snippet_fields,
        model=kind.model,
    )


def _figure(slug, label_en, label_zh, as_of, is_demo, data):
    """Return an unsaved figure that includes can show as a stored one."""
    source = Source(
        slug=data["source_slug"],
        title_en=data["source_title_en"],
        title_zh=data["source_title_zh"],
        publication_status=data["source_status"],
    )
    figure = AnnouncedFigure(
        slug=slug,
        label_en=label_en,
        label_zh=label_zh,
        as_of=as_of,
        is_demo=is_demo,
        subject=data["subject"],
        value=data["value"],
        qualifier=data["qualifier"],
        date_rule=data["date_rule"],
        source=source,
    )
    figure.on_record = data["on_record"]
    return figure


def _match_order(names, search_fields):
    """Return the names, then the other searched fields, summaries last."""
    rest = [name for name in search_fields if name not in names]
    return (*names, *sorted(rest, key=lambda name: _stem(name) == "summary"))


def _stem(name):
    """Return a field's name without its language: summary_en is summary."""
    stem, _underscore, suffix = name.rpartition("_")
    return stem if suffix in LANGUAGE_TAGS else name


# " (English)" or "（英文）" at the end of a verbose name.
LANGUAGE_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def field_label(model, name):
    """Return what ``model``'s field is called, less the language of its text.

    From the field's own verbose name, in the page's language: "summary",
    "摘要", "title or position".
    """
    label = str(model._meta.get_field(name).verbose_name)
    return LANGUAGE_NOTE.sub("", label) if _stem(name) != name else label


def _first_match(text, words):
    """Return where the first of ``words`` stands in ``text``, or None."""
    upper = (text or "").upper()
    found = [at for word in words if (at := upper.find(word.upper())) >= 0]
    return min(found) if found else None


def _excerpt(text, at):
    """Return about SNIPPET_CHARS of ``text`` around position ``at``."""
    start = max(0, at - SNIPPET_LEAD)
    if start:
        # Not in the middle of a word, where the text has spaces.
        space = text.find(" ", start, at)
        start = space + 1 if space >= 0 else start
    end = start + SNIPPET_CHARS
    excerpt = text[start:end].strip()
    if end < len(text):
        excerpt += "…"
    return f"…{excerpt}" if start else excerpt


def _join(texts):
    # dict.fromkeys drops repeats (Shanghai the city is also the province).
    parts = dict.fromkeys(" ".join(text.split()) for text in texts if text)
    text = " · ".join(parts)
    return Truncator(text).chars(SNIPPET_CHARS)


def mark(text, words):
    """Escape ``text`` and wrap each case-insensitive word of ``words`` in <mark>.

    As the ``highlight`` filter does for one phrase: the text is split before
    it is escaped, so a word never matches inside an entity such as ``&amp;``.
    Longer words first, so "qingpu" wins over "qing".
    """
    text = str(text or "")
    words = sorted({word for word in words if word}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(map(re.escape, words)), flags=re.IGNORECASE)
    pieces = []
    end = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[end : match.start()]))
        pieces.append(format_html("<mark>{}</mark>", match.group()))
        end = match.end()
    pieces.append(escape(text[end:]))
    return mark_safe("".join(pieces))


def _in_language(html, tag):
    """Wrap ``html`` in its ``lang`` when that is not the page's language."""
    (_suffix, active_tag), _other = active_and_other_language()
    if not tag or tag == active_tag:
        return html
    return format_html('<span lang="{}">{}</span>', tag, html)


def kinds_named(query):
    """Return the kinds whose name contains ``query``, in English or the page's.

    A search for "workstation" finds records named so; this also points to the
    list of every academician workstation, whatever each is named.
    """
    query = query.strip().casefold()
    if len(query) < 2:
        return []
    named = []
    for kind in KINDS:
        with override("en"):
            english = str(kind.heading)
        if query in english.casefold() or query in str(kind.heading).casefold():
            named.append(kind)
    return named


# Searches offered on an empty page, in both languages whatever the page's.
EXAMPLE_SEARCHES = (
    ("Qingpu", "en"),
    ("青浦", "zh-Hans"),
    ("Wujiang", "en"),
    ("吴江", "zh-Hans"),
    ("workstation", "en"),
    ("工作站", "zh-Hans"),
)


class SearchForm(forms.Form):
    """The one search field; Django's CharField already refuses NUL bytes."""

    q = forms.CharField(
        label=_("Search all records"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "Search for at most %(limit_value)d characters "
                "(this search has %(show_value)d)."
            )
        },
    )


class SearchView(TemplateView):
    """Public records of every kind, and announced figures, matching the words."""

    template_name = "programs/search.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        results, figures = search(query)
        # What the search boxes show again: the text as typed, less any NUL
        # byte, which HTML cannot carry.
        typed = self.request.GET.get("q", "").replace("\x00", "").strip()
        context.update(
            form=form,
            query=query,
            typed=typed,
            site_search_query=typed,
            results=results,
            figures=figures,
            total=sum(group.total for group in results)
            + (figures.total if figures else 0),
            named_kinds=kinds_named(query) if query else [],
            examples=EXAMPLE_SEARCHES,
            kinds=KINDS,
        )
        return context
