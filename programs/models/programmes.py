"""Agreements, projects, workstations and the people of the programmes."""

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import Person, SourcedRecord, bilingual, in_language
from .reference import District, Organization, ResearchField, Source


class Agreement(SourcedRecord):
    """A signed agreement between organizations, such as a strategic cooperation."""

    class Status(models.TextChoices):
        SIGNED = "signed", _("Signed")
        IN_FORCE = "in_force", _("In force")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    signed_on = models.DateField(_("signed on"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SIGNED
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
        verbose_name=_("district"),
    )
    cooperation_areas_en = models.TextField(
        _("areas of cooperation (English)"), blank=True, help_text=_("One per line.")
    )
    cooperation_areas_zh = models.TextField(
        _("areas of cooperation (Chinese)"), blank=True, help_text=_("One per line.")
    )
    parties = models.ManyToManyField(
        Organization,
        through="AgreementParty",
        related_name="agreements",
        verbose_name=_("parties"),
    )
    sources = models.ManyToManyField(
        Source, related_name="agreements", blank=True, verbose_name=_("sources")
    )

    date_field = "signed_on"

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = [F("signed_on").desc(nulls_last=True), "name_en"]
        indexes = [
            # Counting a district's records (home, /stats/): migration 0006.
            models.Index(
                fields=["district", "publication_status", "is_demo"],
                name="agreement_district_count",
            ),
            models.Index(fields=["name_en"], name="agreement_name"),
            models.Index(fields=["status"], name="agreement_status"),
        ]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    @property
    def cooperation_areas(self):
        """Return the areas of cooperation, one per line, in the active language."""
        text, _language = in_language(self, "cooperation_areas")
        return [line.strip() for line in text.splitlines() if line.strip()]


class AgreementPartyManager(models.Manager):
    def get_by_natural_key(self, agreement_slug, organization_slug):
        return self.get(
            agreement__slug=agreement_slug, organization__slug=organization_slug
        )


class AgreementParty(models.Model):
    """An organization's part in an agreement: who signed, who witnessed."""

    class Role(models.TextChoices):
        SIGNATORY = "signatory", _("Signatory")
        WITNESS = "witness", _("Witness")
        SUPPORTER = "supporter", _("Supporting organization")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="party_roles",
        verbose_name=_("agreement"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="agreement_roles",
        verbose_name=_("organization"),
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.SIGNATORY
    )

    objects = AgreementPartyManager()

    history = HistoricalRecords()

    class Meta:
        # Parties are listed within one agreement; ordering by the agreement
        # itself would join its table on every query for nothing.
        ordering = ["role", "organization__name_en"]
        verbose_name = _("party to an agreement")
        verbose_name_plural = _("parties to agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organization"],
                name="%(app_label)s_%(class)s_unique_party",
            )
        ]

    def __str__(self):
        return f"{self.organization} ({self.get_role_display()})"

    def natural_key(self):
        return self.agreement.natural_key() + self.organization.natural_key()

    natural_key.dependencies = ["programs.agreement", "programs.organization"]


class Project(SourcedRecord):
    """A project: a key project under an agreement, or an overseas-talent venture."""

    class Kind(models.TextChoices):
        KEY_PROJECT = "key_project", _("Key project under an agreement")
        OVERSEAS_TALENT = (
            "overseas_talent",
            _("Overseas-talent innovation and entrepreneurship project"),
        )
        PLATFORM = "platform", _("Platform")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("Announced")
        SIGNED = "signed", _("Signed")
        UNDER_WAY = "under_way", _("Under way")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ANNOUNCED
    )
    announced_on = models.DateField(
        _("announced or signed on"), null=True, blank=True, db_index=True
    )
    lead_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="led_projects",
        null=True,
        blank=True,
        verbose_name=_("lead or host organization"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="projects",
        null=True,
        blank=True,
        verbose_name=_("district"),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="projects",
        null=True,
        blank=True,
        verbose_name=_("agreement"),
    )
    field = models.ForeignKey(
        ResearchField,
        on_delete=models.PROTECT,
        related_name="projects",
        null=True,
        blank=True,
        verbose_name=_("field"),
    )
    sources = models.ManyToManyField(
        Source, related_name="projects", blank=True, verbose_name=_("sources")
    )

    date_field = "announced_on"

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = [F("announced_on").desc(nulls_last=True), "name_en"]
        indexes = [
            # Counting a district's records (home, /stats/): migration 0006.
            models.Index(
                fields=["district", "publication_status", "is_demo"],
                name="project_district_count",
            ),
            models.Index(fields=["name_en"], name="project_name"),
            models.Index(fields=["kind"], name="project_kind"),
            models.Index(fields=["status"], name="project_status"),
        ]
        verbose_name = _("project")
        verbose_name_plural = _("projects")


