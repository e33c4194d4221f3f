"""
Atom feeds of the agreements and projects put on file, and of the timeline,
in the page language.

Entries come newest first by ``created_at``, when the record was added, not by
the date it was signed or announced: a feed reader wants what is new here, and
a 2021 agreement entered today is news to it. Ordered by its own date it would
sit below later records, past the end of the feed, and never be seen. The
record's own date stays on its page.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Agreement, Project
from ..models.base import without_control_characters
from . import timeline

FEED_LENGTH = 50


class RecordFeed(Feed):
    """The latest published records of one kind, newest on file first."""

    feed_type = Atom1Feed
    model = None
    select_related = ("district",)
    author_name = _("talentzone")

    def items(self):
        return (
            self.model.objects.public()
            .select_related(*self.select_related)
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        # Atom titles are plain text (no type="html"), so no escaping here:
        # the XML writer escapes once, and a reader shows "&" as "&".
        # Characters XML cannot hold are dropped: records saved before the
        # model refused them must not break the feed.
        name = without_control_characters(item.name)
        if item.is_demo:
            return _("[Demo] %(name)s") % {"name": name}
        return name

    def item_description(self, item):
        # Atom <summary type="html"> holds HTML, so the plain-text summary is
        # escaped and split into paragraphs; None leaves an empty one out.
        if not item.summary:
            return None
        return linebreaks(without_control_characters(item.summary), autoescape=True)

    def item_categories(self, item):
        district = item.district
        if district is not None and district.is_public:
            return [without_control_characters(district.name)]
        return []

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at


class AgreementFeed(RecordFeed):
    """New agreements, for feed readers."""

    model = Agreement
    title = _("New agreements · talentzone")
    subtitle = _(
        "Agreements of the Yangtze River Delta demonstration zone's talent "
        "programmes, as they are put on file."
    )
    link = reverse_lazy("programs:agreement-list")


class ProjectFeed(RecordFeed):
    """New projects, for feed readers; each also filed under its kind."""

    model = Project
    title = _("New projects · talentzone")
    subtitle = _(
        "Projects of the Yangtze River Delta demonstration zone's talent "
        "programmes, as they are put on file."
    )
    link = reverse_lazy("programs:project-list")

    def item_categories(self, item):
        return [*super().item_categories(item), item.get_kind_display()]


class TimelineFeed(Feed):
    """The timeline's events, newest event first, filtered as its page is.

    Unlike the feeds above, ordered by the event's own date: this is the
    timeline, as its page shows it, in the page language.
    """

    feed_type = Atom1Feed
    author_name = _("talentzone")
    title = _("Timeline · talentzone")
    subtitle = _(
        "Dated events of the Yangtze River Delta demonstration zone's talent "
        "programmes, newest first."
    )

    def __call__(self, request, *args, **kwargs):
        # A filter the page would explain gets its explanation here too, as
        # plain text with a 400, rather than a feed of something else.
        form = timeline.TimelineForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest(
                _bad_filters(form), content_type="text/plain; charset=utf-8"
            )
        return super().__call__(request, *args, form=form, **kwargs)

    def get_object(self, request, form):
        return form

    def link(self, form):
        return form.url_of("programs:timeline")

    def feed_url(self, form):
        return form.url_of("programs:timeline-feed")

    def items(self, form):
        rows = timeline.dated_rows(**form.cleaned_data)[:FEED_LENGTH]
        return timeline.events_of(rows)

    def item_title(self, event):
        title = gettext("%(event)s: %(name)s") % {
            "event": event.label,
            "name": without_control_characters(event.title),
        }
        if event.record.is_demo:
            return _("[Demo] %(name)s") % {"name": title}
        return title

    def item_description(self, event):
        # A figure has no summary: its label says what it counts, and where.
        text = event.record.name if event.is_figure else event.record.summary
        if not text:
            return None
        return linebreaks(without_control_characters(text), autoescape=True)

    def item_link(self, event):
        # A figure whose source is not public has no page: its place on the
        # timeline stands in, so that every entry still has its own link.
        return event.url or f"{reverse('programs:timeline')}#{event.anchor}"

    def item_categories(self, event):
        categories = [str(event.label)]
        if event.district is not None:
            categories.append(without_control_characters(event.district.name))
        return categories

    def item_pubdate(self, event):
        return timezone.make_aware(
            datetime.datetime.combine(event.date, datetime.time())
        )

    def item_updateddate(self, event):
        return event.record.updated_at


def _bad_filters(form):
    lines = [gettext("Some filters could not be used. Correct them and try again:")]
    lines += [
        f"{form.fields[name].label}: {error}"
        for name, errors in form.errors.items()
        for error in errors
    ]
    return "\n".join(lines)
