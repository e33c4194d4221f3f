"""Slugs that never collide by accident (programs/staff/slugs.py and the
admin's RecordForm)."""

import pytest
from django.urls import reverse

from programs.models import Expert, PublicationStatus
from programs.staff.slugs import slug_from_names, unique_slug

from . import factories as f


@pytest.mark.parametrize(
    ("english", "chinese", "slug"),
    [
        ("Zhang Wei", "张伟", "zhang-wei"),
        ("", "张伟", "zhang-wei"),
        ("上海市科协", "", "shang-hai-shi-ke-xie"),
        ("SAST & Qingpu: 2023!", "", "sast-qingpu-2023"),
        ("", "", ""),
    ],
)
def test_a_slug_comes_from_the_english_name_else_from_pinyin(english, chinese, slug):
    """Latin letters make the slug; a name without them is read in pinyin."""
    assert slug_from_names(english, chinese) == slug


@pytest.mark.django_db
def test_a_taken_slug_gets_the_next_free_number():
    """Drafts hold their slugs too; the first free of -2, -3... is given."""
    f.make_expert(slug="zhang-wei")
    f.make_expert(slug="zhang-wei-2", publication_status=PublicationStatus.DRAFT)

    assert unique_slug(Expert, "zhang-wei") == "zhang-wei-3"
    assert unique_slug(Expert, "li-na") == "li-na"


def add_expert(client, **fields):
    organization = f.make_organization()
    data = {
        "name_en": "Zhang Wei",
        "name_zh": "张伟",
        "appointed_by": organization.pk,
        "status": Expert.Status.APPOINTED,
        "publication_status": PublicationStatus.DRAFT,
        **fields,
    }
    return client.post(reverse("admin:programs_expert_add"), data)


@pytest.mark.django_db
def test_a_second_zhang_wei_is_added_without_an_error(admin_client):
    """The slug the admin's script fills in from the name is made free."""
    first = add_expert(admin_client, slug="zhang-wei")
    second = add_expert(admin_client, slug="zhang-wei")

    assert first.status_code == second.status_code == 302
    assert sorted(Expert.objects.values_list("slug", flat=True)) == [
        "zhang-wei",
        "zhang-wei-2",
    ]


@pytest.mark.django_db
def test_a_blank_slug_is_made_from_the_name(admin_client):
    """Left blank, the slug comes from the name; Chinese-only in pinyin."""
    add_expert(admin_client, slug="", name_en="李娜", name_zh="")

    assert Expert.objects.get().slug == "li-na"


@pytest.mark.django_db
def test_a_slug_typed_by_hand_is_kept_and_refused_when_taken(admin_client):
    """A slug of staff's own choosing is theirs: taken, it is an error."""
    f.make_expert(slug="wang-expert")

    response = add_expert(admin_client, slug="wang-expert")

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


@pytest.mark.django_db
def test_a_saved_slug_stays_when_the_name_changes(admin_client):
    """Renaming a record keeps its address: links to it keep working."""
    add_expert(admin_client, slug="zhang-wei")
    expert = Expert.objects.get()
    change = reverse("admin:programs_expert_change", args=[expert.pk])
    data = {
        "name_en": "Zhang Wei (renamed)",
        "slug": expert.slug,
        "appointed_by": expert.appointed_by_id,
        "status": expert.status,
        "publication_status": expert.publication_status,
        "version": expert.version,
    }

    response = admin_client.post(change, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    expert.refresh_from_db()
    assert (expert.name_en, expert.slug) == ("Zhang Wei (renamed)", "zhang-wei")
