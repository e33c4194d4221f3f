"""The bulk download at /data/: what its files hold, and when they are rebuilt."""

import csv
import datetime
import io
import json
import threading
import time
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.kinds import KINDS
from programs.models import AnnouncedFigure, PublicationStatus
from programs.site import data_package
from programs.site.cache import content_version
from programs.site.data_package import Package

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

DRAFT = PublicationStatus.DRAFT
ZIP_URL = "/data/talentzone-data.zip"
JSON_URL = "/data/talentzone-data.json"
# A Table Schema field type, as the Frictionless specification lists them.
TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year"}


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Build into a directory of the test's own, linking to the test server.

    The same origin as the test client's, so that each record's URL column
    matches its list's download.
    """
    settings.DATA_PACKAGE_DIR = tmp_path / "data"
    settings.SITE_URL = "http://testserver"
    return settings.DATA_PACKAGE_DIR


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def zip_members(client):
    """Return each file of the downloaded zip by name, as bytes."""
    _response, body = download(client, ZIP_URL)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def descriptor_of(members):
    return json.loads(members["datapackage.json"])


def csv_header(body):
    return next(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def list_download(client, kind, export_format):
    _response, body = download(
        client, f"{reverse(kind.list_url_name)}?format={export_format}"
    )
    return body


def make_one_of_everything():
    """Build published records of every kind, related to one another."""
    source = f.make_source(url="https://example.org/report")
    district = f.with_source(f.make_district(name_en="Qingpu District"))
    host = f.make_organization(district=district)
    agreement = f.make_agreement(parties=[host, f.make_organization()])
    project = f.make_project(district=district, lead_organization=host)
    project.agreement = agreement
    project.save()
    project.sources.add(source)
    expert = f.make_expert(appointed_by=host, district=district)
    expert.research_fields.add(f.make_field())
    f.make_workstation(host_organization=host, district=district).experts.add(expert)
    f.make_entrepreneur(host_organization=host, project=project, district=district)
    f.make_figure(district=district, source=source)
    # A second of each, so that the order of rows is compared too, and a draft.
    for kind in KINDS:
        f.make_of_kind(kind)
        f.make_of_kind(kind, publication_status=DRAFT)


def test_zip_holds_one_csv_per_kind_and_the_figures_and_a_descriptor(client):
    """The zip has datapackage.json and a CSV per list, named as the lists are."""
    make_one_of_everything()
    assert set(zip_members(client)) == {
        "datapackage.json",
        "districts.csv",
        "organizations.csv",
        "agreements.csv",
        "projects.csv",
        "workstations.csv",
        "experts.csv",
        "entrepreneurs.csv",
        "sources.csv",
        "announced-figures.csv",
    }


def test_descriptor_is_a_data_package_describing_each_csv(client):
    """Every resource exists, its fields are its CSV's header, its keys its own."""
    make_one_of_everything()
    members = zip_members(client)
    descriptor = descriptor_of(members)
    for key in ("name", "title", "licenses", "sources", "created", "resources"):
        assert descriptor[key]
    datetime.datetime.fromisoformat(descriptor["created"])
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert len(resources) == len(members) - 1
    for resource in resources.values():
        assert resource["path"] in members
        assert resource["format"] == "csv"
        assert resource["mediatype"] == "text/csv"
        assert resource["encoding"] == "utf-8"
        schema = resource["schema"]
        names = [field["name"] for field in schema["fields"]]
        assert names == csv_header(members[resource["path"]])
        assert all(field["type"] in TYPES for field in schema["fields"])
        assert schema["primaryKey"] in names
        for key in schema.get("foreignKeys", []):
            assert key["fields"] in names
            target = resources[key["reference"]["resource"]]
            target_names = [field["name"] for field in target["schema"]["fields"]]
            assert key["reference"]["fields"] in target_names


