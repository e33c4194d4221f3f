"""
No lost edits: a save over someone else's newer save is refused.

Every record has a ``version`` that each save raises by one
(``programs/staff/versions.py``). Every admin form that changes a record carries, in
a hidden field, the version the record had when the form was opened: the
change form, each row of a list with ``list_editable`` and each row of an
inline of records (the projects under an agreement). On save, the form
compares it with the stored version and, if they differ, refuses with a
message that says who saved, when and what they changed. The refused form is
shown again with the user's own values, so nothing typed is lost.

The comparison happens in the form's ``clean()``, inside the transaction that
the admin's change view (and, here, the list's save and the revert view) runs
in, and reads the stored version with ``SELECT ... FOR UPDATE``. On PostgreSQL
that locks the row until the save commits: a second save of the same record
waits for the first to commit and then sees its version, so two saves cannot
both pass the check. SQLite ignores ``FOR UPDATE`` but lets one connection
write at a time: the later writer fails with "database is locked" rather than
overwriting.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...models.base import Record
from ..versions import VERSION
from .widgets import RowHiddenInput

NOT_SAVED = gettext_lazy("Your changes have not been saved.")
REAPPLY = gettext_lazy("Copy your edits, reload the page, and apply them again.")


class VersionField(forms.CharField):
    """The version a record had when its form was opened, sent back hidden.

    A CharField, not an IntegerField, so that a missing or garbled value is
    refused by the form's ``clean()`` with a message at the top of the form:
    a hidden field's own errors would show nowhere. It never counts as a
    change, so an untouched list row or inline row is still left alone.
    """

    widget = RowHiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        return False


def opened_version(record):
    """Return the version a form showing ``record`` was opened at."""
    if hasattr(record, "_history"):
        # Rebuilt from its history to be reverted: it carries the version it
        # had then; the form must carry the one stored now.
        return stored_version(record, lock=False)
    return record.version


def stored_version(record, lock=True):
    """Return ``record``'s stored version, locking its row in a transaction."""
    using = router.db_for_write(type(record), instance=record)
    rows = type(record)._base_manager.using(using).filter(pk=record.pk)
    if lock and transaction.get_connection(using).in_atomic_block:
        rows = rows.select_for_update()
    return rows.values_list(VERSION, flat=True).first()


class VersionCheckedForm:
    """A model form mixin that refuses to save over a newer version."""

    # False for list and inline rows: a row that changes nothing saves nothing.
    check_unchanged = True
    refused_as_stale = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION].initial = opened_version(self.instance)

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None or not (self.check_unchanged or self.has_changed()):
            return cleaned_data
        record = self.instance._meta.verbose_name
        try:
            opened = int(self.data.get(self.add_prefix(VERSION), ""))
        except ValueError:
            raise ValidationError(
                _(
                    "This form did not say which version of the %(record)s it was "
                    "opened at, so it cannot tell whether someone else has saved "
                    "it since. Your changes have not been saved. Reload the page "
                    "and apply them again."
                )
                % {"record": record},
                code="no_version",
            ) from None
        stored = stored_version(self.instance)
        if stored is None:
            raise ValidationError(
                _("Someone else deleted this %(record)s after you opened it.")
                % {"record": record}
                + f" {NOT_SAVED}",
                code="deleted",
            )
        if stored != opened:
            self.refused_as_stale = True
            raise ValidationError(
                describe_saves_since(self.instance, opened), code="stale"
            )
        # The new version the save writes is this plus one.
        self.instance.version = stored
        return cleaned_data


def versioned_form(form_class, check_unchanged=True):
    """Return ``form_class`` with a hidden version that refuses stale saves."""
    return type(
        form_class.__name__,
        (VersionCheckedForm, form_class),
        {VERSION: VersionField(), "check_unchanged": check_unchanged},
    )


class RowKeyInput(RowHiddenInput):
    """A row's hidden primary key, followed by the row's hidden version.

    The list and the tabular inlines render a row's primary key and nothing
    else hidden, so the version travels beside it.
    """

    def __init__(self, form, attrs=None):
        super().__init__(attrs)
        self.form = form

    def render(self, name, value, attrs=None, renderer=None):
        key = super().render(name, value, attrs, renderer)
        return mark_safe(key + str(self.form[VERSION]))


