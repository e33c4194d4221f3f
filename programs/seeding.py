"""
Load seed fixtures record by record, validating each one as the admin would.

The fixtures are in Django's serialization format with natural keys, so plain
``loaddata`` reads them too. This loader adds what ``loaddata`` lacks: every
record is checked with ``full_clean()``, a record that already exists (matched by
natural key) is updated only when a field or many-to-many set really differs, and
every problem is reported as one line naming the file, the record and the field.
"""

from functools import cached_property
from pathlib import Path

import yaml
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import DatabaseError

from .staff.checks import refused_publication
from .staff.revisions import system_user

OUTCOMES = ("created", "updated", "unchanged")


class SeedError(Exception):
    """A bad fixture, described in one line: file, record, field, problem."""

    def __init__(self, path, record, field, problem):
        self.path, self.record, self.field, self.problem = path, record, field, problem
        super().__init__(str(self))

    def __str__(self):
        parts = [self.path, self.record, self.field, self.problem]
        return " ".join(": ".join(p for p in parts if p).split())


class _SeedYamlLoader(yaml.SafeLoader):
    """Read dates as text, so that a bad date is reported against its field.

    SafeLoader would build a date itself and fail on 2023-02-30 with no hint of
    which record it was in.
    """

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(":timestamp")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def default_seed_files():
    """Return (path, name to show) for every ``seeds/*.yaml``, in file-name order."""
    base = Path(settings.BASE_DIR)
    return [
        (path, str(path.relative_to(base)))
        for path in sorted((base / "seeds").glob("*.yaml"))
    ]


def read_fixture(path, shown):
    """Return the list of records in the YAML file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(shown, None, None, f"cannot read the file ({exc})") from exc
    try:
        data = yaml.load(text, Loader=_SeedYamlLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise SeedError(shown, None, None, f"malformed YAML{where}: {problem}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise SeedError(shown, None, None, "expected a list of records")
    return data


class SeedLoader:
    """Load fixture records in order and count what each one did.

    References resolve against the database, so a record may name any record
    already there or loaded earlier in the same run, but none that comes later.
    """

    def __init__(self):
        self.counts = {}  # model label -> {"created": n, "updated": n, ...}
        self._first_seen = {}  # (model label, natural key) -> where it was first

    @cached_property
    def history_user(self):
        """Return the user the records' history names: the system account."""
        return system_user()

    def load_file(self, path, shown):
        for index, entry in enumerate(read_fixture(path, shown), start=1):
            self.load_record(entry, shown, index)

    def load_record(self, entry, shown, index):
        """Create, update or leave alone the record that ``entry`` describes."""
        model, fields, record = _parse_entry(entry, shown, index)
        fail = _Failer(shown, record)
        candidate = model()
        many = self._assign(candidate, fields, fail)
        key = _natural_key(candidate)
        existing = self._existing(model, key, fields, fail, f"{shown} {record}")
        stored = getattr(existing, "publication_status", None)
        if existing is None:
            obj, outcome, changed_many = candidate, "created", many
            _validate(obj, fail)
        else:
            obj, before = existing, _field_values(existing)
            for name in fields:  # fields the fixture leaves out keep their values
                field = model._meta.get_field(name)
                if not field.many_to_many:
                    setattr(obj, field.attname, getattr(candidate, field.attname))
            _validate(obj, fail)
            changed_many = {
                field: targets
                for field, targets in many.items()
                if set(getattr(obj, field.name).values_list("pk", flat=True))
                != {target.pk for target in targets}
            }
            changed = changed_many or _field_values(obj) != before
            outcome = "updated" if changed else "unchanged"
        if outcome != "unchanged":  # an unchanged record is not saved at all
            try:
                obj._history_user = self.history_user  # no one is signed in
                obj.save()
                for field, targets in changed_many.items():
                    getattr(obj, field.name).set(targets)
            except (DatabaseError, ValidationError) as exc:
                raise fail(None, f"could not save ({exc})") from exc
        # Seeds obey the site's promise as the admin and imports do.
        problem = (
            refused_publication(obj, stored)
            if hasattr(obj, "publication_status")
            else None
        )
        if problem is not None:
            raise fail(problem.field, "published without a published source")
        label = model._meta.label_lower
        self.counts.setdefault(label, dict.fromkeys(OUTCOMES, 0))[outcome] += 1

    def _existing(self, model, key, fields, fail, where):
        """Return the record with natural ``key`` in the database, if any."""
        if key is None or any(part in ("", None) for part in key):
            return None  # full_clean() will say which part is missing
        seen = (model._meta.label_lower, key)
        if seen in self._first_seen:
            raise fail(
                "slug" if "slug" in fields else "natural key",
                f"duplicate natural key {list(key)!r}, first given in "
                f"{self._first_seen[seen]}",
            )
        self._first_seen[seen] = where
        try:
            return model._default_manager.get_by_natural_key(*key)
        except model.DoesNotExist:
            return None

    def _assign(self, obj, fields, fail):
        """Set the fixture's fields on ``obj``; return its many-to-many targets."""
        many = {}
        for name, value in fields.items():
            field = _settable_field(type(obj), name, fail)
            if isinstance(field, GenericForeignKey):
                try:
                    setattr(obj, field.name, field.to_python(value))
                except ValidationError as exc:
                    raise fail(name, " ".join(exc.messages)) from exc
            elif field.many_to_many:
                if not isinstance(value, list):
                    raise fail(name, "expected a list of natural keys")
                many[field] = [_resolve(field, key, fail) for key in value]
                if not many[field] and not field.blank:
                    raise fail(name, "This field cannot be blank.")
            elif field.is_relation:
                target = None if value is None else _resolve(field, value, fail)
                setattr(obj, field.name, target)
            else:
                if field.null and value in field.empty_values:
                    value = None
                setattr(obj, field.attname, value)
        return many


