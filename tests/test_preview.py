"""Staff previews of records not yet public (programs/site/preview.py)."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from programs.kinds import KINDS
from programs.models import Project, PublicationStatus, Role
from programs.site import cache as page_cache
from programs.site import records
from programs.site.preview import PREVIEW_VIEWS, PreviewMixin, preview_url

from . import factories as f
from .test_views import three_of_each

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
ARCHIVED = PublicationStatus.ARCHIVED
BANNER = "Draft: not public"
NOINDEX_META = '<meta name="robots" content="noindex">'


@pytest.fixture
def editor():
    return f.client_of(f.make_staff("editor", Role.EDITOR))


@pytest.fixture
def draft():
    return f.make_project(name_en="Lakeside lab", publication_status=DRAFT)


@pytest.mark.parametrize(
    "role", [Role.EDITOR, Role.VIEWER, Role.DISTRICT_EDITOR, "superuser"]
)
def test_staff_who_may_view_see_a_draft_under_the_banner(draft, role):
    """Every role that may view records in the admin sees a draft's page, marked."""
    if role == "superuser":
        user = f.make_staff("root", is_superuser=True)
    else:
        user = f.make_staff("someone", role)
    response = f.client_of(user).get(preview_url(draft))
    assert response.status_code == 200
    assert BANNER in response.text
    assert "Lakeside lab" in response.text
    assert "programs/project_detail.html" in [t.name for t in response.templates]


def test_an_archived_record_is_marked_archived(editor):
    """An archived record's preview says it is archived, not a draft."""
    record = f.make_project(publication_status=ARCHIVED)
    response = editor.get(preview_url(record))
    assert "Archived: not public" in response.text
    assert BANNER not in response.text


def test_the_banner_links_to_the_record_in_the_admin(editor, draft):
    """Staff can go from the preview back to the record's admin page."""
    response = editor.get(preview_url(draft))
    assert reverse("admin:programs_project_change", args=[draft.pk]) in response.text


def test_the_public_page_shows_no_banner(client):
    """Visitors never see the preview's banner or its noindex on a public page."""
    record = f.make_project()
    response = client.get(record.get_absolute_url())
    assert BANNER not in response.text
    assert NOINDEX_META not in response.text


# Who is refused, and how


def test_anonymous_visitors_get_the_404_of_a_missing_record(client, draft):
    """A draft's preview answers a visitor exactly as an address naming nothing."""
    response = client.get(preview_url(draft))
    missing = client.get(reverse("programs:preview", args=["project", "no-such"]))
    assert response.status_code == missing.status_code == 404
    assert response.content.replace(draft.slug.encode(), b"no-such") == missing.content
    assert "Lakeside lab" not in response.text


def test_staff_without_a_role_get_404(draft):
    """A staff account without the view permission cannot tell a draft exists."""
    response = f.client_of(f.make_staff("nobody")).get(preview_url(draft))
    assert response.status_code == 404
    assert "Lakeside lab" not in response.text


def test_the_permission_is_checked_per_kind(draft):
    """Viewing sources in the admin does not open the preview of a project."""
    user = f.make_staff("source-reader")
    user.user_permissions.add(Permission.objects.get(codename="view_source"))
    client = f.client_of(user)
    source = f.make_source(publication_status=DRAFT)
    assert client.get(preview_url(source)).status_code == 200
    assert client.get(preview_url(draft)).status_code == 404


def test_a_signed_in_user_who_is_not_staff_gets_404(draft):
    """Permissions alone are not enough: the admin also asks for staff status."""
    user = f.make_staff("former", Role.EDITOR)
    user.is_staff = False
    user.save()
    assert f.client_of(user).get(preview_url(draft)).status_code == 404


def test_an_unknown_kind_is_404(editor):
    """An address naming no kind of record answers 404, even to staff."""
    response = editor.get(reverse("programs:preview", args=["figure", "anything"]))
    assert response.status_code == 404


# Never indexed, never stored


def test_the_preview_asks_not_to_be_indexed(editor, draft):
    """Both the header and the page tell search engines not to index a preview."""
    response = editor.get(preview_url(draft))
    assert response["X-Robots-Tag"] == "noindex"
    assert response.text.count(NOINDEX_META) == 1


def stored_page(url):
    """Return the page cache's entry for ``url`` in the active language, or None."""
    return page_cache.cache.get(page_cache.page_key(RequestFactory().get(url)))


def test_stored_page_finds_a_page_the_cache_stored(client):
    """The look-up the next test relies on finds a public page a visitor loaded."""
    url = f.make_project().get_absolute_url()
    client.get(url)
    assert stored_page(url) is not None


