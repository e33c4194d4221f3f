"""
Edit versions: every save of a record raises its ``version`` by one.

The admin's forms carry the version a record had when they were opened and
refuse to save if it has moved on since (``programs/staff/admin/locking.py``). For
that to catch every change, and not only the admin's own, the version is
raised here, on ``pre_save`` of every record model: ``load_seeds``, imports,
the publishing actions, reverts and any other ``save()`` raise it too.

Without an extra query when the record was read from the database: its
``version`` is the stored one, so the new one is that plus one. A record that
was not read from the database (``loaddata``'s raw saves, an instance rebuilt
from its history to revert it) carries some other version, so the stored one
is read first. A ``save(update_fields=...)`` that leaves ``version`` out would
not write it; that one is raised in the database instead.

``QuerySet.update()`` sends no signal: write ``version=F("version") + 1``
alongside whatever it changes.
"""

from django.db.models import F
from django.db.models.signals import pre_save

from ..models.base import Record

VERSION = "version"


def _stored_version(model, instance, using):
    return (
        model._base_manager.using(using)
        .filter(pk=instance.pk)
        .values_list(VERSION, flat=True)
        .first()
    )


def raise_version(sender, instance, raw=False, using=None, update_fields=None, **_):
    """Give ``instance`` the next version, before it is saved over a stored row."""
    if instance.pk is None:
        return  # a new record keeps the version it starts with
    rebuilt = raw or instance._state.adding or hasattr(instance, "_history")
    if rebuilt:
        stored = _stored_version(sender, instance, using)
        if stored is None:
            return  # a new row after all (or a deleted record being restored)
        instance.version = stored + 1
    else:
        instance.version += 1
    if update_fields is not None and VERSION not in update_fields:
        sender._base_manager.using(using).filter(pk=instance.pk).update(
            version=F(VERSION) + 1
        )


def connect_signals(app_config):
    """Raise the version on every save of each of the app's record models."""
    for model in app_config.get_models():
        if issubclass(model, Record):
            pre_save.connect(
                raise_version,
                sender=model,
                dispatch_uid=f"raise-version-{model._meta.label_lower}",
            )
