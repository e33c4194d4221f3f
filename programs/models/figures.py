"""Figures a source announces without naming what it counts."""

from typing import NamedTuple

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import OuterRef, Q
from django.db.models.lookups import Exact, IsNull
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import Record, RecordQuerySet, bilingual, count_of
from .programmes import Agreement, Entrepreneur, Expert, Project, Workstation
from .reference import District, Organization, Source

# The subjects that count projects: only their figures name an agreement.
PROJECT_SUBJECTS = ["key_projects", "talent_projects", "projects", "platforms"]


class FigureQuerySet(RecordQuerySet):
    def with_on_record(self):
        """Annotate each figure with ``on_record``: matching public records on file.

        None for a subject that no kind of record matches (policies, say).

        Demo records are not counted: they are invented, not on record.

        One correlated subquery per kind of record, chosen by the figure's
        subject, so a page of figures costs one query however many it shows.
        """
        cases = [
            models.When(subject=subject, then=_count_matching(subject))
            for subject in FIGURE_TARGETS
        ]
        # No default: a subject no kind of record matches has None on
        # record, not 0 (a count on file is 0 or more, never NULL).
        return self.annotate(
            on_record=models.Case(*cases, output_field=models.IntegerField())
        )

    def counting(self, record):
        """Return the figures that ``record`` counts toward."""
        condition = _figures_counting(record)
        if condition is None:
            # A bare none(), not this queryset's: Django compiles a query's
            # select (here the on-record counts) before it finds that its
            # where matches nothing, 1.6 of a demo expert's page's 7.3 ms.
            return self.model.objects.none()
        return self.filter(condition)


class FigureManager(models.Manager.from_queryset(FigureQuerySet)):
    pass


class AnnouncedFigure(Record):
    """A number a source announces without naming what it counts.

    "Eight key projects were unveiled", "more than 40 workstations as of the end
    of 2022": the value is kept as announced, with its qualifier, and set beside
    the number of matching records on file.
    """

    class Subject(models.TextChoices):
        KEY_PROJECTS = "key_projects", _("key projects")
        TALENT_PROJECTS = (
            "talent_projects",
            _("overseas-talent innovation and entrepreneurship projects"),
        )
        WORKSTATIONS = "workstations", _("academician workstations")
        EXPERTS = "experts", _("experts appointed")
        ENTREPRENEURS = "entrepreneurs", _("overseas entrepreneurs signed")
        # What reports count beyond the kinds above. Projects and platforms
        # are kinds of project, so records on file match them; nothing on
        # file matches the rest, whose figures stand alone.
        PROJECTS = "projects", _("projects")
        PLATFORMS = "platforms", _("platforms")
        AGREEMENTS = "agreements", _("agreements")
        ORGANIZATIONS = "organizations", _("companies and organizations")
        TALENT = "talent", _("talented people")
        POLICIES = "policies", _("policies")

    class Qualifier(models.TextChoices):
        EXACTLY = "exactly", _("exactly")
        MORE_THAN = "more_than", _("more than")
        ABOUT = "about", _("about")

    class DateRule(models.TextChoices):
        ON = "on", _("on that date")
        AS_OF = "as_of", _("in total as of that date")

    label_en = models.CharField(_("label (English)"), max_length=200)
    label_zh = models.CharField(_("label (Chinese)"), max_length=200, blank=True)
    subject = models.CharField(
        _("what it counts"), max_length=20, choices=Subject.choices
    )
    value = models.PositiveIntegerField(_("value"))
    qualifier = models.CharField(
        _("qualifier"),
        max_length=12,
        choices=Qualifier.choices,
        default=Qualifier.EXACTLY,
    )
    as_of = models.DateField(_("as of"), db_index=True)
    date_rule = models.CharField(
        _("counts records dated"),
        max_length=8,
        choices=DateRule.choices,
        default=DateRule.ON,
        help_text=_(
            "'On that date' for what an event announced; 'as of' for a running total."
        ),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="announced_figures",
        null=True,
        blank=True,
        verbose_name=_("district"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="announced_figures",
        null=True,
        blank=True,
        verbose_name=_("organization"),
        help_text=_(
            "The lead of the projects, the host of the workstations or entrepreneurs, "
            "or who appointed the experts."
        ),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="announced_figures",
        null=True,
        blank=True,
        verbose_name=_("agreement"),
        help_text=_("Only for figures that count projects."),
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="announced_figures",
        verbose_name=_("source"),
    )

    # Where in its source the figure stands (programs.models.evidence).
    evidence = GenericRelation("programs.Evidence")

    objects = FigureManager()

    date_field = "as_of"

    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_of", "subject"]
        verbose_name = _("announced figure")
        verbose_name_plural = _("announced figures")
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=True) | Q(subject__in=PROJECT_SUBJECTS),
                name="%(app_label)s_%(class)s_agreement_only_for_projects",
                violation_error_message=_(
                    "Only figures that count projects name an agreement."
                ),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def has_records(self):
        """Return True if records on file can match this figure's subject."""
        return self.subject in FIGURE_TARGETS

    # Partials name any record by name_en/name_zh; a figure's name is its label.
    name_en = property(lambda self: self.label_en)
    name_zh = property(lambda self: self.label_zh)
    name = bilingual("label")


