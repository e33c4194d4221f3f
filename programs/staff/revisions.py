"""
The history of records: the system account, and putting deleted records back.

Every save of a record writes a version to its history (django-simple-history)
naming the user who made it. In the admin that is the signed-in user (the
request middleware, or the admin setting ``_history_user``); changes made from
a shell or a management command have no request, so ``load_seeds`` names
``talentzone-system`` instead of leaving the version anonymous.

A deleted record's history stays: its last version is the one the deletion
wrote, and ``restore()`` saves it back under its old primary key.
"""

import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import CASCADE, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

SYSTEM_USERNAME = "talentzone-system"


def system_user():
    """Return the system account, creating it on first use.

    It cannot sign in: it is inactive and has no usable password.
    """
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "is_active": False,
            "first_name": "Talentzone",
            "last_name": "system",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# Deleted records ------------------------------------------------------------


def history_model(model):
    """Return the model of ``model``'s history, or None if it keeps none."""
    manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager_name).model if manager_name else None


def _latest_versions(history):
    """Return ``history`` narrowed to each record's latest version."""
    pk_name = history.model.instance_type._meta.pk.attname
    latest = (
        history.model.objects.filter(**{pk_name: OuterRef(pk_name)})
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return history.filter(history_id=Subquery(latest))


def deleted_versions(model):
    """Return the last version of every ``model`` record deleted and not restored.

    Newest deletion first; each row is the version that the deletion wrote.
    """
    history = history_model(model).objects.all()
    pk_name = model._meta.pk.attname
    return (
        _latest_versions(history)
        .filter(history_type="-")
        .exclude(**{f"{pk_name}__in": model._default_manager.values("pk")})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


class RestoreError(Exception):
    """A deleted record cannot be put back (say, its slug is taken)."""


def restore(deletion, user):
    """Put back the record whose deletion wrote version ``deletion``; return it.

    The record keeps its primary key and slug; its many-to-many links (its
    sources, a workstation's experts) are those of its last version before the
    deletion, and the records deleted with it (an agreement's parties) and the
    links other records had to it come back too. Every save is written to the
    history as done by ``user``.
    """
    model = deletion.instance_type
    if model._default_manager.filter(pk=deletion.instance.pk).exists():
        raise RestoreError(_("It has already been restored."))
    last_version = deletion.prev_record
    record = deletion.instance
    record._history_user = user
    # A form opened before the deletion must not save over the restored record.
    record.version += 1
    try:
        with transaction.atomic():
            record.save(force_insert=True)
            if last_version is not None:
                _restore_many_to_many(record, last_version)
            _restore_cascaded(record, deletion, last_version, user)
            _restore_links_to(record, user)
    except IntegrityError as exc:
        raise RestoreError(
            _("Another record now has its slug, or a record it points to is gone.")
        ) from exc
    return record


def _existing(model, pks):
    return list(model._default_manager.filter(pk__in=list(pks)))


def _restore_many_to_many(record, version):
    """Set ``record``'s many-to-many links to those ``version`` recorded."""
    for field in version._history_m2m_fields:
        target_name = field.m2m_reverse_field_name()
        pks = getattr(version, field.name).values_list(f"{target_name}_id", flat=True)
        getattr(record, field.name).set(_existing(field.related_model, pks))


def _restore_cascaded(record, deletion, last_version, user):
    """Restore the rows the deletion took with it (an agreement's parties).

    They are the rows of a cascading relation deleted in the minute before
    the record, and after its last version (rows removed in an earlier edit
    stay removed).
    """
    since = deletion.history_date - datetime.timedelta(minutes=1)
    if last_version is not None:
        since = max(since, last_version.history_date)
    for relation in record._meta.related_objects:
        history = history_model(relation.related_model)
        if relation.on_delete is not CASCADE or history is None:
            continue
        versions = _latest_versions(
            history.objects.filter(
                **{
                    relation.field.attname: record.pk,
                    "history_date__gte": since,
                    "history_date__lte": deletion.history_date,
                }
            )
        ).filter(history_type="-")
        for version in versions:
            row = version.instance
            if not type(row)._default_manager.filter(pk=row.pk).exists():
                row._history_user = user
                row.save(force_insert=True)


def _restore_links_to(record, user):
    """Put ``record`` back into other records' many-to-many links.

    Deleting a record removes it from the links (a project's sources) without
    writing those records' history, so a record whose latest version still
    lists it had that link until the deletion.
    """
    for owner in apps.get_models():
        history = history_model(owner)
        if history is None:
            continue
        for field in getattr(history, "_history_m2m_fields", ()):
            if field.related_model is not type(record):
                continue
            links = getattr(history, field.name).model.objects.filter(
                **{
                    field.m2m_reverse_field_name(): record.pk,
                    "history__in": _latest_versions(history.objects.all()).values(
                        "history_id"
                    ),
                }
            )
            owner_pks = links.values_list(f"{field.m2m_field_name()}_id", flat=True)
            for linked in _existing(owner, owner_pks):
                linked._history_user = user
                getattr(linked, field.name).add(record)