def test_the_preview_is_never_cached(editor, client, draft):
    """The page cache skips the preview, and a visitor after staff gets a 404."""
    url = preview_url(draft)
    response = editor.get(url)

    assert response.status_code == 200
    assert page_cache.HEADER not in response  # not even considered
    assert {"private", "no-store"} <= set(
        word.strip() for word in response["Cache-Control"].split(",")
    )
    assert stored_page(url) is None
    after = client.get(url)
    assert after.status_code == 404
    assert "Lakeside lab" not in after.text


# Every kind, both languages


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_kind_can_be_previewed(editor, client, kind):
    """A draft of each kind is 404 in public and shown, marked, in its preview."""
    record = f.make_of_kind(kind, publication_status=DRAFT)
    assert client.get(record.get_absolute_url()).status_code == 404
    response = editor.get(preview_url(record))
    assert response.status_code == 200
    assert BANNER in response.text
    assert f"programs/{kind.key}_detail.html" in [t.name for t in response.templates]


def test_the_chinese_preview(editor, draft):
    """The preview exists under /zh-hans/ too, with a switch back to English."""
    english = preview_url(draft)
    with translation.override("zh-hans"):
        chinese = preview_url(draft)
    assert chinese == f"/zh-hans{english}"
    response = editor.get(chinese)
    assert response.status_code == 200
    assert 'class="preview-banner"' in response.text
    assert f'href="{english}"' in response.text  # the language switcher


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_published_record_redirects_to_its_public_page(editor, language):
    """A preview link made while a record was a draft leads to it once published."""
    record = f.make_project()
    with translation.override(language):
        url, public_url = preview_url(record), record.get_absolute_url()
    response = editor.get(url)
    assert response.status_code == 302
    assert response["Location"] == public_url


def test_preview_url_refuses_a_record_of_no_kind():
    """Research fields have no public page, so no preview either."""
    with pytest.raises(ValueError):
        preview_url(f.make_field())


# The page as it will look when published


def test_unpublished_related_records_stay_hidden(editor, draft):
    """A preview shows the related records visitors will see, not the drafts."""
    f.make_entrepreneur(project=draft, name_en="Published founder")
    f.make_entrepreneur(
        project=draft, name_en="Draft founder", publication_status=DRAFT
    )
    draft.sources.add(
        f.make_source(title_en="Published source"),
        f.make_source(title_en="Draft source", publication_status=DRAFT),
    )
    response = editor.get(preview_url(draft))
    assert "Published founder" in response.text
    assert "Published source" in response.text
    assert "Draft founder" not in response.text
    assert "Draft source" not in response.text


def test_the_preview_mixin_comes_before_the_public_view():
    """Each preview view is its kind's detail view with PreviewMixin first.

    Last, the mixin would lose its queryset to PublicDetailView's public one.
    """
    for kind in KINDS:
        view = PREVIEW_VIEWS[kind.key]
        detail = getattr(records, f"{kind.model.__name__}DetailView")
        assert view.__mro__[1:3] == (PreviewMixin, detail)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_a_preview_costs_the_queries_of_the_public_page(kind):
    """The preview takes its related data as the public page does: no N+1.

    A superuser's permission check needs no query, so the two counts are equal.
    """
    record = three_of_each()[kind.key]
    client = f.client_of(f.make_staff("root", is_superuser=True))
    public = _queries(client, record.get_absolute_url())
    type(record).objects.filter(pk=record.pk).update(publication_status=DRAFT)
    assert _queries(client, preview_url(record)) == public


def test_a_role_adds_two_queries_for_its_permissions(django_assert_num_queries):
    """An editor's preview of a project costs its public page plus the permission
    lookup (the user's own permissions and their groups')."""
    project = three_of_each()["project"]
    client = f.client_of(f.make_staff("editor", Role.EDITOR))
    public = _queries(client, project.get_absolute_url())
    Project.objects.filter(pk=project.pk).update(publication_status=DRAFT)
    with django_assert_num_queries(public + 2):
        response = client.get(preview_url(project))
    assert response.status_code == 200


def test_view_on_site_of_a_draft_opens_its_preview(admin_client):
    """The admin's "View on site" on a draft leads to its preview, not a 404."""
    draft = f.make_project(publication_status=PublicationStatus.DRAFT)
    change = reverse("admin:programs_project_change", args=[draft.pk])

    response = admin_client.get(change)

    assert f'href="{preview_url(draft)}"' in response.text
    assert admin_client.get(preview_url(draft)).status_code == 200