class Expert(Person):
    """A person appointed as an expert by an organization, to serve somewhere."""

    class Status(models.TextChoices):
        APPOINTED = "appointed", _("Appointed")
        ENDED = "ended", _("Appointment ended")

    title_en = models.CharField(
        _("title or position (English)"), max_length=200, blank=True
    )
    title_zh = models.CharField(
        _("title or position (Chinese)"), max_length=200, blank=True
    )
    title = bilingual("title")
    appointed_by = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="appointed_experts",
        verbose_name=_("appointed by"),
    )
    appointed_on = models.DateField(
        _("appointed on"), null=True, blank=True, db_index=True
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="experts",
        null=True,
        blank=True,
        verbose_name=_("serves in"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPOINTED
    )
    research_fields = models.ManyToManyField(
        ResearchField, related_name="experts", blank=True, verbose_name=_("fields")
    )
    sources = models.ManyToManyField(
        Source, related_name="experts", blank=True, verbose_name=_("sources")
    )

    date_field = "appointed_on"

    history = HistoricalRecords(m2m_fields=[research_fields, sources])

    class Meta:
        ordering = ["name_en"]
        indexes = [
            # Counting a district's records (home, /stats/): migration 0006.
            models.Index(
                fields=["district", "publication_status", "is_demo"],
                name="expert_district_count",
            ),
            models.Index(fields=["name_en"], name="expert_name"),
            models.Index(fields=["appointed_on"], name="expert_appointed_on"),
            models.Index(fields=["status"], name="expert_status"),
        ]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")


class Workstation(SourcedRecord):
    """An academician workstation hosted by an organization."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        UPGRADING = "upgrading", _("Being upgraded")
        CLOSED = "closed", _("Closed")

    host_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="workstations",
        verbose_name=_("host organization"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="workstations",
        verbose_name=_("district"),
    )
    field = models.ForeignKey(
        ResearchField,
        on_delete=models.PROTECT,
        related_name="workstations",
        null=True,
        blank=True,
        verbose_name=_("field"),
    )
    established_on = models.DateField(
        _("set up on"), null=True, blank=True, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    experts = models.ManyToManyField(
        Expert,
        related_name="workstations",
        blank=True,
        verbose_name=_("experts in residence"),
    )
    sources = models.ManyToManyField(
        Source, related_name="workstations", blank=True, verbose_name=_("sources")
    )

    date_field = "established_on"

    history = HistoricalRecords(m2m_fields=[experts, sources])

    class Meta:
        ordering = ["name_en"]
        indexes = [
            # Counting a district's records (home, /stats/): migration 0006.
            models.Index(
                fields=["district", "publication_status", "is_demo"],
                name="workstation_district_count",
            ),
            models.Index(fields=["name_en"], name="workstation_name"),
            models.Index(fields=["established_on"], name="workstation_established_on"),
            models.Index(fields=["status"], name="workstation_status"),
        ]
        verbose_name = _("academician workstation")
        verbose_name_plural = _("academician workstations")


class Entrepreneur(Person):
    """A person from abroad who signed with a host, such as an industrial park."""

    class Status(models.TextChoices):
        SIGNED = "signed", _("Signed")
        SETTLED = "settled", _("Settled in the zone")
        LEFT = "left", _("Left")

    country_or_region_en = models.CharField(
        _("country or region (English)"), max_length=100, blank=True
    )
    country_or_region_zh = models.CharField(
        _("country or region (Chinese)"), max_length=100, blank=True
    )
    venture_en = models.CharField(_("venture (English)"), max_length=200, blank=True)
    venture_zh = models.CharField(_("venture (Chinese)"), max_length=200, blank=True)
    country_or_region = bilingual("country_or_region")
    venture = bilingual("venture")
    host_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="entrepreneurs",
        verbose_name=_("signed with"),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="entrepreneurs",
        null=True,
        blank=True,
        verbose_name=_("district"),
    )
    field = models.ForeignKey(
        ResearchField,
        on_delete=models.PROTECT,
        related_name="entrepreneurs",
        null=True,
        blank=True,
        verbose_name=_("field"),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SIGNED
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="entrepreneurs",
        null=True,
        blank=True,
        verbose_name=_("project"),
    )
    sources = models.ManyToManyField(
        Source,
        related_name="entrepreneurs",
        blank=True,
        verbose_name=_("sources"),
    )

    date_field = "signed_on"

    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["name_en"]
        indexes = [
            # Counting a district's records (home, /stats/): migration 0006.
            models.Index(
                fields=["district", "publication_status", "is_demo"],
                name="overseasentr_district_count",
            ),
            models.Index(fields=["name_en"], name="entrepreneur_name"),
            models.Index(fields=["signed_on"], name="entrepreneur_signed_on"),
            models.Index(fields=["country_or_region_en"], name="entrepreneur_country"),
            models.Index(fields=["status"], name="entrepreneur_status"),
        ]
        verbose_name = _("overseas entrepreneur")
        verbose_name_plural = _("overseas entrepreneurs")