def test_fields_are_typed_and_described_from_the_models(client):
    """Dates, numbers and yes/no columns say so; help texts become descriptions."""
    make_one_of_everything()
    resources = {r["name"]: r for r in descriptor_of(zip_members(client))["resources"]}
    projects = {
        field["name"]: field for field in resources["projects"]["schema"]["fields"]
    }
    assert projects["Announced or signed on"]["type"] == "date"
    assert projects["Demo data"] == {
        "name": "Demo data",
        "title": "Demo data",
        "type": "boolean",
        "trueValues": ["Yes"],
        "falseValues": ["No"],
        "description": "Invented by generate_demo; not drawn from any source.",
    }
    assert "Key project under an agreement" in projects["Kind"]["constraints"]["enum"]
    figures = {f["name"]: f for f in resources["announced-figures"]["schema"]["fields"]}
    assert figures["Value"]["type"] == "integer"
    assert resources["projects"]["schema"]["foreignKeys"][0] == {
        "fields": "Lead or host organization",
        "reference": {"resource": "organizations", "fields": "Name (English)"},
    }


def test_descriptor_names_the_licence_and_the_published_sources(client, settings):
    """The licence comes from DATA_LICENCE; sources are the published ones, linked."""
    settings.DATA_LICENCE = {
        "name": "ODbL-1.0",
        "path": "https://opendatacommons.org/licenses/odbl/",
        "title": "ODbL",
    }
    f.make_source(title_en="Public report", url="https://example.org/report")
    f.make_source(title_en="Copy without a link")
    f.make_source(title_en="Draft report", publication_status=DRAFT)
    descriptor = descriptor_of(zip_members(client))
    assert descriptor["licenses"] == [settings.DATA_LICENCE]
    assert sorted(descriptor["sources"], key=lambda s: s["title"]) == [
        {"title": "Copy without a link"},
        {"title": "Public report", "path": "https://example.org/report"},
    ]


def test_licence_has_a_default_until_one_is_set(client, settings):
    """Without DATA_LICENCE the data is offered under CC BY 4.0, and says so."""
    del settings.DATA_LICENCE
    descriptor = descriptor_of(zip_members(client))
    assert descriptor["licenses"] == [data_package.DEFAULT_DATA_LICENCE]


def test_each_csv_is_its_list_download_byte_for_byte(client):
    """Each kind's CSV in the zip is exactly its list's unfiltered CSV download."""
    make_one_of_everything()
    members = zip_members(client)
    for kind in KINDS:
        name = reverse(kind.list_url_name).strip("/")
        assert members[f"{name}.csv"] == list_download(client, kind, "csv"), kind


def test_json_file_holds_each_list_json_download_and_the_metadata(client):
    """The JSON file has the descriptor's metadata and each list's rows as JSON."""
    make_one_of_everything()
    _response, body = download(client, JSON_URL)
    package = json.loads(body)
    descriptor = descriptor_of(zip_members(client))
    for key in ("name", "title", "licenses", "sources"):
        assert package[key] == descriptor[key]
    for kind in KINDS:
        name = reverse(kind.list_url_name).strip("/")
        assert package["data"][name] == json.loads(list_download(client, kind, "json"))
    [figure] = package["data"]["announced-figures"]
    assert figure["value"] == 8 and figure["district"] == "Qingpu District"


def test_only_published_figures_with_their_count_on_record(client):
    """Draft figures stay out; each figure says how many records it counts."""
    f.make_figure(label_en="Eight key projects", value=8)
    f.make_figure(label_en="Draft figure", publication_status=DRAFT)
    f.make_project(kind="key_project", announced_on=datetime.date(2023, 6, 15))
    _response, body = download(client, JSON_URL)
    [figure] = json.loads(body)["data"]["announced-figures"]
    assert figure["label_en"] == "Eight key projects"
    assert figure["value"] == 8 and figure["on_record"] == 1
    assert AnnouncedFigure.objects.count() == 2


