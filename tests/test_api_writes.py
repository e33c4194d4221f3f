"""Writing through the API: staff tokens, under everything the admin enforces."""

import json

import pytest
from django.contrib import admin
from django.test import RequestFactory

from programs.api.urls import PREFIXES
from programs.kinds import KINDS
from programs.models import (
    AnnouncedFigure,
    ApiToken,
    Project,
    PublicationStatus,
    Role,
)

from . import factories as f

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
PUBLISHED = PublicationStatus.PUBLISHED
KEYS = [*(kind.key for kind in KINDS), "announcedfigure"]
ROLES = ["anonymous", "viewer", "editor", "qingpu editor", "superuser"]


class Api:
    """A client of the API, signed in with a token or anonymous."""

    def __init__(self, client, user=None):
        self.client = client
        self.headers = {}
        if user is not None:
            _token, key = ApiToken.issue(user, "tests")
            self.headers["Authorization"] = f"Bearer {key}"

    def url(self, key, slug=None):
        return f"/api/v1/{PREFIXES[key]}/" + (f"{slug}/" if slug else "")

    def get(self, key, slug=None, **headers):
        return self.client.get(self.url(key, slug), headers={**self.headers, **headers})

    def send(self, method, key, slug=None, data=None, **headers):
        return getattr(self.client, method)(
            self.url(key, slug),
            data=json.dumps(data) if data is not None else None,
            content_type="application/json",
            headers={**self.headers, **headers},
        )


def user_in(role, qingpu):
    if role == "anonymous":
        return None
    if role == "superuser":
        return f.make_staff("root", is_superuser=True)
    if role == "qingpu editor":
        return f.make_staff("qp", Role.DISTRICT_EDITOR, districts=[qingpu])
    return f.make_staff(role, Role(role.capitalize()))


def make(key, district):
    """A published record of ``key`` in ``district`` where it has one."""
    if key == "announcedfigure":
        return f.make_figure(district=district)
    kind = next(kind for kind in KINDS if kind.key == key)
    if key == "district":
        return district
    if kind.has_district:
        return f.make_of_kind(kind, district=district)
    return f.make_of_kind(kind)


def new_record_body(api, key, record):
    """A body that creates a draft like ``record`` (read as superuser)."""
    body = api.get(key, record.slug).json()
    body.pop("slug")
    body["publication_status"] = DRAFT
    for name in ("name_en", "title_en", "label_en"):
        if name in body:
            body[name] = f"New {body[name]}"
    for name in ("name_zh", "title_zh", "label_zh"):
        if name in body:
            body[name] = ""
    return body


def admin_allows(user, action, record):
    """What the admin would let ``user`` do to ``record``."""
    if user is None:
        return False
    request = RequestFactory().get("/admin/")
    request.user = user
    model_admin = admin.site._registry[type(record)]
    if action == "add":
        return model_admin.has_add_permission(
            request
        ) and model_admin.has_change_permission(request, record)
    return getattr(model_admin, f"has_{action}_permission")(request, record)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_write_what_the_admin_lets_it(client, qingpu, role, key):
    """The permission matrix: every role × every method × every kind gives the
    answer the admin gives, and the roles differ as the README says."""
    record = make(key, qingpu)
    user = user_in(role, qingpu)
    api = Api(client, user)
    reader = Api(client, f.make_staff("reader", is_superuser=True))
    refused = 401 if user is None else 403

    created = api.send("post", key, data=new_record_body(reader, key, record))
    expected = 201 if admin_allows(user, "add", record) else refused
    assert created.status_code == expected, created.content

    etag = reader.get(key, record.slug)["ETag"]
    patch = {
        "label_en"
        if key == "announcedfigure"
        else ("title_en" if key == "source" else "name_en"): "Changed by the API"
    }
    changed = api.send("patch", key, record.slug, patch, **{"If-Match": etag})
    expected = 200 if admin_allows(user, "change", record) else refused
    assert changed.status_code == expected, changed.content

    victim = make(key, qingpu) if key != "district" else f.make_district()
    victim_etag = reader.get(key, victim.slug)["ETag"]
    deleted = api.send("delete", key, victim.slug, **{"If-Match": victim_etag})
    expected = 204 if admin_allows(user, "delete", victim) else refused
    assert deleted.status_code == expected, deleted.content

    if role in ("viewer", "anonymous"):
        assert {created.status_code, changed.status_code, deleted.status_code} == {
            refused
        }
    if role in ("editor", "superuser"):
        assert (created.status_code, changed.status_code) == (201, 200)


def test_a_qingpu_editor_cannot_write_a_wujiang_record(client, qingpu, wujiang):
    editor = f.make_staff("qp", Role.DISTRICT_EDITOR, districts=[qingpu])
    api = Api(client, editor)
    reader = Api(client, f.make_staff("reader", is_superuser=True))
    theirs = f.make_project(district=wujiang)
    etag = reader.get("project", theirs.slug)["ETag"]

    assert (
        api.send(
            "patch", "project", theirs.slug, {"name_en": "x"}, **{"If-Match": etag}
        ).status_code
        == 403
    )
    assert (
        api.send("delete", "project", theirs.slug, **{"If-Match": etag}).status_code
        == 403
    )
    body = new_record_body(reader, "project", theirs)
    assert api.send("post", "project", data=body).status_code == 403

    # Nor move one of theirs own into Wujiang.
    mine = f.make_project(district=qingpu)
    mine_etag = reader.get("project", mine.slug)["ETag"]
    moved = api.send(
        "patch",
        "project",
        mine.slug,
        {"district": "wujiang"},
        **{"If-Match": mine_etag},
    )
    assert moved.status_code == 403
    mine.refresh_from_db()
    assert mine.district == qingpu


