"""The registry of kinds (programs.kinds): what each entry promises the surfaces
that loop over it."""

import pytest
from django.contrib import admin
from django.template.loader import get_template
from django.urls import reverse

from programs.kinds import BY_KEY, KINDS, PROGRAMME_KINDS, kind_of
from programs.models import (
    Agreement,
    AnnouncedFigure,
    Entrepreneur,
    Expert,
    ResearchField,
)
from programs.site import exports, sitemaps
from programs.staff import resources
from programs.staff.admin.base import details

from . import factories as f

by_kind = pytest.mark.parametrize("kind", KINDS, ids=str)


@by_kind
def test_a_kinds_names_follow_its_one_spelling(kind):
    """Its key is its model name, and its URL names, FilterSet and templates
    follow from that."""
    assert kind.key == kind.model._meta.model_name
    assert kind.filterset.__name__ == f"{kind.model.__name__}FilterSet"
    assert kind.filterset._meta.model is kind.model
    assert reverse(kind.list_url_name)
    assert reverse(kind.detail_url_name, args=["a-slug"])
    get_template(f"programs/{kind.key}_list.html")
    get_template(f"programs/{kind.key}_detail.html")


@by_kind
def test_a_kind_has_an_admin(kind):
    """Staff can keep every kind of record in the admin."""
    assert admin.site.is_registered(kind.model)


@by_kind
def test_a_kinds_columns_are_public_fields_of_its_model(kind):
    """Every column is a field, and none is one its model keeps for staff."""
    for name in kind.columns:
        kind.model._meta.get_field(name)
    assert not set(kind.columns) & set(kind.model.STAFF_ONLY_FIELDS)


@by_kind
def test_every_surface_covers_every_kind(kind):
    """Exports, sitemap sections and the admin's import columns each cover it."""
    assert kind.model in exports.EXPORTS
    assert kind.key in sitemaps.SITEMAPS
    assert kind.list_url_name in sitemaps.STATIC_PAGES
    assert resources.RESOURCES[kind.model][0]._meta.model is kind.model


def test_the_import_columns_are_the_export_columns_and_the_staffs():
    """Staff import and export the public columns plus slug, contact and status."""
    columns = resources.columns_of(Expert)
    assert columns == [
        "slug",
        *BY_KEY["expert"].columns,
        "email",
        "phone",
        "publication_status",
    ]


def test_an_agreements_parties_are_imported_on_their_own():
    """Parties carry a role, so they have a resource of their own."""
    assert "parties" in BY_KEY["agreement"].columns
    assert "parties" not in resources.columns_of(BY_KEY["agreement"].model)


def test_lookups_come_from_the_lists_filters():
    """An organization's page and the field chart select as the lists filter."""
    assert BY_KEY["agreement"].organization_lookup == "parties"
    assert BY_KEY["expert"].organization_lookup == "appointed_by"
    assert BY_KEY["expert"].research_field_lookup == "research_fields"
    assert BY_KEY["project"].research_field_lookup == "field"
    assert BY_KEY["district"].organization_lookup is None


def test_programme_kinds_are_the_records_of_the_programmes():
    """Home counts and /stats/ charts cover the programmes, not reference data."""
    assert [kind.key for kind in PROGRAMME_KINDS] == [
        "agreement",
        "project",
        "workstation",
        "expert",
        "entrepreneur",
    ]


def test_models_without_a_page_have_no_kind():
    """Research fields and announced figures have no page of their own."""
    assert kind_of(ResearchField) is None
    assert kind_of(AnnouncedFigure) is None
    assert kind_of(Expert) is BY_KEY["expert"]


@pytest.mark.django_db
def test_a_record_links_to_its_page():
    """get_absolute_url, written once, builds each kind's detail URL."""
    expert = f.make_expert(slug="wang-li")
    assert expert.get_absolute_url() == "/experts/wang-li/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("builder", "has_page"),
    [(f.make_field, False), (f.make_figure, False), (f.make_expert, True)],
)
def test_the_admin_offers_view_on_site_only_for_records_with_a_page(
    admin_client, builder, has_page
):
    """A research field's form has no "View on site" link to a page that is not."""
    record = builder()
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert ("viewsitelink" in response.text) is has_page


def test_an_admin_details_fieldset_holds_the_kinds_columns():
    """The admin form edits what the kind exports: short English and Chinese
    texts side by side, long texts apart, and an agreement's parties left to
    their inline."""
    _title, entrepreneur = details("Details", Entrepreneur)
    assert entrepreneur["fields"][:2] == (
        ("country_or_region_en", "country_or_region_zh"),
        ("venture_en", "venture_zh"),
    )
    _title, agreement = details("Details", Agreement)
    assert agreement["fields"] == (
        "signed_on",
        "status",
        "district",
        "cooperation_areas_en",
        "cooperation_areas_zh",
    )
