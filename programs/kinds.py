"""
The registry of kinds: one entry per kind of public record.

Every surface that handles "each kind of record" loops over ``KINDS`` instead of
listing the kinds again: the navigation, home, search, stats, the sitemap, the
related-record lists of district, organization and source pages, the CSV and
JSON exports, the admin's import and export columns, and the tests.

Adding a kind means a model, a FilterSet, a list and a detail view, an admin,
two URL lines, two templates and one entry here. The per-kind classes stay
explicit, as Django projects write them; the registry replaces lists, not
classes. It relies on one spelling per kind: a kind's key is its model name
(``entrepreneur``), its URL names are ``programs:<key>-list`` and
``programs:<key>-detail``, its FilterSet is ``<Model>FilterSet`` in
``programs.site.filters`` and its templates are ``programs/<key>_list.html``
and ``programs/<key>_detail.html``.

What a FilterSet already says is read from it rather than written here again:
its search fields, and the lookups behind its ``organization`` and ``field``
filters. So a count on the statistics page, or a list on an organization's
page, selects exactly the records its "see all" link to the list shows.
"""

from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import (
    Agreement,
    District,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    Source,
    Workstation,
    cites_sources,
)

NAMES = ("name_en", "name_zh")
# The public fields of announced figures, which are not a kind of their own
# (no page, no list): the API and the bulk download give these.
FIGURE_COLUMNS = (
    "label_en",
    "label_zh",
    "subject",
    "value",
    "qualifier",
    "as_of",
    "date_rule",
    "district",
    "organization",
    "agreement",
    "source",
)
SUMMARY = ("summary_en", "summary_zh")
SOURCED = (*SUMMARY, "sources")


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of public record, and what each surface needs to know of it."""

    model: type
    # The short plural that heads its list in the navigation and the charts.
    label: str
    # Its public fields, in order: the CSV and JSON exports, and the admin's
    # import and export (which add the slug, the model's STAFF_ONLY_FIELDS and
    # the publication status). Never a staff-only field: exports refuse one.
    columns: tuple
    # The (English, Chinese) fields of its name and of the snippet that search
    # shows under each result.
    name_fields: tuple = NAMES
    snippet_fields: tuple = (SUMMARY,)
    # A record of the programmes themselves (an agreement, a project...), as
    # opposed to reference data: counted per district on the home page and
    # charted on /stats/.
    is_programme: bool = False
    # What the record's date marks, as an event on the timeline (the home
    # page's short one and /timeline/, programs/site/timeline.py); None keeps
    # the kind off it.
    event: str | None = None

    def __str__(self):
        return self.key

    @property
    def key(self):
        """Return the kind's key: its model name, used in URL names and CSS."""
        return self.model._meta.model_name

    @property
    def list_url_name(self):
        return f"programs:{self.key}-list"

    @property
    def detail_url_name(self):
        return f"programs:{self.key}-detail"

    @property
    def plural(self):
        """Return the kind's full plural name ("academician workstations")."""
        return self.model._meta.verbose_name_plural

    @property
    def heading(self):
        """Return the full plural as a heading ("Academician workstations")."""
        return capfirst(self.plural)

    @property
    def date_field(self):
        """Return the field that places a record in time, or None."""
        return self.model.date_field

    @cached_property
    def filterset(self):
        """Return the FilterSet of the kind's list (and exports, and search)."""
        return import_string(f"programs.site.filters.{self.model.__name__}FilterSet")

    @property
    def search_fields(self):
        """Return the fields that ``?q=`` searches, on the list and site-wide."""
        return self.filterset.search_fields

    @property
    def direct_columns(self):
        """Return the columns a record's own form and import row hold.

        A many-to-many with a model of its own in between (an agreement's
        parties, each with a role) is edited in an inline and imported from a
        sheet of its own instead.
        """
        return tuple(
            name
            for name in self.columns
            if not _through_a_model_of_its_own(self.model._meta.get_field(name))
        )

    def list_url(self, **query):
        """Return the kind's list filtered by ``query``; "" if it cannot be."""
        if not all(name in self.filterset.base_filters for name in query):
            return ""
        return f"{reverse(self.list_url_name)}?{urlencode(query)}"

    def filter_lookup(self, name):
        """Return the lookup behind the list's ``name`` filter, or None."""
        list_filter = self.filterset.base_filters.get(name)
        if list_filter is None:
            return None
        return list_filter.field_name.removesuffix("__slug")

    @property
    def organization_lookup(self):
        """Return the lookup that ties a record to an organization, or None."""
        return self.filter_lookup("organization")

    @property
    def research_field_lookup(self):
        """Return the lookup to a record's research fields, or None."""
        return self.filter_lookup("field")

    @property
    def has_district(self):
        """Return True if the kind's list filters by district."""
        return "district" in self.filterset.base_filters

    @property
    def has_sources(self):
        """Return True if the kind's records cite their sources."""
        return cites_sources(self.model)


