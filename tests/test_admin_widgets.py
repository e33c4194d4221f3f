"""The changelists' per-row widgets write Django's HTML without its templates."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from programs.staff.admin.widgets import RowHiddenInput, RowSelect

CHOICES = [
    ("", "---------"),
    ("planned", "Planned"),
    ("a&b", 'Quotes " and <tags>'),
    (3, mark_safe("<b>safe</b>")),
    (mark_safe("<i>"), "A safe value"),
]


@pytest.mark.parametrize(
    "value", [None, "", "planned", "a&b", 3, "unknown", mark_safe("<i>")]
)
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_form-0-status"}, {"required": True, "disabled": False}],
)
def test_a_row_select_is_djangos_select_byte_for_byte(value, attrs):
    ours = RowSelect(choices=CHOICES).render("form-0-status", value, attrs)
    django = forms.Select(choices=CHOICES).render("form-0-status", value, attrs)
    assert ours == django


def test_grouped_choices_are_left_to_django():
    grouped = [("Open", [("a", "A"), ("b", "B")]), ("Closed", [("c", "C")])]
    ours = RowSelect(choices=grouped).render("status", "b")
    assert ours == forms.Select(choices=grouped).render("status", "b")


@pytest.mark.parametrize("value", [None, "", 7, 'a&b "quoted" <tag>', mark_safe("<b>")])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_form-0-id"}, {"required": True, "disabled": False}]
)
def test_a_row_hidden_input_is_djangos_byte_for_byte(value, attrs):
    ours = RowHiddenInput().render("form-0-id", value, attrs)
    django = forms.HiddenInput().render("form-0-id", value, attrs)
    assert ours == django