@pytest.fixture
def editor_api(client):
    return Api(client, f.make_staff("ed", Role.EDITOR))


def test_a_write_needs_the_current_etag(editor_api):
    project = f.make_project(name_en="Original")
    etag = editor_api.get("project", project.slug)["ETag"]

    missing = editor_api.send("patch", "project", project.slug, {"name_en": "A"})
    assert missing.status_code == 428

    first = editor_api.send(
        "patch", "project", project.slug, {"name_en": "First"}, **{"If-Match": etag}
    )
    assert first.status_code == 200
    assert first["ETag"] != etag

    stale = editor_api.send(
        "patch", "project", project.slug, {"name_en": "Second"}, **{"If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["name_en"] == "First"
    assert stale["ETag"] == first["ETag"]
    project.refresh_from_db()
    assert project.name_en == "First"  # nothing lost, nothing overwritten


def test_a_write_is_validated_like_the_admin_form(editor_api):
    project = f.make_project()
    etag = editor_api.get("project", project.slug)["ETag"]
    bad = editor_api.send(
        "patch",
        "project",
        project.slug,
        {"name_en": "A\x0bB", "announced_on": "not a date"},
        **{"If-Match": etag},
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"announced_on"} or "name_en" in bad.json()
    duplicate = editor_api.send(
        "post",
        "project",
        data={"name_en": "Dup", "kind": "key_project", "slug": project.slug},
    )
    assert duplicate.status_code == 400 and "slug" in duplicate.json()
    assert (
        editor_api.send("post", "project", data=["not", "an", "object"]).status_code
        == 400
    )
    broken = editor_api.client.post(
        "/api/v1/projects/",
        data="{",
        content_type="application/json",
        headers=editor_api.headers,
    )
    assert broken.status_code == 400 and "detail" in broken.json()


def test_nothing_is_published_without_a_published_source(editor_api):
    created = editor_api.send(
        "post",
        "project",
        data={
            "name_en": "Unsourced",
            "kind": "key_project",
            "publication_status": PUBLISHED,
        },
    )
    assert created.status_code == 400
    assert "publication_status" in created.json()
    source = f.make_source()
    sourced = editor_api.send(
        "post",
        "project",
        data={
            "name_en": "Sourced",
            "kind": "key_project",
            "publication_status": PUBLISHED,
            "sources": [source.slug],
        },
    )
    assert sourced.status_code == 201, sourced.content
    record = Project.objects.get(slug=sourced.json()["slug"])
    assert record.publication_changed_by.username == "ed"


def test_a_new_record_gets_a_slug_from_its_name(editor_api):
    # Chinese typed as the English name, as the admin's form also takes it.
    created = editor_api.send(
        "post", "project", data={"name_en": "青浦项目", "kind": "key_project"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["slug"] == "qing-pu-xiang-mu"
    assert created["Location"].endswith("/api/v1/projects/qing-pu-xiang-mu/")


def test_history_names_the_tokens_user_and_pages_show_the_edit(client, editor_api):
    project = f.make_project(name_en="Before")
    assert "Before" in client.get("/projects/").text  # now cached
    etag = editor_api.get("project", project.slug)["ETag"]
    editor_api.send(
        "patch", "project", project.slug, {"name_en": "After"}, **{"If-Match": etag}
    )
    latest = project.history.latest()
    assert latest.history_user.username == "ed"
    assert "After" in client.get("/projects/").text


def test_a_record_others_depend_on_is_not_deleted(client):
    api = Api(client, f.make_staff("root", is_superuser=True))
    organization = f.make_organization()
    f.make_agreement(parties=[organization])
    etag = api.get("organization", organization.slug)["ETag"]
    refused = api.send(
        "delete", "organization", organization.slug, **{"If-Match": etag}
    )
    assert refused.status_code in (204, 409)
    if refused.status_code == 409:
        assert "detail" in refused.json()


def test_tokens_are_stored_as_digests_and_revoked_by_deleting(client):
    user = f.make_staff("ed", Role.EDITOR)
    token, key = ApiToken.issue(user, "script")
    assert key not in (token.digest, token.prefix) and token.prefix == key[:8]
    headers = {"Authorization": f"Bearer {key}"}
    body = {"name_en": "By token", "kind": "key_project"}
    created = client.post(
        "/api/v1/projects/", body, content_type="application/json", headers=headers
    )
    assert created.status_code == 201
    token.delete()
    again = client.post(
        "/api/v1/projects/", body, content_type="application/json", headers=headers
    )
    assert again.status_code == 401
    assert again["WWW-Authenticate"].startswith("Bearer")


def test_a_figure_is_written_like_any_record(client):
    api = Api(client, f.make_staff("root", is_superuser=True))
    source = f.make_source()
    created = api.send(
        "post",
        "announcedfigure",
        data={
            "label_en": "Experts appointed",
            "subject": "experts",
            "value": 4,
            "as_of": "2023-06-15",
            "source": source.slug,
        },
    )
    assert created.status_code == 201, created.content
    assert AnnouncedFigure.objects.get(slug=created.json()["slug"]).value == 4


def test_a_slug_with_a_nul_character_is_a_field_error(editor_api):
    """A related slug holding NUL names the field (PostgreSQL cannot compare it)."""
    created = editor_api.send(
        "post",
        "project",
        data={
            "name_en": "Nul",
            "kind": "key_project",
            "lead_organization": "\x00sast",
        },
    )
    assert created.status_code == 400, created.content
    errors = created.json()
    assert "lead_organization" in str(errors)
