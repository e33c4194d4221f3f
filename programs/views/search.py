"""
Site-wide search: every kind of published record matching ``?q=``, grouped by
kind, each group linking to its list filtered the same way.

A blank search suggests some; an invalid one (too long, a NUL byte) says what
is wrong. Result pages carry ``X-Robots-Tag: noindex``: they are endless and
say nothing the lists do not.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ..search import MAX_QUERY_LENGTH, SEARCH_KINDS, kinds_named, search

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
            kinds=SEARCH_KINDS,
        )
        return context
