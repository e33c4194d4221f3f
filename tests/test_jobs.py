"""Background jobs: big imports and exports, the bulk download (programs/jobs.py)."""

import signal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from programs import jobs
from programs.models import Job, Organization, Role
from programs.site import data_package
from tests.factories import make_organization, make_source, make_staff
from tests.test_import_export import CSV, HEADER, as_file, export, preview, read_rows

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def run_jobs_at_once(settings):
    """Jobs of more than 2 rows, run as soon as the request's transaction commits."""
    settings.TASKS = IMMEDIATE
    settings.JOB_ROWS = 2


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_PACKAGE_DIR = tmp_path / "data"
    return settings.DATA_PACKAGE_DIR


def organization_rows(count, district="qingpu", source="report"):
    return [
        HEADER,
        *(
            [f"org-{n}", f"Organization {n}", "", "company", district, source]
            for n in range(count)
        ),
    ]


def follow_job(response):
    """Return the job a response redirected to."""
    assert response.status_code == 302, response.content[:500]
    job_id = response["Location"].rstrip("/").split("/")[-2]
    return Job.objects.get(pk=job_id)


def upload_as_job(client, rows, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = preview(client, Organization, as_file(rows, CSV))
    return follow_job(response)


def confirm_job(client, job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:programs_job_confirm", args=[job.pk]))
    return follow_job(response)


# Imports.


def test_a_big_import_is_previewed_then_imported_by_jobs(
    admin_client,
    admin_user,
    qingpu,
    run_jobs_at_once,
    django_capture_on_commit_callbacks,
):
    """The preview job writes nothing and reports every row; confirming imports them."""
    make_source(slug="report")
    preview_job = upload_as_job(
        admin_client, organization_rows(5), django_capture_on_commit_callbacks
    )

    assert preview_job.kind == Job.Kind.IMPORT_PREVIEW
    assert preview_job.state == Job.State.DONE
    assert (preview_job.rows_done, preview_job.rows_total) == (5, 5)
    assert Organization.objects.count() == 0
    page = admin_client.get(preview_job.get_absolute_url())
    assert page.content.count(b'<tr class="new">') == 5
    assert b"Confirm import" in page.content
    assert b'http-equiv="refresh"' not in page.content  # finished: no more looks
    assert b" style=" not in page.content  # the diff's colours: refused by the CSP

    import_job = confirm_job(
        admin_client, preview_job, django_capture_on_commit_callbacks
    )

    assert import_job.kind == Job.Kind.IMPORT
    assert import_job.state == Job.State.DONE, import_job.message
    assert import_job.message == "Imported: 5 new, 0 changed, 0 unchanged."
    assert Organization.objects.count() == 5
    assert {entry.history_user for entry in Organization.history.all()} == {admin_user}
    preview_job.refresh_from_db()
    assert preview_job.upload is None  # no second confirmation
    assert not jobs.may_confirm(preview_job, admin_user)


def test_a_small_import_keeps_the_page_flow(admin_client, qingpu, run_jobs_at_once):
    """A file of no more than JOB_ROWS rows is previewed in the request."""
    make_source(slug="report")
    response = preview(admin_client, Organization, as_file(organization_rows(2), CSV))

    assert response.status_code == 200
    assert "confirm_form" in response.context
    assert not Job.objects.exists()


def test_a_district_editor_s_job_applies_their_districts(
    client, qingpu, wujiang, run_jobs_at_once, django_capture_on_commit_callbacks
):
    """The district rules run inside the task, with the importer as the user."""
    make_source(slug="report")
    client.force_login(make_staff("qingpu-editor", Role.DISTRICT_EDITOR, [qingpu]))

    job = upload_as_job(
        client,
        organization_rows(3, district="wujiang"),
        django_capture_on_commit_callbacks,
    )

    assert job.state == Job.State.DONE
    assert job.report["has_validation_errors"]
    page = client.get(job.get_absolute_url())
    assert page.content.count(b"District wujiang is not one of yours.") == 3
    assert b"Confirm import" not in page.content
    response = client.post(reverse("admin:programs_job_confirm", args=[job.pk]))
    assert response.status_code == 403


def test_an_import_that_fails_says_why_and_changes_nothing(
    admin_client, qingpu, run_jobs_at_once, django_capture_on_commit_callbacks
):
    """A row gone bad between preview and confirmation rolls back every row."""
    source = make_source(slug="report")
    preview_job = upload_as_job(
        admin_client, organization_rows(4), django_capture_on_commit_callbacks
    )
    source.delete()  # the last rows now name a source that is not there

    import_job = confirm_job(
        admin_client, preview_job, django_capture_on_commit_callbacks
    )

    assert import_job.state == Job.State.FAILED
    assert import_job.message.startswith("Nothing was imported")
    assert Organization.objects.count() == 0
    page = admin_client.get(import_job.get_absolute_url())
    assert b"No source has the slug" in page.content


def test_a_job_that_breaks_says_so_in_its_owner_s_language(
    admin_client,
    qingpu,
    run_jobs_at_once,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """An unforeseen error fails the job with a message in the owner's language."""
    make_source(slug="report")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "import_report", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:programs_organization_import"),
            {
                "resource": "0",
                "format": CSV,
                "import_file": as_file(organization_rows(3), CSV),
            },
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    job = follow_job(response)

    assert job.state == Job.State.FAILED
    assert "disk on fire" not in job.message
    assert job.message.startswith("任务因网站出错而停止")
    assert Organization.objects.count() == 0


# Exports.


def test_a_big_export_is_made_by_a_job_and_is_the_file_the_page_gives(
    admin_client, settings, django_capture_on_commit_callbacks
):
    """The job's file is byte for byte what the export page sends for few rows."""
    for n in range(5):
        make_organization(slug=f"org-{n}", name_en=f"Organization {n}", name_zh="")
    direct = export(admin_client, Organization)
    settings.TASKS = IMMEDIATE
    settings.JOB_ROWS = 2

    with django_capture_on_commit_callbacks(execute=True):
        response = export(admin_client, Organization)
    job = follow_job(response)

    assert job.state == Job.State.DONE, job.message
    assert (job.rows_done, job.rows_total) == (5, 5)
    download = admin_client.get(reverse("admin:programs_job_download", args=[job.pk]))
    assert download.content == direct.content
    assert download["Content-Disposition"] == direct["Content-Disposition"]
    assert len(read_rows(download, CSV)) == 6


def test_an_export_job_keeps_the_changelist_filter(
    admin_client, qingpu, wujiang, run_jobs_at_once, django_capture_on_commit_callbacks
):
    for n in range(3):
        make_organization(slug=f"q-{n}", name_en=f"Q {n}", name_zh="", district=qingpu)
    make_organization(slug="w", name_en="W", name_zh="", district=wujiang)

    with django_capture_on_commit_callbacks(execute=True):
        response = export(
            admin_client, Organization, query=f"?district__id__exact={qingpu.pk}"
        )
    job = follow_job(response)

    assert job.state == Job.State.DONE, job.message
    slugs = [
        row[0]
        for row in read_rows(
            admin_client.get(reverse("admin:programs_job_download", args=[job.pk])), CSV
        )[1:]
    ]
    assert sorted(slugs) == ["q-0", "q-1", "q-2"]


# Who sees what.


def test_staff_see_their_own_jobs_and_superusers_everyone_s(client, admin_user):
    editor = make_staff("editor", Role.EDITOR)
    other = make_staff("other", Role.EDITOR)
    mine = Job.objects.create(user=editor, kind=Job.Kind.EXPORT)
    theirs = Job.objects.create(user=other, kind=Job.Kind.EXPORT)
    client.force_login(editor)

    listing = client.get(reverse("admin:programs_job_changelist"))

    assert list(listing.context["cl"].result_list) == [mine]
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    download = reverse("admin:programs_job_download", args=[theirs.pk])
    assert client.get(download).status_code == 404
    client.force_login(admin_user)
    listing = client.get(reverse("admin:programs_job_changelist"))
    assert set(listing.context["cl"].result_list) == {mine, theirs}


def test_an_unfinished_job_s_page_shows_a_progress_bar_and_looks_again(
    admin_client, admin_user
):
    job = Job.objects.create(
        user=admin_user,
        kind=Job.Kind.IMPORT,
        state=Job.State.RUNNING,
        rows_done=1200,
        rows_total=5000,
    )

    page = admin_client.get(job.get_absolute_url())
    listing = admin_client.get(reverse("admin:programs_job_changelist"))

    assert b'<progress value="1200" max="5000"' in page.content
    assert b"1,200 of 5,000 rows" in page.content
    assert b'<meta http-equiv="refresh" content="2">' in page.content
    assert b'<progress value="1200" max="5000"' in listing.content
    assert b'<meta http-equiv="refresh" content="2">' in listing.content


# Progress.


def test_progress_is_written_every_few_rows_not_every_row(admin_user, monkeypatch):
    job = Job.objects.create(user=admin_user, kind=Job.Kind.IMPORT)
    progress = jobs.Progress(job, every=3)
    written = []
    write = progress.write
    monkeypatch.setattr(
        progress, "write", lambda: written.append(progress.done) or write()
    )

    for _ in range(7):
        progress.advance()

    assert written == [3, 6]


@pytest.mark.django_db(transaction=True)
def test_progress_inside_an_import_s_transaction_is_seen_outside_it():
    """Written where a reader outside the transaction finds it, and gone at the end."""
    job = Job.objects.create(kind=Job.Kind.IMPORT, state=Job.State.RUNNING)
    progress = jobs.Progress(job, every=2)
    with transaction.atomic():
        for _ in range(5):
            progress.advance()
        job.refresh_from_db()
        assert jobs.rows_done(job) == 4
    progress.close()
    assert not jobs.progress_file(job.pk).exists()


# The bulk download.


def test_an_edit_enqueues_one_rebuild_per_transaction(
    settings, data_dir, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        make_organization(slug="a", name_en="A", name_zh="")
        make_organization(slug="b", name_en="B", name_zh="")

    assert Job.objects.filter(kind=Job.Kind.DATA_PACKAGE).count() == 1
    assert DBTaskResult.objects.count() == 1
    job = Job.objects.get(kind=Job.Kind.DATA_PACKAGE)
    assert job.task_id == str(DBTaskResult.objects.get().id)

    # A rebuild still waiting covers later edits too.
    with django_capture_on_commit_callbacks(execute=True):
        make_organization(slug="c", name_en="C", name_zh="")
    assert DBTaskResult.objects.count() == 1


def test_visitors_get_the_previous_files_while_the_rebuild_waits(
    client, settings, data_dir, django_capture_on_commit_callbacks, monkeypatch
):
    before = data_package.current_package()
    settings.TASKS = DATABASE
    with django_capture_on_commit_callbacks(execute=True):
        make_organization(slug="a", name_en="A", name_zh="")

    monkeypatch.setattr(data_package, "build", pytest.fail)
    assert data_package.current_package() == before
    assert client.get(reverse("programs:data-zip")).status_code == 200


def test_with_no_file_at_all_a_request_builds_one(data_dir, settings):
    settings.TASKS = DATABASE
    Job.objects.create(kind=Job.Kind.DATA_PACKAGE)  # waiting, but nothing to serve

    package = data_package.current_package()

    assert package.is_built()


@pytest.fixture
def signal_handlers_kept():
    """db_worker installs handlers for SIGINT and SIGTERM: put pytest's back."""
    kept = {name: signal.getsignal(name) for name in (signal.SIGINT, signal.SIGTERM)}
    yield
    for name, handler in kept.items():
        signal.signal(name, handler)


@pytest.mark.django_db(transaction=True)
def test_a_database_worker_runs_the_queued_rebuild(
    settings, data_dir, signal_handlers_kept
):
    """The real queue and worker: an edit's rebuild waits in the table, then runs."""
    settings.TASKS = DATABASE
    make_organization(slug="a", name_en="A", name_zh="")  # commits: enqueues
    job = Job.objects.get(kind=Job.Kind.DATA_PACKAGE)
    assert job.state == Job.State.QUEUED

    with CaptureQueriesContext(connection) as queries:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0
        )

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    assert data_package.Package(data_dir, data_package.content_version()).is_built()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    if connection.vendor == "postgresql":
        # Workers on several machines never claim the same task.
        assert any("FOR UPDATE SKIP LOCKED" in query["sql"] for query in queries)
