"""Draft → published → archived: the admin's actions, and what the public never sees."""

import datetime
import re
from functools import partial

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from programs.kinds import KINDS, PROGRAMME_KINDS, kind_of
from programs.models import (
    AnnouncedFigure,
    Project,
    PublicationStatus,
)
from tests import factories as f
from tests.test_admin import BUILDERS, admin_url, build_rows, by_model

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
PUBLISHED = PublicationStatus.PUBLISHED
ARCHIVED = PublicationStatus.ARCHIVED
HIDDEN_STATES = pytest.mark.parametrize("status", [DRAFT, ARCHIVED])


def run_action(client, model, action, rows):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows]},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# The admin's actions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "before", "after", "message"),
    [
        ("publish", DRAFT, PUBLISHED, "1 project published."),
        ("archive", PUBLISHED, ARCHIVED, "1 project archived."),
        ("unpublish", PUBLISHED, DRAFT, "1 project returned to draft."),
    ],
)
def test_an_action_records_who_and_when_in_the_record_and_its_history(
    admin_client, admin_user, action, before, after, message
):
    """Each action sets the status, who and when, and writes a version by that user."""
    project = f.with_source(f.make_project(publication_status=before))
    started = timezone.now()

    response = run_action(admin_client, Project, action, [project])

    project.refresh_from_db()
    assert project.publication_status == after
    assert project.publication_changed_by == admin_user
    assert project.publication_changed_at >= started
    latest, earlier = project.history.all()[:2]
    assert latest.history_user == admin_user
    assert latest.diff_against(earlier).changed_fields == ["publication_status"]
    assert message in messages_of(response)


def test_an_action_leaves_records_already_in_that_state_untouched(admin_client):
    """Publishing a mixed selection changes only the drafts, and says so."""
    drafts = [f.with_source(f.make_project(publication_status=DRAFT)) for _ in range(2)]
    published = f.make_project()
    versions_before = published.history.count()

    response = run_action(admin_client, Project, "publish", [*drafts, published])

    published.refresh_from_db()
    assert published.publication_changed_at is None
    assert published.version == 1
    assert published.history.count() == versions_before
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.publication_status == PUBLISHED
    assert messages_of(response) == [
        "2 projects published.",
        "1 was already “Published”.",
    ]


@by_model
def test_archive_action_works_on_every_kind_of_record(admin_client, model):
    """Every record admin offers "Archive selected", which archives the selection."""
    rows = build_rows(model, 2)

    run_action(admin_client, model, "archive", rows)

    statuses = set(
        model.objects.filter(pk__in=[r.pk for r in rows]).values_list(
            "publication_status", flat=True
        )
    )
    assert statuses == {ARCHIVED}


def test_a_district_editor_publishes_only_their_districts_records(client):
    """Records of other districts in the selection are skipped, and counted."""
    qingpu, wujiang = f.make_district(slug="qingpu"), f.make_district(slug="wujiang")
    user = f.make_staff("qingpu-editor", "District editor", [qingpu])
    client.force_login(user)
    own = f.with_source(f.make_project(district=qingpu, publication_status=DRAFT))
    other = f.with_source(f.make_project(district=wujiang, publication_status=DRAFT))

    response = run_action(client, Project, "publish", [own, other])

    own.refresh_from_db()
    other.refresh_from_db()
    assert own.publication_status == PUBLISHED
    assert other.publication_status == DRAFT
    assert "1 project skipped: you may not change it." in messages_of(response)


# The change form and the changelist ------------------------------------------


def change_form_data(project, **changes):
    data = {
        "name_en": project.name_en,
        "slug": project.slug,
        "kind": project.kind,
        "status": project.status,
        "announced_on": project.announced_on.isoformat(),
        "publication_status": project.publication_status,
        "version": project.version,
    }
    return {**data, **changes}


