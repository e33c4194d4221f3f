"""Where facts come from, and the places and bodies records point at."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import NamedRecord, Record, SourcedRecord, bilingual


class Source(Record):
    """A document that facts come from: a news report, a notice, a press release."""

    title_en = models.CharField(
        _("title (English)"),
        max_length=200,
        help_text=_("A short title in our own words, not the headline."),
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    # Chinese pages sort titles by this key: see NamedRecord.name_pinyin.
    title_pinyin = models.CharField(
        _("title (pinyin sort key)"),
        max_length=400,
        blank=True,
        editable=False,
        db_index=True,
    )
    outlet = models.CharField(
        _("outlet"),
        max_length=120,
        blank=True,
        help_text=_("Who published it. Leave blank when the copy does not say."),
    )
    published_on = models.DateField(_("published on"), db_index=True)
    url = models.URLField(_("link"), blank=True)
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("Staff notes on this copy of the source. Not shown publicly."),
    )
    # The report as received by "Add from a report": staff check drafts and
    # their evidence against it. Copyright stays with the outlet, so it is
    # never published.
    text = models.TextField(
        _("full text (staff only)"),
        blank=True,
        help_text=_("The report's text as it was read. Not shown publicly."),
    )

    date_field = "published_on"

    STAFF_ONLY_FIELDS = ("notes", "text")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title_en"]
        indexes = [
            models.Index(fields=ordering, name="source_list_order"),
            # The same order on Chinese pages.
            models.Index(
                fields=["-published_on", "title_pinyin"], name="source_list_order_zh"
            ),
            models.Index(fields=["title_en"], name="source_title"),
        ]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        if self.published_on is None:
            return self.name
        return f"{self.name} ({self.published_on:%Y-%m-%d})"

    # Partials name any record by name_en/name_zh; a source's name is its title.
    name_en = property(lambda self: self.title_en)
    name_zh = property(lambda self: self.title_zh)
    name = bilingual("title")


class District(SourcedRecord):
    """A county-level area: Qingpu District, Wujiang District, Jiashan County."""

    city_en = models.CharField(_("city (English)"), max_length=100)
    city_zh = models.CharField(_("city (Chinese)"), max_length=100, blank=True)
    province_en = models.CharField(_("province (English)"), max_length=100)
    province_zh = models.CharField(_("province (Chinese)"), max_length=100, blank=True)

    city = bilingual("city")
    province = bilingual("province")
    in_demonstration_zone = models.BooleanField(
        _("in the demonstration zone"), default=False
    )
    sources = models.ManyToManyField(
        Source, related_name="districts", blank=True, verbose_name=_("sources")
    )

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["name_en"]
        indexes = [
            models.Index(fields=["name_en"], name="district_name"),
            models.Index(fields=["city_en"], name="district_city"),
        ]
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class ResearchField(NamedRecord):
    """A field of science or technology that experts and projects work in."""

    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        indexes = [models.Index(fields=["name_en"], name="researchfield_name")]
        verbose_name = _("field")
        verbose_name_plural = _("fields")


class Organization(SourcedRecord):
    """An association, government, industrial park, company, university or institute."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        GOVERNMENT = "government", _("Government")
        INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
        COMPANY = "company", _("Company")
        UNIVERSITY = "university", _("University")
        INSTITUTE = "institute", _("Research institute")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="organizations",
        null=True,
        blank=True,
        verbose_name=_("district"),
        help_text=_("Blank for bodies that serve a whole city or province."),
    )
    website = models.URLField(_("website"), blank=True)
    other_names = models.TextField(
        _("other names"),
        blank=True,
        help_text=_(
            "Short and official forms reports use, one per line: SAST, 市科协, "
            "上海市科学技术协会. Reports are matched against them."
        ),
    )
    sources = models.ManyToManyField(
        Source, related_name="organizations", blank=True, verbose_name=_("sources")
    )

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["name_en"]
        indexes = [
            # Counting a district's records (home, /stats/): migration 0006.
            models.Index(
                fields=["district", "publication_status", "is_demo"],
                name="organization_district_count",
            ),
            models.Index(fields=["name_en"], name="organization_name"),
            models.Index(fields=["kind"], name="organization_kind"),
        ]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