class VersionedFormSet:
    """A model formset mixin that sends each row's version with its key."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        key = form.fields.get(self._pk_field.name)
        if VERSION in form.fields and key is not None and key.widget.is_hidden:
            key.widget = RowKeyInput(form)


def versioned_changelist_formset(formset):
    """Return the list's ``formset`` with each row's version checked."""
    return type(formset.__name__, (VersionedFormSet, formset), {})


def versioned_formset(formset_class):
    """Return ``formset_class`` whose changed rows refuse stale saves."""
    return type(
        formset_class.__name__,
        (VersionedFormSet, formset_class),
        {"form": versioned_form(formset_class.form, check_unchanged=False)},
    )


def describe_saves_since(record, opened):
    """Say who saved ``record`` since version ``opened``, when, and what changed."""
    model = type(record)
    saves = list(
        record.history.filter(version__gt=opened)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names = {"record": model._meta.verbose_name}
    if not saves:  # changed by something that kept no history
        return " ".join(
            [
                _("Someone else saved this %(record)s after you opened it.") % names,
                str(NOT_SAVED),
                str(REAPPLY),
            ]
        )
    names["time"] = _when(saves[-1].history_date)
    users = list(
        dict.fromkeys(s.history_user.get_username() for s in saves if s.history_user)
    )
    if users:
        names["users"] = ", ".join(users)
        saved = _(
            "Someone else saved this %(record)s at %(time)s (by %(users)s) "
            "after you opened it."
        )
    else:
        saved = _("Someone else saved this %(record)s at %(time)s after you opened it.")
    sentences = [saved % names, str(NOT_SAVED)]
    changes = _changes(model, record, opened, saves[-1])
    if changes:
        sentences.append(_("Their changes: %(changes)s.") % {"changes": changes})
    sentences.append(str(REAPPLY))
    return " ".join(sentences)


def _when(moment):
    moment = timezone.localtime(moment)
    if moment.date() == timezone.localdate():
        return date_format(moment, "H:i")
    return date_format(moment, "Y-m-d H:i")


def _changes(model, record, opened, latest):
    """Return the fields changed between version ``opened`` and ``latest``."""
    base = (
        record.history.filter(version=opened).order_by("history_date", "history_id")
    ).last()
    if base is None:
        return ""
    delta = latest.diff_against(base, foreign_keys_are_objs=True)
    described = []
    for change in delta.changes:
        try:
            field = model._meta.get_field(change.field)
        except FieldDoesNotExist:
            continue
        if field.many_to_many:
            described.append(
                _("%(field)s changed") % {"field": field.verbose_name},
            )
        else:
            described.append(
                _("%(field)s: “%(old)s” → “%(new)s”")
                % {
                    "field": field.verbose_name,
                    "old": _shown(field, change.old),
                    "new": _shown(field, change.new),
                }
            )
    return "; ".join(described)


def _shown(field, value):
    if value in (None, ""):
        return _("(empty)")
    if field.choices:
        value = dict(field.flatchoices).get(value, value)
    return Truncator(str(value)).chars(60)


class LockedEditAdmin:
    """Refuses a change form, list edit or revert made from an out-of-date copy.

    Every form that changes a record carries the version it was opened at;
    see the module's docstring for how the check holds under concurrency.
    RecordAdmin puts ``versioned_form()`` on its change form and on each row
    of its list, ``versioned_changelist_formset()`` on the list, and runs a
    revert in one transaction, as the change view does.
    """

    def fieldsets_with_version(self, request, obj, fieldsets):
        """Return ``fieldsets`` with the hidden version field, where it is needed.

        Called by RecordAdmin.get_fieldsets for a record that exists.
        """
        if not self.has_change_permission(request, obj):
            return fieldsets
        if VERSION in flatten_fieldsets(fieldsets):
            return fieldsets
        # Hidden, in the last fieldset: the change form renders only the
        # fields its fieldsets name.
        *others, (title, options) = fieldsets
        return [*others, (title, {**options, "fields": [*options["fields"], VERSION]})]

    def form_fields_without_version(self, request, obj, kwargs):
        """Return get_form()'s ``kwargs`` for ``obj`` with the version left out.

        The version is not a model form field (the model's is not editable):
        versioned_form() adds it. Called by RecordAdmin.get_form.
        """
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [name for name in kwargs["fields"] if name != VERSION]
        return kwargs

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if issubclass(inline.model, Record):
                formset = versioned_formset(formset)
            yield formset, inline

    def changelist_view(self, request, extra_context=None):
        if not (request.method == "POST" and "_save" in request.POST):
            return super().changelist_view(request, extra_context)
        # The list's own save is atomic, but not its validation, where the
        # rows' versions are checked and locked.
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        formset = getattr(changelist, "formset", None)
        stale = [
            form.instance
            for form in getattr(formset, "forms", ())
            if form.refused_as_stale
        ]
        if stale:
            self.message_user(
                request,
                " ".join(
                    [
                        _(
                            "Nothing was saved: someone else saved %(records)s "
                            "after you opened this list."
                        )
                        % {"records": ", ".join(f"“{record}”" for record in stale)},
                        str(REAPPLY),
                    ]
                ),
                messages.ERROR,
            )
        return response
