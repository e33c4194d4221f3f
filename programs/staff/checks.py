"""
Editorial checks: nothing is published that the site cannot stand behind.

The footer of every public page promises that each fact is traced to its
source. So one rule blocks: a record is not published without at least one
published source (an announced figure: without its source published). The
admin's form and publish actions, imports and ``load_seeds`` all refuse to
publish such a record (``refused_publication``); one already published is
flagged instead.
Demo records are exempt: they are labelled as invented wherever they show.

Other problems are warnings, shown on the change form and found by the
"Needs attention" filter of every list, each saying what to do:

- a published record links to a draft or archived one (a district, an
  organization, a research field...), which its page, exports and stats
  then leave out without a word;
- a project is dated before its agreement was signed, or sits in another
  district than its agreement;
- a figure holds for a date after its source was published.

``problems(record)`` checks one record in Python (the form, the actions,
imports, seeds); ``needing_attention(queryset)`` finds the same records in
SQL (the filter). Each rule is written in both, and the tests hold them to
the same answers.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from ..models import AnnouncedFigure, Project, PublicationStatus, cites_sources

PUBLISHED = PublicationStatus.PUBLISHED


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: the field it concerns, and what to do."""

    field: str | None
    message: str
    # Blocking problems refuse publication; the others are warnings.
    blocking: bool = False


def needs_a_source(record):
    """Return True if ``record`` would be published without a source behind it."""
    if record.publication_status != PUBLISHED or record.is_demo:
        return False
    return isinstance(record, AnnouncedFigure) or cites_sources(type(record))


def unsourced(record, sources=None):
    """Return the blocking problem of a published record without a source.

    ``sources`` are the sources it is about to have (a form's or an import
    row's); by default, those it has.
    """
    if not needs_a_source(record):
        return None
    if isinstance(record, AnnouncedFigure):
        source = record.source if record.source_id else None
        if source is not None and source.is_public:
            return None
        return Problem(
            "publication_status",
            _("Publish its source first: a figure is published with its source."),
            blocking=True,
        )
    if sources is None:
        sources = record.sources.all() if record.pk else []
    if any(source.is_public for source in sources):
        return None
    return Problem(
        "publication_status",
        _(
            "Add a published source before publishing: every fact on the site "
            "is traced to its source. Save it as a draft until then."
        ),
        blocking=True,
    )


def refused_publication(record, stored, sources=None):
    """Return why ``record`` may not move to published, or None if it may.

    ``stored`` is its status in the database (None if new). Only a move to
    published is refused: a record published before this rule, or before
    its source was archived, is saved as it is, and the checks flag it.
    """
    if stored == PUBLISHED:
        return None
    return unsourced(record, sources)


def problems(record, sources=None):
    """Return every problem of ``record``, blocking ones first."""
    found = [unsourced(record, sources)]
    if record.publication_status == PUBLISHED:
        found += _draft_links(record)
        found += _contradictions(record)
    return [problem for problem in found if problem is not None]


def _draft_links(record):
    for field in record._meta.get_fields():
        if not (field.many_to_one or field.many_to_many) or field.auto_created:
            continue
        if not hasattr(field.related_model, "publication_status"):
            continue
        if field.name == "sources":
            continue  # unsourced() speaks of sources
        if field.many_to_one:
            linked = [getattr(record, field.name)]
            linked = [other for other in linked if other is not None]
        elif record.pk:
            linked = list(getattr(record, field.name).all())
        else:
            linked = []
        for other in linked:
            if other.publication_status != PUBLISHED:
                yield Problem(
                    field.name,
                    _(
                        "Its %(field)s “%(name)s” is not published: publish it, "
                        "or this record's page, exports and statistics leave "
                        "it out."
                    )
                    % {"field": field.verbose_name, "name": other},
                )


def _contradictions(record):
    if isinstance(record, Project) and record.agreement_id:
        agreement = record.agreement
        if (
            record.announced_on
            and agreement.signed_on
            and record.announced_on < agreement.signed_on
        ):
            yield Problem(
                "announced_on",
                _(
                    "It is dated before its agreement was signed (%(date)s): "
                    "check the date, or the agreement."
                )
                % {"date": agreement.signed_on.isoformat()},
            )
        if record.district_id and agreement.district_id not in (
            None,
            record.district_id,
        ):
            yield Problem(
                "district",
                _(
                    "It is in another district than its agreement (%(district)s): "
                    "check the district, or the agreement."
                )
                % {"district": agreement.district},
            )
    if isinstance(record, AnnouncedFigure) and record.source_id and record.as_of:
        published_on = record.source.published_on
        if published_on and record.as_of > published_on:
            yield Problem(
                "as_of",
                _(
                    "It holds for a date after its source was published "
                    "(%(date)s): a source cannot count ahead of itself."
                )
                % {"date": published_on.isoformat()},
            )


# The same rules in SQL, for the "Needs attention" filter ---------------------


def needing_attention(queryset):
    """Return the records of ``queryset`` that have a problem.

    Each rule is a query of its own, and the records are those whose key one
    of them finds (a UNION): an OR of the rules across their joins made
    PostgreSQL read every row, about 1.5 s at 100,000 records.
    """
    model = queryset.model
    published = Q(publication_status=PUBLISHED)
    conditions = []
    if model is AnnouncedFigure:
        conditions.append(
            published & Q(is_demo=False) & ~Q(source__publication_status=PUBLISHED)
        )
        conditions.append(published & Q(as_of__gt=F("source__published_on")))
    elif cites_sources(model):
        public_source = model.sources.through.objects.filter(
            **{
                f"{model.sources.field.m2m_field_name()}": OuterRef("pk"),
                f"{model.sources.field.m2m_reverse_field_name()}__publication_status": (
                    PUBLISHED
                ),
            }
        )
        conditions.append(published & Q(is_demo=False) & ~Exists(public_source))
    for field in model._meta.get_fields():
        if not (field.many_to_one or field.many_to_many) or field.auto_created:
            continue
        if field.name == "sources" or not hasattr(
            field.related_model, "publication_status"
        ):
            continue
        if field.many_to_one:
            conditions.append(
                published
                & Q(**{f"{field.name}__isnull": False})
                & ~Q(**{f"{field.name}__publication_status": PUBLISHED})
            )
        else:
            conditions.append(
                published
                & Q(**{f"{field.name}__publication_status__in": _unpublished()})
            )
    if model is Project:
        conditions.append(published & Q(announced_on__lt=F("agreement__signed_on")))
        conditions.append(
            published
            & Q(district__isnull=False, agreement__district__isnull=False)
            & ~Q(district=F("agreement__district"))
        )
    if not conditions:
        return queryset.none()
    manager = model._default_manager
    keys = [
        manager.filter(condition).order_by().values("pk") for condition in conditions
    ]
    return queryset.filter(pk__in=keys[0].union(*keys[1:]) if keys[1:] else keys[0])


def _unpublished():
    return [status for status in PublicationStatus.values if status != PUBLISHED]
