"""
What a record looks like in the API, and what a write must satisfy.

A record is its slug, its addresses (``url`` in the API, ``page`` on the
site), its public fields in both languages (``Kind.columns``: the exports'
columns, never a staff-only field) and when it last changed. A related
record is its slug, with its API address beside it in ``<name>_url``: one
type per field whichever way it goes, so the schema says the same thing for
reads and writes. A related record that is not published reads as null, or is
left out of a list, as on the site.

A write is checked as the admin checks a form: ``full_clean`` on the record
as it would be saved, and the publishing rule (nothing is published without a
published source). Errors name their field.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..kinds import FIGURE_COLUMNS
from ..models import (
    AnnouncedFigure,
    PublicationStatus,
    ResearchField,
    set_publication_status,
)
from ..staff.checks import refused_publication
from ..staff.slugs import slug_from_names, unique_slug
from .addresses import api_url

PUBLISHED = PublicationStatus.PUBLISHED


def is_public(record):
    return record is not None and record.publication_status == PUBLISHED


class SlugReference(serializers.SlugRelatedField):
    """A related record named by its slug in a write.

    A value holding a NUL character names no record; it is refused before the
    look-up, as PostgreSQL refuses to compare text that holds one.
    """

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class PublicSlug(SlugReference):
    """A related record by slug; null when it is not published."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", **kwargs)

    def get_attribute(self, instance):
        record = super().get_attribute(instance)
        return record if is_public(record) else None


@extend_schema_field(OpenApiTypes.URI)
class ReferenceUrl(serializers.Field):
    """The API address of the related record in field ``source``, or null."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance):
        record = super().get_attribute(instance)
        return record if is_public(record) else None

    def to_representation(self, record):
        return api_url(self.context["request"], record)


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "uri"}})
class ReferenceUrls(serializers.Field):
    """The API addresses of the related records in many-to-many ``source``.

    The view prefetches only published ones, so ``all()`` holds no other.
    """

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, manager):
        request = self.context["request"]
        return [api_url(request, record) for record in manager.all()]


class RecordSerializer(serializers.ModelSerializer):
    """Fields every kind has, and the admin's checks on every write."""

    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    slug = serializers.SlugField(
        required=False,
        max_length=120,
        help_text="Made from the English name (or the Chinese one, in pinyin) "
        "when left out. 留空时由英文名（或中文名的拼音）生成。",
    )
    publication_status = serializers.ChoiceField(
        choices=PublicationStatus.choices,
        required=False,
        help_text="Only published records can be read here; a record is "
        "published only with a published source. 仅可读取已发布的记录。",
    )

    # The (English, Chinese) fields a new record's slug is made from.
    name_fields = ("name_en", "name_zh")

    class Meta:
        read_only_fields = ("updated_at", "version")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, record):
        return api_url(self.context["request"], record)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, record):
        return self.context["request"].build_absolute_uri(record.get_absolute_url())

    def validate(self, attrs):
        model = self.Meta.model
        relations = {f.name for f in model._meta.many_to_many}
        stored = self.instance.publication_status if self.instance else None
        record = self._as_saved(attrs, relations)
        if not record.slug:
            english, chinese = (getattr(record, name) for name in self.name_fields)
            base = slug_from_names(english, chinese)
            record.slug = attrs["slug"] = unique_slug(model, base) if base else ""
        try:
            record.full_clean(exclude=relations)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        sources = attrs.get("sources")
        problem = refused_publication(record, stored, sources)
        if problem is not None:
            raise serializers.ValidationError({problem.field: [problem.message]})
        return attrs

    def _as_saved(self, attrs, relations):
        """Return the record as the write would leave it, without saving it."""
        model = self.Meta.model
        if self.instance is None:
            record = model()
        else:
            record = model._base_manager.get(pk=self.instance.pk)
            record._state.adding = False
        for name, value in attrs.items():
            if name not in relations:
                setattr(record, name, value)
        return record

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, record, data):
        """Save ``record`` with ``data`` as the admin would, in one transaction."""
        user = self.context["request"].user
        relations = {f.name for f in type(record)._meta.many_to_many}
        stored = None if record.pk is None else record.publication_status
        status = data.pop("publication_status", stored or PublicationStatus.DRAFT)
        with transaction.atomic():
            for name, value in data.items():
                if name not in relations:
                    setattr(record, name, value)
            set_publication_status(record, status, user, stored=stored)
            record._history_user = user
            record.save()
            for name in relations & data.keys():
                getattr(record, name).set(data[name])
        return record


def _reference_fields(model, columns):
    """Return the declared fields for the relations among ``columns``."""
    fields = {}
    for name in columns:
        field = model._meta.get_field(name)
        if not field.is_relation:
            continue
        target = field.related_model
        queryset = target._base_manager.all()
        if field.many_to_many:
            fields[name] = SlugReference(
                slug_field="slug", many=True, queryset=queryset, required=False
            )
        else:
            fields[name] = PublicSlug(
                queryset=queryset, required=not field.null, allow_null=field.null
            )
        if target is ResearchField:
            continue  # fields have no page, and no address in the API
        url_field = ReferenceUrls if field.many_to_many else ReferenceUrl
        fields[f"{name}_url{'s' if field.many_to_many else ''}"] = url_field(
            source=name
        )
    return fields


def serializer_for(model, columns, name_fields):
    """Return the serializer of ``model`` with its public ``columns``."""
    declared = _reference_fields(model, columns)
    field_names = [
        "slug",
        "url",
        "page",
        *[
            name
            for name in columns
            if name in declared or not _is_relation(model, name)
        ],
        *[name for name in declared if name not in columns],
        "publication_status",
        "updated_at",
        "version",
    ]
    meta = type(
        "Meta",
        (RecordSerializer.Meta,),
        {"model": model, "fields": field_names},
    )
    return type(
        f"{model.__name__}Serializer",
        (RecordSerializer,),
        {**declared, "Meta": meta, "name_fields": name_fields},
    )


def _is_relation(model, name):
    return model._meta.get_field(name).is_relation


class PartySerializer(serializers.Serializer):
    """One party to an agreement and its role in it."""

    organization = serializers.SlugField(source="organization.slug")
    organization_url = ReferenceUrl(source="organization")
    role = serializers.CharField()


def with_parties(serializer):
    """Add an agreement's parties, read-only: they are edited in the admin."""
    return type(
        serializer.__name__,
        (serializer,),
        {
            "parties": PartySerializer(
                source="public_parties", many=True, read_only=True
            ),
            "Meta": type(
                "Meta",
                (serializer.Meta,),
                {"fields": [*serializer.Meta.fields, "parties"]},
            ),
        },
    )


def figure_serializer():
    """Return the serializer of announced figures, with their count on record."""
    base = serializer_for(AnnouncedFigure, FIGURE_COLUMNS, ("label_en", "label_zh"))
    on_record = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="How many published records on file this figure counts, where "
        "a kind of record matches its subject; null where none does (policies). "
        "已存档的相应记录数；无对应记录类型时为空。",
    )
    # A figure has no page of its own: it is shown on its source's and others.
    fields = [name for name in base.Meta.fields if name != "page"]
    meta = type("Meta", (base.Meta,), {"fields": [*fields, "on_record"]})
    return type(
        "AnnouncedFigureSerializer", (base,), {"on_record": on_record, "Meta": meta}
    )
