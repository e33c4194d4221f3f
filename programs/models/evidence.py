"""Where in its source each fact of a record stands."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reference import Source


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
    record = GenericForeignKey("content_type", "object_id")
    paragraph = models.PositiveSmallIntegerField(
        _("paragraph"), help_text=_("Counted from 1, as the report's text is split.")
    )
    sentence = models.TextField(_("sentence (staff only)"))

    STAFF_ONLY_FIELDS = ("sentence",)

    class Meta:
        ordering = ["source", "paragraph"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="evidence_record")
        ]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return f"{self.source.title_en}, ¶{self.paragraph}"

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
