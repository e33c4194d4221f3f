"""
Search every kind of public record at once, the way each list searches its own.

A kind's matches are exactly its list's matches for the same ``q`` (the list
FilterSet's own ``search`` method does the matching), so a "See all N" link to
the list shows the same N records. The first rows and the count of every kind
come back in one query, however many records match.
"""

from dataclasses import dataclass
from operator import itemgetter

from django import forms
from django.db.models import CharField, Count, DateField, F, Value, Window
from django.db.models.functions import Cast, RowNumber, Substr
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from django.views.generic import TemplateView

from ..kinds import BY_KEY, KINDS, Kind
from . import filters
from .related import RecordLink

# The lists reject a longer ``q``; a search that allowed more would link to
# lists that refuse it.
MAX_QUERY_LENGTH = filters.RecordFilterSet.base_filters["q"].extra["max_length"]
RESULTS_PER_KIND = 5
# Enough of a summary for a one-line snippet, without fetching whole texts.
SNIPPET_CHARS = 160

# Every kind's rows have as many snippet columns as the kind with the most.
CONTEXT_COLUMNS = max(len(kind.snippet_fields) for kind in KINDS)


@dataclass(frozen=True)
class SearchHit(RecordLink):
    """One matching record: a link to it, and a snippet in both languages."""

    context_en: str = ""
    context_zh: str = ""


@dataclass(frozen=True)
class KindResults:
    """The first matches of one kind, how many there are, and where to see all."""

    kind: Kind
    hits: list
    total: int
    see_all_url: str


def matching(kind, query):
    """Return the public records of ``kind`` its list shows for ``?q=query``."""
    return kind.filterset.matching(kind.model.objects.public(), query)


def search(query, limit=RESULTS_PER_KIND):
    """Return a KindResults per kind with matches for ``query``, in one query."""
    query = query.strip()
    if not query:
        return []
    parts = [_first_matches(kind, query, limit) for kind in KINDS]
    found = {kind.key: [] for kind in KINDS}
    totals = {}
    rows = parts[0].union(*parts[1:], all=True)
    for key, slug, name_en, name_zh, date, demo, position, total, *context in rows:
        hit = _hit(key, slug, name_en, name_zh, date, context, demo)
        found[key].append((position, hit))
        totals[key] = total
    results = []
    for kind in KINDS:
        if not found[kind.key]:
            continue
        hits = [hit for _position, hit in sorted(found[kind.key], key=itemgetter(0))]
        list_url = reverse(kind.list_url_name)
        results.append(
            KindResults(
                kind, hits, totals[kind.key], f"{list_url}?{urlencode({'q': query})}"
            )
        )
    return results


def _first_matches(kind, query, limit):
    """Return the kind's first ``limit`` matches, in its list's order, and a count.

    Window functions number and count every match, so one UNION of the kinds
    brings both the first rows and the totals. Compound statements may not
    order their parts, so the position travels as a column.
    """
    model = kind.model
    name_en, name_zh = kind.name_fields
    date = F(model.date_field) if model.date_field else Cast(Value(None), DateField())
    context = {}
    for index in range(CONTEXT_COLUMNS):
        for language, column in enumerate(("en", "zh")):
            if index < len(kind.snippet_fields):
                field = kind.snippet_fields[index][language]
                context[f"c{index}_{column}"] = _snippet_column(model, field)
            else:
                context[f"c{index}_{column}"] = Value("", output_field=CharField())
    return (
        matching(kind, query)
        .order_by()
        .annotate(
            group=Value(kind.key, output_field=CharField()),
            ref=F("slug"),
            en=F(name_en),
            zh=F(name_zh),
            on=date,
            demo=F("is_demo"),
            position=Window(RowNumber(), order_by=[*model._meta.ordering, "pk"]),
            total=Window(Count("pk")),
            **context,
        )
        .filter(position__lte=limit)
        .values_list(
            "group", "ref", "en", "zh", "on", "demo", "position", "total", *context
        )
    )


def _snippet_column(model, field):
    if model._meta.get_field(field).get_internal_type() == "TextField":
        return Substr(field, 1, SNIPPET_CHARS + 1, output_field=CharField())
    return F(field)


def _hit(key, slug, name_en, name_zh, date, context, is_demo=False):
    english, chinese = context[0::2], context[1::2]
    return SearchHit(
        BY_KEY[key].detail_url_name,
        slug,
        name_en,
        name_zh,
        date,
        is_demo,
        context_en=_join(english),
        context_zh=_join(chinese),
    )


def _join(texts):
    # dict.fromkeys drops repeats (Shanghai the city is also the province).
    parts = dict.fromkeys(" ".join(text.split()) for text in texts if text)
    text = " · ".join(parts)
    return Truncator(text).chars(SNIPPET_CHARS)


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
    """Public records of every kind whose names contain the search text."""

    template_name = "programs/search.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        results = search(query)
        # What the search boxes show again: the text as typed, less any NUL
        # byte, which HTML cannot carry.
        typed = self.request.GET.get("q", "").replace("\x00", "").strip()
        context.update(
            form=form,
            query=query,
            typed=typed,
            site_search_query=typed,
            results=results,
            total=sum(group.total for group in results),
            named_kinds=kinds_named(query) if query else [],
            examples=EXAMPLE_SEARCHES,
            kinds=KINDS,
        )
        return context