def test_drafts_and_staff_only_fields_never_leave(client):
    """Contact details, staff notes and drafts are in neither file."""
    draft_district = f.make_district(name_en="Draft district", publication_status=DRAFT)
    draft_source = f.make_source(title_en="Draft source", publication_status=DRAFT)
    public_source = f.make_source(title_en="Public source", notes="secret-note")
    expert = f.make_expert(
        email="secret@example.org", phone="+86 555 0100", district=draft_district
    )
    expert.sources.add(draft_source, public_source)
    f.make_entrepreneur(email="founder@example.org", phone="+86 555 0199")
    f.make_project(name_en="Draft project", publication_status=DRAFT)
    f.make_workstation().experts.add(
        expert, f.make_expert(name_en="Draft expert", publication_status=DRAFT)
    )
    f.make_figure(label_en="Draft figure", publication_status=DRAFT)
    texts = [body.decode("utf-8") for body in zip_members(client).values()]
    texts.append(download(client, JSON_URL)[1].decode("utf-8"))
    everything = "\n".join(texts)
    assert expert.name_en in everything and "Public source" in everything
    for secret in (
        "secret@example.org",
        "+86 555 0100",
        "founder@example.org",
        "+86 555 0199",
        "secret-note",
        "Draft district",
        "Draft source",
        "Draft project",
        "Draft expert",
        "Draft figure",
        "publication_status",
        "Publication status",
    ):
        assert secret not in everything


def test_an_edit_makes_the_next_download_fresh(client, data_dir):
    """After a record changes, the next download has it, under a new ETag."""
    project = f.make_project(name_en="Old name")
    first, first_body = download(client, JSON_URL)
    first_page = client.get("/data/").text
    project.name_en = "New name"
    project.save()
    second, second_body = download(client, JSON_URL)
    # Not the page the cache kept: it lists the files that were rebuilt.
    assert client.get("/data/").text != first_page
    assert b"Old name" in first_body
    assert b"New name" in second_body and b"Old name" not in second_body
    assert first["ETag"] != second["ETag"]
    # The files of the old version are gone; only the current two remain.
    assert len(list(data_dir.glob("talentzone-data-*"))) == 2


def test_a_current_package_is_served_without_rebuilding(client, monkeypatch):
    """Downloads and the page reuse the files while no edit has come since."""
    f.make_project()
    builds = count_builds(monkeypatch)
    download(client, ZIP_URL)
    download(client, JSON_URL)
    client.get("/zh-hans/data/")
    assert len(builds) == 1


def count_builds(monkeypatch):
    """Return the list of builds from now on, each still run."""
    builds = []
    real_build = data_package.build

    def counting_build(package):
        builds.append(package.version)
        real_build(package)

    monkeypatch.setattr(data_package, "build", counting_build)
    return builds


