"""Where in its source each fact of a record stands."""

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reference import Source


class RecordReference(GenericForeignKey):
    """A record of any kind, which fixtures name ``[model label, slug]``.

    Django's deserializer passes a fixture's value through ``to_python``, so
    plain ``loaddata`` reads seeds/07_evidence.yaml as load_seeds does.
    """

    def to_python(self, value):
        if value is None or isinstance(value, models.Model):
            return value
        if not (isinstance(value, list | tuple) and len(value) == 2):
            raise ValidationError(f"expected [model label, slug], not {value!r}")
        label, slug = value
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError, TypeError) as exc:
            raise ValidationError(f"unknown model {label!r}") from exc
        try:
            return model._default_manager.get_by_natural_key(slug)
        except ObjectDoesNotExist as exc:
            label = model._meta.label_lower
            raise ValidationError(f"no {label} with slug {slug!r}") from exc
        except (AttributeError, TypeError, ValueError) as exc:
            raise ValidationError(f"{list(value)!r} does not name a record") from exc


class EvidenceManager(models.Manager):
    def get_by_natural_key(self, source, record_model, record, paragraph):
        """Return the evidence ``natural_key()`` names (seeds name it so)."""
        model = apps.get_model(record_model)
        return self.get(
            source__slug=source,
            content_type=ContentType.objects.get_for_model(model),
            object_id=model._default_manager.get_by_natural_key(record).pk,
            paragraph=paragraph,
        )


class Evidence(models.Model):
    """The place in a source that a record or figure was drawn from.

    Kept by "Add from a report" for everything it creates: the paragraph is
    cited on the record's public page; the sentence is for staff, who check a
    draft against it (the report's text stays staff-only, so does this).
    """

    source = models.ForeignKey(
        Source,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("source"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    record = RecordReference("content_type", "object_id")
    paragraph = models.PositiveSmallIntegerField(
        _("paragraph"), help_text=_("Counted from 1, as the report's text is split.")
    )
    # Empty for the seeds', which cite paragraphs only: the seed report's
    # sentences stay out of the project (seeds/07_evidence.yaml).
    sentence = models.TextField(_("sentence (staff only)"), blank=True)

    STAFF_ONLY_FIELDS = ("sentence",)

    objects = EvidenceManager()

    class Meta:
        ordering = ["source", "paragraph"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="evidence_record")
        ]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return f"{self.source.title_en}, ¶{self.paragraph}"

    def natural_key(self):
        if self.record is None:
            raise ObjectDoesNotExist("The evidence names no record yet.")
        return (
            self.source.slug,
            self.content_type.model_class()._meta.label_lower,
            self.record.slug,
            self.paragraph,
        )

    natural_key.dependencies = ["programs.source"]

    @classmethod
    def kept_for(cls, record, source, paragraph, sentence):
        """Note that ``record``'s facts stand in ``paragraph`` of ``source``."""
        return cls.objects.get_or_create(
            source=source,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            paragraph=paragraph,
            defaults={"sentence": sentence},
        )[0]
