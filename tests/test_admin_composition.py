"""How RecordAdmin is composed of its concerns (programs/staff/admin/base.py).

Each concern is a mixin; these tests pin the order they come in and that a
hook is overridden in one place only, so that moving a mixin or overriding a
hook twice fails here rather than silently in one corner of the admin.
"""

from collections import Counter

from django.contrib import admin

from programs.models import Agreement
from programs.staff.admin.base import RecordAdmin, RecordAdminDefaults
from programs.staff.admin.history import RecordHistoryAdmin
from programs.staff.admin.importing import RecordImportExportAdmin
from programs.staff.admin.locking import LockedEditAdmin
from programs.staff.admin.publishing import PublishingAdmin
from programs.staff.admin.scoping import DistrictScopedAdmin

CONCERNS = (
    DistrictScopedAdmin,
    LockedEditAdmin,
    PublishingAdmin,
    RecordImportExportAdmin,
    RecordHistoryAdmin,
)
OUR_CLASSES = [
    cls for cls in RecordAdmin.__mro__ if cls.__module__.startswith("programs.")
]


def test_the_concerns_come_in_their_order_then_the_defaults():
    """The concerns, in order, then the defaults they fall back on."""
    assert RecordAdmin.__bases__ == (*CONCERNS, RecordAdminDefaults)


def test_every_concern_comes_before_djangos_model_admin():
    """Django's ModelAdmin methods call no super(): a concern after it in the
    method resolution order would be shadowed by them, its hooks never run."""
    mro = RecordAdmin.__mro__
    model_admin = mro.index(admin.ModelAdmin)
    for concern in (*CONCERNS, RecordAdminDefaults):
        assert mro.index(concern) < model_admin, concern.__name__


def test_each_admin_hook_is_overridden_in_one_place():
    """No ModelAdmin hook is overridden by two of our classes."""
    hooks = Counter(
        name
        for cls in OUR_CLASSES
        for name, value in vars(cls).items()
        if callable(value) and hasattr(admin.ModelAdmin, name)
    )
    assert [name for name, count in hooks.items() if count > 1] == []


def test_a_concern_reaching_for_another_finds_a_default():
    """Publishing asks for the records the user may change; without scoping,
    the default answers every record, and with it scoping's answer wins."""
    assert RecordAdmin.scoped_for_change is DistrictScopedAdmin.scoped_for_change
    queryset = Agreement.objects.none()
    assert RecordAdminDefaults.scoped_for_change(None, None, queryset) is queryset


def test_searching_narrows_the_district_picker_through_scoping_or_its_default():
    """RecordAdmin's search asks scoping to narrow the district picker; without
    scoping, the default returns the results as they are."""
    assert (
        RecordAdmin.scoped_search_results is DistrictScopedAdmin.scoped_search_results
    )
    queryset = Agreement.objects.none()
    assert RecordAdminDefaults.scoped_search_results(None, None, queryset) is queryset