def test_downloads_are_dated_attachments_with_a_validator(client):
    """Each file downloads as an attachment with a size, a date and an ETag."""
    f.make_project()
    for url, content_type in (
        (ZIP_URL, "application/zip"),
        (JSON_URL, "application/json"),
    ):
        response, body = download(client, url)
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith(
            'attachment; filename="talentzone-data-'
        )
        assert int(response["Content-Length"]) == len(body)
        assert response["Last-Modified"].endswith("GMT")
        assert "no-cache" in response["Cache-Control"]
        again = client.get(url, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304
        assert again["ETag"] == response["ETag"]


def test_page_lists_each_file_with_its_size_and_date(client, data_dir):
    """/data/ links both files and gives the size and build time of each."""
    f.make_project()
    response = client.get(reverse("programs:data"))
    assert response.status_code == 200
    text = response.text
    package = Package(data_dir, content_version())
    files = {file.file_format: file for file in response.context["files"]}
    for file_format, url in (("zip", ZIP_URL), ("json", JSON_URL)):
        size = package.path(file_format).stat().st_size
        built_at = timezone.localtime(files[file_format].built_at)
        assert files[file_format].size == size
        assert f'href="{url}"' in text
        assert str(filesizeformat(size)) in text
        assert f'datetime="{built_at.isoformat()}"' in text
    assert "Creative Commons Attribution 4.0" in text
    assert "style=" not in text and "<script" not in text


def test_page_is_bilingual(client):
    """The page is in Chinese under /zh-hans/, linking the same files there."""
    response = client.get("/zh-hans/data/")
    assert response.status_code == 200
    assert 'href="/zh-hans/data/talentzone-data.zip"' in response.text
    assert download(client, "/zh-hans/data/talentzone-data.zip")[1].startswith(b"PK")


def test_waiting_workers_build_once(data_dir, monkeypatch):
    """Workers that find the files stale at once wait for one build, then share it."""
    monkeypatch.setattr(data_package, "content_version", lambda: 42)
    builds = []

    def slow_build(package):
        builds.append(package.version)
        time.sleep(0.2)  # long enough for every worker to reach the lock
        for file_format in data_package.FORMATS:
            package.path(file_format).write_bytes(b"built")

    monkeypatch.setattr(data_package, "build", slow_build)
    found = []
    workers = [
        threading.Thread(target=lambda: found.append(data_package.current_package()))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert builds == [42]
    assert found == [Package(data_dir, 42)] * 4


def test_a_package_missing_a_file_is_rebuilt_on_download(client):
    """A download whose file is gone (say, removed by hand) builds it again."""
    f.make_project()
    data_package.current_package().path("zip").unlink()
    _response, body = download(client, ZIP_URL)
    assert body.startswith(b"PK")


def test_a_file_removed_between_check_and_opening_is_looked_up_again(monkeypatch):
    """If a newer build removes the file just checked, the download finds its own."""
    f.make_project()
    really_current = data_package.current_package
    built = really_current()
    answers = iter([Package(built.directory, version=-1), built])
    monkeypatch.setattr(data_package, "current_package", lambda d=None: next(answers))
    package, opened = data_package.open_current("zip")
    with opened:
        assert package == built and opened.read(2) == b"PK"


def test_a_current_package_costs_one_query_to_check(client):
    """Serving current files reads the content version and nothing else."""
    f.make_project()
    download(client, ZIP_URL)
    with CaptureQueriesContext(connection) as queries:
        download(client, ZIP_URL)
    # The page cache's check and the package's: the records are not read.
    assert len(queries) == CACHE_CHECK + 1


def test_a_build_leaves_no_partial_or_old_files(data_dir):
    """Files of older versions and a dead build's leftovers are removed."""
    data_dir.mkdir(parents=True)
    (data_dir / ".building-abc").write_bytes(b"half")
    (data_dir / "talentzone-data-1.zip").write_bytes(b"old")
    package = data_package.current_package()
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(
        [".lock", package.path("zip").name, package.path("json").name]
    )


def test_a_failed_build_leaves_nothing_under_a_current_name(data_dir, monkeypatch):
    """A build that fails midway is not taken for a built package."""

    def failing_write(columns, records):
        yield b"["
        raise RuntimeError("disk full")

    monkeypatch.setattr(data_package, "write_json", failing_write)
    with pytest.raises(RuntimeError):
        data_package.current_package()
    assert not any(p.name.startswith(".building-") for p in data_dir.iterdir())
    assert not Package(data_dir, content_version()).is_built()


def test_command_builds_ahead_and_reports(data_dir):
    """build_data_package builds once, then says the files are current."""
    f.make_project()
    out = io.StringIO()
    call_command("build_data_package", stdout=out)
    assert out.getvalue().startswith("Built talentzone-data-")
    assert Package(data_dir, content_version()).is_built()
    call_command("build_data_package", stdout=out)
    assert "Already current:" in out.getvalue()
    call_command("build_data_package", "--force", stdout=out)
    assert out.getvalue().count("Built") == 2


def test_every_list_links_to_the_bulk_download(client):
    """Beside a list's own downloads, a link to the whole dataset."""
    f.make_project()
    response = client.get(reverse("programs:project-list"))
    assert '<a href="/data/">All the data</a>' in response.text