def _through_a_model_of_its_own(field):
    return field.many_to_many and not field.remote_field.through._meta.auto_created


KINDS = (
    Kind(
        District,
        _("Districts"),
        (
            *NAMES,
            "city_en",
            "city_zh",
            "province_en",
            "province_zh",
            "in_demonstration_zone",
            *SOURCED,
        ),
        snippet_fields=(("city_en", "city_zh"), ("province_en", "province_zh")),
    ),
    Kind(
        Organization,
        _("Organizations"),
        (*NAMES, "kind", "district", "website", *SOURCED),
    ),
    Kind(
        Agreement,
        _("Agreements"),
        (
            *NAMES,
            "signed_on",
            "status",
            "district",
            "parties",
            "cooperation_areas_en",
            "cooperation_areas_zh",
            *SOURCED,
        ),
        is_programme=True,
        event=_("Agreement signed"),
    ),
    Kind(
        Project,
        _("Projects"),
        (
            *NAMES,
            "kind",
            "status",
            "announced_on",
            "lead_organization",
            "district",
            "agreement",
            "field",
            *SOURCED,
        ),
        is_programme=True,
        event=_("Project announced"),
    ),
    Kind(
        Workstation,
        _("Workstations"),
        (
            *NAMES,
            "host_organization",
            "district",
            "field",
            "established_on",
            "status",
            "experts",
            *SOURCED,
        ),
        is_programme=True,
        event=_("Academician workstation set up"),
    ),
    Kind(
        Expert,
        _("Experts"),
        (
            *NAMES,
            "title_en",
            "title_zh",
            "appointed_by",
            "appointed_on",
            "district",
            "status",
            "research_fields",
            *SOURCED,
        ),
        snippet_fields=(("title_en", "title_zh"),),
        is_programme=True,
        event=_("Expert appointed"),
    ),
    Kind(
        Entrepreneur,
        _("Entrepreneurs"),
        (
            *NAMES,
            "country_or_region_en",
            "country_or_region_zh",
            "venture_en",
            "venture_zh",
            "host_organization",
            "district",
            "field",
            "project",
            "signed_on",
            "status",
            *SOURCED,
        ),
        snippet_fields=(
            ("venture_en", "venture_zh"),
            ("country_or_region_en", "country_or_region_zh"),
        ),
        is_programme=True,
        event=_("Overseas entrepreneur signed"),
    ),
    Kind(
        Source,
        _("Sources"),
        ("title_en", "title_zh", "outlet", "published_on", "url"),
        name_fields=("title_en", "title_zh"),
        snippet_fields=(("outlet", "outlet"),),
    ),
)

BY_KEY = {kind.key: kind for kind in KINDS}
BY_MODEL = {kind.model: kind for kind in KINDS}

PROGRAMME_KINDS = tuple(kind for kind in KINDS if kind.is_programme)


def kind_of(model):
    """Return the Kind of ``model`` (a class or a record), or None if it has none."""
    model = model if isinstance(model, type) else type(model)
    return BY_MODEL.get(model)