class FigureTarget(NamedTuple):
    """The records a figure of one subject counts."""

    model: type[models.Model]
    kind_filter: dict
    organization_field: str
    # Only projects come under an agreement, so only their figures name one.
    agreement_field: str | None = None

    def records(self):
        # Demo records are invented: they never count toward a sourced figure.
        return self.model.objects.public().filter(is_demo=False, **self.kind_filter)


FIGURE_TARGETS = {
    AnnouncedFigure.Subject.KEY_PROJECTS: FigureTarget(
        Project, {"kind": Project.Kind.KEY_PROJECT}, "lead_organization", "agreement"
    ),
    AnnouncedFigure.Subject.TALENT_PROJECTS: FigureTarget(
        Project,
        {"kind": Project.Kind.OVERSEAS_TALENT},
        "lead_organization",
        "agreement",
    ),
    AnnouncedFigure.Subject.WORKSTATIONS: FigureTarget(
        Workstation, {}, "host_organization"
    ),
    AnnouncedFigure.Subject.EXPERTS: FigureTarget(Expert, {}, "appointed_by"),
    AnnouncedFigure.Subject.ENTREPRENEURS: FigureTarget(
        Entrepreneur, {}, "host_organization"
    ),
    AnnouncedFigure.Subject.PROJECTS: FigureTarget(
        Project, {}, "lead_organization", "agreement"
    ),
    AnnouncedFigure.Subject.PLATFORMS: FigureTarget(
        Project, {"kind": Project.Kind.PLATFORM}, "lead_organization", "agreement"
    ),
}


# Subjects that name a kind of record but match none on file (a figure of
# agreements counts signings that need not be agreements on file here): their
# figures still belong beside that kind's list.
LISTED_WITHOUT_TARGET = {
    AnnouncedFigure.Subject.AGREEMENTS: Agreement,
    AnnouncedFigure.Subject.ORGANIZATIONS: Organization,
}


def subjects_about(model):
    """Return the subjects of the figures that count records like ``model``'s."""
    listed = {subject: target.model for subject, target in FIGURE_TARGETS.items()}
    listed.update(LISTED_WITHOUT_TARGET)
    return [
        subject for subject, listed_model in listed.items() if listed_model is model
    ]


def _matches_scope(figure_field, record_field):
    """Match records whose ``record_field`` is the figure's, or any if it names none."""
    return Q(IsNull(OuterRef(figure_field), True)) | Q(
        **{record_field: OuterRef(figure_field)}
    )


def _count_matching(subject):
    """Return a subquery counting the public records a figure of ``subject`` counts."""
    target = FIGURE_TARGETS[subject]
    date_field = target.model.date_field
    counts_on_the_date = Q(Exact(OuterRef("date_rule"), AnnouncedFigure.DateRule.ON))
    records = target.records().filter(
        _matches_scope("district", "district"),
        _matches_scope("organization", target.organization_field),
        (counts_on_the_date & Q(**{date_field: OuterRef("as_of")}))
        | (~counts_on_the_date & Q(**{f"{date_field}__lte": OuterRef("as_of")})),
    )
    if target.agreement_field:
        records = records.filter(_matches_scope("agreement", target.agreement_field))
    return count_of(records)


def _figures_counting(record):
    """Return a Q matching the figures that ``record`` counts toward, or None
    if it counts toward none: a demo record, a record of no figure's kind, an
    undated one."""
    if record.is_demo:
        return None
    subjects = [
        subject
        for subject, target in FIGURE_TARGETS.items()
        if isinstance(record, target.model)
        and all(getattr(record, k) == v for k, v in target.kind_filter.items())
    ]
    if not subjects:
        return None
    target = FIGURE_TARGETS[subjects[0]]
    record_date = getattr(record, target.model.date_field)
    if record_date is None:
        return None
    organization_id = getattr(record, f"{target.organization_field}_id")
    scope = Q(subject__in=subjects)
    scope &= Q(district__isnull=True) | Q(district_id=record.district_id)
    scope &= Q(organization__isnull=True) | Q(organization_id=organization_id)
    if target.agreement_field:
        agreement_id = getattr(record, f"{target.agreement_field}_id")
        scope &= Q(agreement__isnull=True) | Q(agreement_id=agreement_id)
    on_the_date = Q(date_rule=AnnouncedFigure.DateRule.ON, as_of=record_date)
    as_of = Q(date_rule=AnnouncedFigure.DateRule.AS_OF, as_of__gte=record_date)
    return scope & (on_the_date | as_of)
