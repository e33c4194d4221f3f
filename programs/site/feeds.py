"""
Atom feeds of the agreements and projects put on file, in the page language.

Entries come newest first by ``created_at``, when the record was added, not by
the date it was signed or announced: a feed reader wants what is new here, and
a 2021 agreement entered today is news to it. Ordered by its own date it would
sit below later records, past the end of the feed, and never be seen. The
record's own date stays on its page.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext_lazy as _

from ..models import Agreement, Project
from ..models.base import without_control_characters

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