def test_a_status_changed_on_the_form_records_who_and_when(admin_client, admin_user):
    """Changing the status on the change form stamps who changed it and when."""
    project = f.make_project()

    response = admin_client.post(
        admin_url(Project, "change", project.pk),
        change_form_data(project, publication_status=ARCHIVED),
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.publication_status == ARCHIVED
    assert project.publication_changed_by == admin_user
    assert project.publication_changed_at is not None


def test_an_edit_that_keeps_the_status_keeps_who_published_it(admin_client):
    """Renaming a record on the form leaves its publication who/when alone."""
    project = f.make_project()

    admin_client.post(
        admin_url(Project, "change", project.pk),
        change_form_data(project, name_en="Renamed"),
    )

    project.refresh_from_db()
    assert project.name_en == "Renamed"
    assert project.publication_changed_by is None


def test_the_change_form_shows_who_changed_the_status(admin_client, admin_user):
    """The Publication fieldset shows, read-only, who changed the status and when."""
    project = f.with_source(f.make_project(publication_status=DRAFT))
    run_action(admin_client, Project, "publish", [project])

    response = admin_client.get(admin_url(Project, "change", project.pk))

    assert "Publication changed by" in response.text
    # A link to the user for a superuser, the bare name for other staff.
    assert re.search(
        r'field-publication_changed_by">\s*<label[^>]*>[^<]*</label>\s*'
        r'<div class="readonly">(<a [^>]*>)?admin<',
        response.text,
    )
    assert 'name="publication_changed_by"' not in response.text


@by_model
def test_every_changelist_shows_and_filters_by_the_state(admin_client, model):
    """Each changelist has a publication status column and filter."""
    (row,) = build_rows(model, 1)
    model.objects.filter(pk=row.pk).update(publication_status=ARCHIVED)

    response = admin_client.get(admin_url(model, "changelist"))

    assert '<td class="field-publication_status">Archived</td>' in response.text
    titles = [spec.title for spec in response.context["cl"].filter_specs]
    assert "publication status" in titles


# Every public surface -----------------------------------------------------------

# Each public kind: its builder and its name field.
PUBLIC_KINDS = {
    kind.key: (partial(f.make_of_kind, kind), kind.name_fields[0]) for kind in KINDS
}
by_kind = pytest.mark.parametrize("kind", PUBLIC_KINDS)


def shown_and_hidden(kind, status):
    """Make a published record and one in ``status``, both named "Zebra ..."."""
    make, name_field = PUBLIC_KINDS[kind]
    shown = make(**{name_field: "Zebra shown", "slug": "zebra-shown"})
    hidden = make(
        **{name_field: "Zebra hidden", "slug": "zebra-hidden"},
        publication_status=status,
    )
    return shown, hidden


def body(response):
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.text


@HIDDEN_STATES
@by_kind
def test_lists_and_detail_pages_leave_out_hidden_records(client, kind, status):
    """A draft or archived record is on no list, and its page is not found."""
    shown, hidden = shown_and_hidden(kind, status)

    listing = body(client.get(reverse(f"programs:{kind}-list")))

    assert "Zebra shown" in listing and "Zebra hidden" not in listing
    assert client.get(shown.get_absolute_url()).status_code == 200
    assert client.get(hidden.get_absolute_url()).status_code == 404


@HIDDEN_STATES
@by_kind
def test_search_leaves_out_hidden_records(client, kind, status):
    """Search finds the published record and not the draft or archived one."""
    shown, hidden = shown_and_hidden(kind, status)

    text = body(client.get(reverse("programs:search"), {"q": "Zebra"}))

    # Matches are highlighted inside names: look for the links to their pages.
    assert f'href="{shown.get_absolute_url()}"' in text
    assert f'href="{hidden.get_absolute_url()}"' not in text


@HIDDEN_STATES
@by_kind
@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_exports_leave_out_hidden_records(client, kind, status, export_format):
    """CSV and JSON exports of a list hold only its published records."""
    shown_and_hidden(kind, status)

    url = reverse(f"programs:{kind}-list")
    exported = body(client.get(url, {"format": export_format}))

    assert "Zebra shown" in exported and "Zebra hidden" not in exported


@HIDDEN_STATES
@by_kind
def test_the_sitemap_leaves_out_hidden_records(client, kind, status):
    """The sitemap lists the published record's page and not the hidden one's."""
    shown, hidden = shown_and_hidden(kind, status)

    sitemap = body(client.get(reverse("sitemap")))

    assert shown.get_absolute_url() in sitemap
    assert hidden.get_absolute_url() not in sitemap


@HIDDEN_STATES
@pytest.mark.parametrize("kind", ["agreement", "project"])
def test_feeds_leave_out_hidden_records(client, kind, status):
    """The Atom feeds carry the published record and not the hidden one."""
    shown_and_hidden(kind, status)

    feed = body(client.get(reverse(f"programs:{kind}-feed")))

    assert "Zebra shown" in feed and "Zebra hidden" not in feed


def district_with_one_of_each_kind(status):
    """Make a public district with, per kind, one published and one hidden record."""
    district = f.make_district(slug="qingpu")
    for make in (
        f.make_agreement,
        f.make_project,
        f.make_workstation,
        f.make_expert,
        f.make_entrepreneur,
    ):
        make(district=district)
        make(district=district, publication_status=status)
    return district


COUNTED_KINDS = [kind.key for kind in PROGRAMME_KINDS]


@HIDDEN_STATES
def test_home_page_counts_leave_out_hidden_records(client, status):
    """The home page's counts per district count published records only."""
    district_with_one_of_each_kind(status)

    (district,) = client.get(reverse("programs:home")).context["districts"]

    assert {
        key: getattr(district, f"{key}_count") for key in COUNTED_KINDS
    } == dict.fromkeys(COUNTED_KINDS, 1)


@HIDDEN_STATES
def test_stats_numbers_leave_out_hidden_records(client, status):
    """The statistics page's numbers by district count published records only."""
    district_with_one_of_each_kind(status)

    charts = client.get(reverse("programs:stats")).context["charts"]

    (by_district,) = [chart for chart in charts if chart.key == "district"]
    (group,) = by_district.groups
    assert [bar.value for bar in group.bars] == [1] * len(COUNTED_KINDS)


@HIDDEN_STATES
def test_announced_figures_count_only_published_records_on_record(client, status):
    """A figure's "on record" counts published records; a hidden figure is not shown."""
    district = f.make_district(slug="qingpu")
    for publication_status in (PUBLISHED, status):
        f.make_project(
            district=district,
            kind=Project.Kind.KEY_PROJECT,
            publication_status=publication_status,
        )
    figure_fields = {
        "district": district,
        "subject": AnnouncedFigure.Subject.KEY_PROJECTS,
        "date_rule": AnnouncedFigure.DateRule.AS_OF,
        "as_of": datetime.date(2023, 12, 31),
    }
    f.make_figure(label_en="Zebra shown", **figure_fields)
    f.make_figure(label_en="Zebra hidden", publication_status=status, **figure_fields)

    response = client.get(reverse("programs:home"))

    (shown_district,) = response.context["districts"]
    assert [(fig.label_en, fig.on_record) for fig in shown_district.figures] == [
        ("Zebra shown", 1)
    ]
    assert "Zebra hidden" not in response.text
    district_page = client.get(district.get_absolute_url()).text
    assert "Zebra shown" in district_page and "Zebra hidden" not in district_page


@pytest.mark.parametrize(
    "model",
    [model for model in BUILDERS if kind_of(model)],
    ids=lambda model: model._meta.model_name,
)
def test_archiving_in_the_admin_takes_a_record_off_the_next_public_page(
    client, admin_client, model
):
    """Archiving through the action takes the record off its public page at once."""
    (row,) = build_rows(model, 1)
    assert client.get(row.get_absolute_url()).status_code == 200

    run_action(admin_client, model, "archive", [row])

    assert client.get(row.get_absolute_url()).status_code == 404
