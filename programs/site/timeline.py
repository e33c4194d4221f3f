"""
The timeline: every dated public event, newest first, and the one place that
says which events exist.

An event is a record's own date: an agreement signed, a project announced, an
academician workstation set up, an expert appointed, an overseas entrepreneur
signed (each kind whose ``Kind.event`` says what its date marks), or a figure
announced (``AnnouncedFigure.as_of``). A record with no date is not an event:
the timeline never guesses one.

The home page shows the latest few (``latest_events``); /timeline/ shows them
all, by month, filtered by district and kind of event, and its Atom feed
(``programs.site.feeds.TimelineFeed``) the same events.

A page costs a fixed number of queries however many records there are: one
for the filter's districts, one UNION of every kind's dated rows counted and
one paged (kind, pk, date only), then one per kind on the page for the records
themselves with their districts.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.db.models import CharField, F, IntegerField, Value
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ..kinds import KINDS
from ..models import AnnouncedFigure, District, PublicationStatus

# The kinds of record whose date is an event, and what each date marks.
EVENT_KINDS = {kind.key: kind for kind in KINDS if kind.event}

# Figures are no kind of their own (no page, no list), so they are added here.
FIGURE = "figure"
FIGURE_EVENT = _("Figure announced")

# Every key of an event, in the order events of one day are shown.
EVENT_KEYS = (*EVENT_KINDS, FIGURE)

HOME_LENGTH = 8
PAGE_SIZE = 50


@dataclass(frozen=True)
class Event:
    """One dated public event: ``record``'s date, of the kind ``key``.

    ``record`` is a model instance on /timeline/ and in its feed, and a
    ``RecordLink`` on the home page; both have a name, a slug and a URL.
    """

    date: datetime.date
    key: str
    record: object

    @property
    def label(self):
        """Return what happened: "Agreement signed", "Figure announced"."""
        if self.key == FIGURE:
            return FIGURE_EVENT
        return EVENT_KINDS[self.key].event

    @property
    def is_figure(self):
        return self.key == FIGURE

    @property
    def month(self):
        """Return the first day of the event's month, which groups the page."""
        return self.date.replace(day=1)

    @property
    def anchor(self):
        """Return the id of the event on the timeline page."""
        return f"{self.key}-{self.record.slug}"

    @property
    def url(self):
        """Return the event's record page, or "" when it has no public one.

        A figure has no page: it is shown on its source's page, at its anchor.
        """
        if not self.is_figure:
            return self.record.get_absolute_url()
        source = self.record.source
        if not source.is_public:
            return ""
        return f"{source.get_absolute_url()}#figure-{self.record.slug}"

    @property
    def district(self):
        """Return the record's district if visitors may see it, else None."""
        district = getattr(self.record, "district", None)
        return district if district is not None and district.is_public else None

    @property
    def title(self):
        """Return what the event names: a record's name, a figure's number."""
        if self.is_figure:
            return figure_phrase(self.record)
        return self.record.name


def figure_phrase(figure):
    """Return "more than 40 academician workstations" for ``figure``.

    "Exactly" is left out, as includes/figure.html leaves it out: "8 key
    projects", not "exactly 8 key projects".
    """
    values = {
        "qualifier": figure.get_qualifier_display(),
        "value": intcomma(figure.value),
        "subject": figure.get_subject_display(),
    }
    if figure.qualifier == AnnouncedFigure.Qualifier.EXACTLY:
        return gettext("%(value)s %(subject)s") % values
    return gettext("%(qualifier)s %(value)s %(subject)s") % values


def latest_events(rows_by_key, length=HOME_LENGTH):
    """Return the latest ``length`` dated events, oldest first.

    ``rows_by_key`` maps each key of ``EVENT_KINDS`` to its latest records
    (``latest_of_each``), as the home page fetches them in one query.
    """
    events = [
        Event(row.date, key, row)
        for key, rows in rows_by_key.items()
        for row in rows
        if row.date is not None
    ]
    events.sort(key=lambda event: event.date, reverse=True)
    return sorted(events[:length], key=lambda event: event.date)