class _Failer:
    """Build SeedErrors for one record."""

    def __init__(self, shown, record):
        self.shown, self.record = shown, record

    def __call__(self, field, problem):
        return SeedError(self.shown, self.record, field, problem)


def _parse_entry(entry, shown, index):
    """Return the model, the fields and a description of one fixture record."""
    record = f"record {index}"
    if not isinstance(entry, dict):
        raise SeedError(shown, record, None, "expected 'model' and 'fields'")
    if "pk" in entry:
        raise SeedError(shown, record, "pk", "name records by natural key, not pk")
    for key in entry:
        if key not in ("model", "fields"):
            raise SeedError(shown, record, str(key), "a record has only model, fields")
    label = entry.get("model")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError, AttributeError) as exc:
        raise SeedError(shown, record, "model", f"unknown model {label!r}") from exc
    label = model._meta.label_lower
    fields = entry.get("fields")
    if not isinstance(fields, dict):
        raise SeedError(shown, f"{label} {record}", "fields", "expected a mapping")
    slug = fields.get("slug")
    if isinstance(slug, str | int) and str(slug):
        record = f'{label} "{slug}"'
    else:
        record = f"{label} {record}"
    if not hasattr(model._default_manager, "get_by_natural_key"):
        raise SeedError(shown, record, "model", f"{label} has no natural key")
    return model, fields, record


def _settable_field(model, name, fail):
    """Return the field ``name`` of ``model`` if a fixture may set it."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist as exc:
        raise fail(name, f"unknown field of {model._meta.label_lower}") from exc
    if isinstance(field, GenericForeignKey):
        return field  # a record of any kind, named [model label, slug]
    if field.auto_created or not field.editable:
        raise fail(name, "is set automatically, not by fixtures")
    if field.many_to_many and not field.remote_field.through._meta.auto_created:
        through = field.remote_field.through._meta.label_lower
        raise fail(name, f"give it as {through} records")
    return field


def _resolve(field, key, fail):
    """Return the record that natural ``key`` names for relation ``field``."""
    target = field.related_model
    label = target._meta.label_lower
    if not isinstance(key, list) or not key:
        raise fail(field.name, f"expected a natural key such as [slug], not {key!r}")
    try:
        return target._default_manager.get_by_natural_key(*key)
    except target.DoesNotExist as exc:
        raise fail(field.name, f"no {label} with natural key {key!r}") from exc
    except (TypeError, ValueError, ValidationError, AttributeError) as exc:
        raise fail(field.name, f"{key!r} is not a natural key of {label}") from exc


def _validate(obj, fail):
    """Run the checks the admin runs: fields, choices, uniqueness, constraints."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise fail(*_describe(exc)) from exc


def _natural_key(obj):
    """Return the natural key of ``obj``, or None while a part of it is missing."""
    try:
        return tuple(obj.natural_key())
    except ObjectDoesNotExist:
        return None


def _field_values(obj):
    """Return the values a fixture can set, to tell an update from no change."""
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.editable and not field.primary_key
    }


def _describe(error):
    """Return (field, problem) for a ValidationError from full_clean()."""
    if not hasattr(error, "error_dict"):
        return None, " ".join(error.messages)
    fields = [name for name in error.message_dict if name != NON_FIELD_ERRORS]
    problems = [
        f"{name}: {' '.join(messages)}"
        if name != NON_FIELD_ERRORS
        else " ".join(messages)
        for name, messages in error.message_dict.items()
    ]
    if len(problems) == 1 and fields:
        return fields[0], " ".join(error.message_dict[fields[0]])
    return None, "; ".join(problems)
