"""The fields and reads that every kind of record shares."""

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The two languages every bilingual field comes in, as (field suffix, BCP 47 tag).
ENGLISH = ("en", "en")
CHINESE = ("zh", "zh-Hans")


# The characters XML 1.0 cannot hold: every C0 control but tab, line feed and
# carriage return. Word's Shift+Enter types one (\x0b); stored, it would
# break the Atom feeds and the sitemap.
XML_INVALID_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def without_control_characters(text):
    """Return ``text`` with each character XML cannot hold made a space."""
    return XML_INVALID_CHARACTERS.sub(" ", text)


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


def set_publication_status(record, status, user, *, stored):
    """Move ``record`` to ``status``, noting that ``user`` did it, and when.

    ``stored`` is the status the record has in the database (None for a new
    record, which counts as a draft). Only a move is noted: saving a record
    in the status it already had leaves who published it, and when, as they
    were. Return True if the record moves. The caller saves it.

    The one rule behind the admin's actions, its change form and imports.
    """
    record.publication_status = status
    if status == (stored or PublicationStatus.DRAFT):
        return False
    record.publication_changed_at = timezone.now()
    record.publication_changed_by = user
    return True


def cites_sources(model):
    """Return True if ``model``'s records name the sources of their facts."""
    return any(field.name == "sources" for field in model._meta.many_to_many)


def active_and_other_language():
    """Return the active language and the other one, as (suffix, tag) pairs."""
    if (get_language() or "").startswith("zh"):
        return CHINESE, ENGLISH
    return ENGLISH, CHINESE


def in_language(record, stem):
    """Return ``record``'s ``<stem>_en`` or ``<stem>_zh`` for the active language.

    Falls back to the other language when the active one is blank, and says
    which language the text is in, as ``(text, BCP 47 tag)``, so a page can
    mark a fallback with ``lang``.
    """
    preferred, other = active_and_other_language()
    for suffix, tag in (preferred, other):
        text = getattr(record, f"{stem}_{suffix}", "")
        if text:
            return text, tag
    return "", preferred[1]


def bilingual(stem, doc=None):
    """Return a property reading field ``stem`` in the active language."""
    return property(
        lambda record: in_language(record, stem)[0],
        doc=doc or f"Return the {stem} in the active language, or the other one.",
    )


class RecordQuerySet(models.QuerySet):
    """Reads shared by every kind of record."""

    def public(self):
        """Return the records a visitor may see."""
        return self.filter(publication_status=PublicationStatus.PUBLISHED)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


def count_of(queryset):
    """Return a subquery counting ``queryset``'s rows: 0, not NULL, when none.

    A bare COUNT with no GROUP BY always yields one row, so the count can be
    used as an annotation without a Coalesce.
    """
    return models.Subquery(
        queryset.order_by()
        # COUNT(*), not COUNT(pk): it needs no column, so an index over the
        # filtered columns alone can answer it (an index-only scan).
        .annotate(
            n=models.Func(template="COUNT(*)", output_field=models.IntegerField())
        )
        .values("n")
    )


class RecordManager(models.Manager.from_queryset(RecordQuerySet)):
    # A manager (not just a QuerySet) is what the fixture loader asks for
    # get_by_natural_key(), so that fixtures can name records by slug.
    pass


class Record(models.Model):
    """The fields every kind of record shares: identity, publication, timestamps."""

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    publication_status = models.CharField(
        _("publication status"),
        max_length=12,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
    )
    # db_default as well as auto_now: `loaddata` saves in raw mode, which skips
    # auto_now, and the database default still stamps those rows.
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_default=Now())
    # Who last moved the record between draft, published and archived, and
    # when; every earlier move is in its history.
    publication_changed_at = models.DateTimeField(
        _("publication changed"), null=True, blank=True, editable=False
    )
    publication_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("publication changed by"),
    )
    # Raised by one on every save through the admin, so that a form opened
    # before someone else's save is refused instead of overwriting it.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Demo records (`generate_demo`) are invented for trying the site at scale:
    # they are labelled wherever shown and never counted against a source.
    is_demo = models.BooleanField(
        _("demo data"),
        default=False,
        db_index=True,
        help_text=_("Invented by generate_demo; not drawn from any source."),
    )

    objects = RecordManager()

    # The date that places a record in time, for `year` filters and "latest"
    # lists; None for records that have none (districts, organizations).
    date_field = None

    # Fields that must never reach a public page, export or search result.
    STAFF_ONLY_FIELDS = ()

    class Meta:
        abstract = True

    def get_absolute_url(self):
        """Return the record's public page.

        Only the kinds in ``programs.kinds`` have pages; their URL names are
        built from the model name, one spelling per kind.
        """
        return reverse(f"programs:{self._meta.model_name}-detail", args=[self.slug])

    def clean(self):
        super().clean()
        errors = {
            field.name: _(
                "Remove the control character from this text (such as a line "
                "break typed with Shift+Enter): pages and feeds cannot show it."
            )
            for field in self._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField))
            and XML_INVALID_CHARACTERS.search(getattr(self, field.attname) or "")
        }
        if errors:
            raise ValidationError(errors)

    def natural_key(self):
        return (self.slug,)

    @property
    def is_public(self):
        """Return True if visitors may see this record."""
        return self.publication_status == PublicationStatus.PUBLISHED


class NamedRecord(Record):
    """A record with a name in both languages."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    # The key Chinese pages sort names by: the pinyin of name_zh, or name_en
    # lowercased when there is none (programs.sorting.name_sort_key). Filled by
    # a pre_save signal, which raw fixture loads fire too, and by hand in the
    # bulk writes that skip save().
    name_pinyin = models.CharField(
        _("name (pinyin sort key)"),
        max_length=400,
        blank=True,
        editable=False,
        db_index=True,
    )

    class Meta:
        abstract = True

    def __str__(self):
        # In the active language: the admin names records by it (choices,
        # filters, pickers, messages), and its staff read Chinese first.
        return self.name

    name = bilingual("name")


class SourcedRecord(NamedRecord):
    """A named record whose facts come from one or more sources."""

    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    # Where in its sources the record's facts stand, when "Add from a report"
    # made it (programs.models.evidence). Deleted with the record.
    evidence = GenericRelation("programs.Evidence")

    class Meta:
        abstract = True

    summary = bilingual("summary")


class Person(SourcedRecord):
    """A named person. Their contact details are for staff only."""

    email = models.EmailField(_("email (staff only)"), blank=True)
    phone = models.CharField(
        _("phone (staff only)"),
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                # Digits with the usual separators, and an extension.
                r"^\+?[0-9 ()\-]{5,30}((ext\.?|x|转) ?[0-9]{1,6})?$",
                _(
                    "Enter a phone number: digits, spaces and + - ( ), such as "
                    "+86 21 6975 0000, with an extension after “ext” if any."
                ),
            )
        ],
    )

    class Meta:
        abstract = True

    STAFF_ONLY_FIELDS = ("email", "phone")