class TimelineForm(forms.Form):
    """The timeline's filters: a district and a kind of event, by key."""

    district = forms.ChoiceField(label=_("District"), required=False)
    kind = forms.ChoiceField(label=_("Kind of event"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the choices, which then validate the value in memory.
        districts = District.objects.public().only("slug", "name_en", "name_zh")
        self.fields["district"].choices = [
            ("", _("All districts")),
            *((district.slug, district.name) for district in districts),
        ]
        self.fields["kind"].choices = [
            ("", _("All events")),
            *((key, kind.event) for key, kind in EVENT_KINDS.items()),
            (FIGURE, FIGURE_EVENT),
        ]

    @property
    def active(self):
        """Return the valid filters that are set, by name."""
        return {name: value for name, value in self.cleaned_data.items() if value}

    def url_of(self, url_name):
        """Return the page ``url_name`` (the timeline, its feed) with these filters."""
        url = reverse(url_name)
        return f"{url}?{urlencode(self.active)}" if self.active else url


def dated_rows(district="", kind=""):
    """Return a UNION of (key, pk, date) of every dated public event, newest first.

    Filtered by a district's slug (zone-wide figures have none, so it leaves
    them out) and a kind of event's key, either "" for all.
    """
    parts = []
    for rank, key in enumerate(EVENT_KEYS):
        if kind and key != kind:
            continue
        model = AnnouncedFigure if key == FIGURE else EVENT_KINDS[key].model
        queryset = model.objects.public().filter(
            **{f"{model.date_field}__isnull": False}
        )
        if district:
            queryset = queryset.filter(
                district__slug=district,
                district__publication_status=PublicationStatus.PUBLISHED,
            )
        parts.append(
            # Compound statements may not order their parts: the order is the
            # union's. Every column is an annotation, so all parts line up.
            queryset.order_by()
            .annotate(
                event_key=Value(key, output_field=CharField()),
                event_rank=Value(rank, output_field=IntegerField()),
                event_pk=F("pk"),
                event_date=F(model.date_field),
            )
            .values_list("event_key", "event_rank", "event_pk", "event_date")
        )
    return (
        parts[0]
        .union(*parts[1:], all=True)
        .order_by("-event_date", "event_rank", "-event_pk")
    )


def events_of(rows):
    """Return the Events of ``rows`` from ``dated_rows``: one query per kind."""
    rows = list(rows)
    pks_by_key = {}
    for key, _rank, pk, _date in rows:
        pks_by_key.setdefault(key, []).append(pk)
    records = {key: _records_of(key).in_bulk(pks) for key, pks in pks_by_key.items()}
    return [
        Event(date, key, records[key][pk])
        for key, _rank, pk, date in rows
        # Unpublished in between the two queries: left out, never shown.
        if pk in records[key]
    ]


def _records_of(key):
    if key == FIGURE:
        return AnnouncedFigure.objects.public().select_related("source", "district")
    return EVENT_KINDS[key].model.objects.public().select_related("district")


class TimelineView(TemplateView):
    """Every dated public event by month, newest first, filtered and paged."""

    template_name = "programs/timeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # includes/filter_form.html reads the form as `filter.form`, as a
        # FilterSet holds it: the template passes this view as the filter.
        self.form = form = TimelineForm(self.request.GET)
        page = None
        if form.is_valid():
            paginator = Paginator(dated_rows(**form.cleaned_data), PAGE_SIZE)
            page = paginator.get_page(self.request.GET.get("page"))
            context["feed_url"] = form.url_of("programs:timeline-feed")
            # The filter form's summary says how many are set (as a list's
            # facets.py does): on a phone the fields are folded away.
            context["active_filters"] = len(form.active)
        context["page_obj"] = page
        context["events"] = events_of(page.object_list) if page else []
        return context
