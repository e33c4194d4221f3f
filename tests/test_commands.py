"""The load_seeds command, run on small fixtures written for each test."""

import os
import re
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from programs.models import District, Organization, Project, Source

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parent.parent

BASE = """\
- model: programs.source
  fields:
    slug: src-a
    publication_status: published
    title_en: Source A
    published_on: 2023-06-16
- model: programs.source
  fields: {slug: src-b, title_en: Source B, published_on: 2023-06-17}
- model: programs.district
  fields:
    slug: dist
    name_en: District
    city_en: City
    province_en: Province
    sources: [[src-a], [src-b]]
- model: programs.organization
  fields: {slug: org, name_en: Organization, kind: association, district: [dist]}
- model: programs.agreement
  fields: {slug: agr, name_en: Agreement, signed_on: 2023-06-15, district: [dist]}
- model: programs.agreementparty
  fields: {agreement: [agr], organization: [org], role: signatory}
- model: programs.project
  fields:
    slug: proj
    name_en: Project
    kind: key_project
    announced_on: 2023-06-15
    agreement: [agr]
    sources: [[src-a]]
"""

# A valid change that comes before each bad record, so a test can see it undone.
CHANGE = """\
- model: programs.organization
  fields: {slug: org, name_en: Renamed Organization, kind: association}
- model: programs.project
  fields: {slug: proj-new, name_en: New Project, kind: other}
"""


def write(directory, name, text):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(*paths, **options):
    out = StringIO()
    call_command("load_seeds", *map(str, paths), stdout=out, **options)
    return out.getvalue()


def counts_in(output):
    """Return {model label: (created, updated, unchanged)} from the printed table."""
    rows = re.findall(r"^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)$", output, re.MULTILINE)
    return {label: tuple(map(int, numbers)) for label, *numbers in rows}


def database_state():
    """Return every row of every programs table, join tables included."""
    models = apps.get_app_config("programs").get_models(include_auto_created=True)
    return {
        model._meta.label_lower: list(model._default_manager.order_by("pk").values())
        for model in models
    }


@pytest.fixture
def base(tmp_path):
    path = write(tmp_path, "01_base.yaml", BASE)
    load(path)
    return path


def test_loads_every_seeds_yaml_in_name_order_by_default(tmp_path, settings):
    """Without paths, the command loads seeds/*.yaml sorted by name, and only those."""
    settings.BASE_DIR = tmp_path
    write(
        tmp_path,
        "seeds/02_districts.yaml",
        """\
        - model: programs.district
          fields: {slug: d, name_en: D, city_en: C, province_en: P, sources: [[s]]}
        """,
    )
    write(
        tmp_path,
        "seeds/01_sources.yaml",
        "- model: programs.source\n"
        "  fields: {slug: s, title_en: S, published_on: 2023-06-16}\n",
    )
    write(tmp_path, "seeds/notes.txt", "not a fixture [")
    output = load()
    assert list(District.objects.get(slug="d").sources.values_list("slug", flat=True))
    assert counts_in(output) == {
        "programs.source": (1, 0, 0),
        "programs.district": (1, 0, 0),
        "total": (2, 0, 0),
    }


def test_errors_in_default_seeds_name_the_file_relative_to_the_project(
    tmp_path, settings
):
    """A bad record in seeds/ is reported as seeds/<file>, not as an absolute path."""
    settings.BASE_DIR = tmp_path
    write(tmp_path, "seeds/01_bad.yaml", "- model: programs.nothing\n  fields: {}\n")
    with pytest.raises(CommandError) as error:
        load()
    assert str(error.value) == (
        "seeds/01_bad.yaml: record 1: model: unknown model 'programs.nothing'"
    )


def test_paths_given_load_only_those_files(tmp_path, settings):
    """Positional paths replace the default seeds/*.yaml."""
    settings.BASE_DIR = tmp_path
    write(tmp_path, "seeds/01_bad.yaml", "- model: programs.nothing\n  fields: {}\n")
    load(write(tmp_path, "elsewhere/base.yaml", BASE))
    assert Project.objects.filter(slug="proj").exists()


def test_second_run_creates_nothing_and_saves_nothing(base):
    """Loading the same fixtures again reports every record unchanged and writes
    no row, so not even updated_at moves."""
    before = database_state()
    output = load(base)
    assert database_state() == before
    assert counts_in(output)["total"] == (0, 0, 7)
    assert counts_in(output)["programs.agreementparty"] == (0, 0, 1)
    assert "Nothing created or updated: all 7 records are unchanged." in output


def test_first_run_counts_what_it_created(tmp_path):
    """The table counts each model's created records on a first run."""
    output = load(write(tmp_path, "base.yaml", BASE))
    assert counts_in(output) == {
        "programs.source": (2, 0, 0),
        "programs.district": (1, 0, 0),
        "programs.organization": (1, 0, 0),
        "programs.agreement": (1, 0, 0),
        "programs.agreementparty": (1, 0, 0),
        "programs.project": (1, 0, 0),
        "total": (7, 0, 0),
    }
    assert "Created 7, updated 0, unchanged 0." in output


def test_changed_fixture_updates_the_record_it_names(base, tmp_path):
    """A changed field updates the record with that natural key instead of adding
    one, and only that record is saved."""
    organization = Organization.objects.get(slug="org")
    source_stamp = Source.objects.get(slug="src-a").updated_at
    changed = BASE.replace("name_en: Organization", "name_en: Renamed")
    output = load(write(tmp_path, "changed.yaml", changed))
    assert Organization.objects.count() == 1
    renamed = Organization.objects.get(slug="org")
    assert (renamed.pk, renamed.name_en) == (organization.pk, "Renamed")
    assert renamed.updated_at > organization.updated_at
    assert Source.objects.get(slug="src-a").updated_at == source_stamp
    assert counts_in(output)["programs.organization"] == (0, 1, 0)
    assert counts_in(output)["total"] == (0, 1, 6)


def test_many_to_many_list_replaces_the_set(base, tmp_path):
    """An M2M list in the fixture replaces the record's set, and counts as an update."""
    changed = BASE.replace("sources: [[src-a], [src-b]]", "sources: [[src-b]]")
    output = load(write(tmp_path, "changed.yaml", changed))
    district = District.objects.get(slug="dist")
    assert list(district.sources.values_list("slug", flat=True)) == ["src-b"]
    assert counts_in(output)["programs.district"] == (0, 1, 0)


def test_fields_left_out_keep_their_values(base, tmp_path):
    """A fixture that omits a field or M2M leaves the stored value alone."""
    output = load(
        write(
            tmp_path,
            "partial.yaml",
            "- model: programs.district\n  fields: {slug: dist, name_en: District}\n",
        )
    )
    district = District.objects.get(slug="dist")
    assert district.city_en == "City"
    assert district.sources.count() == 2
    assert counts_in(output)["programs.district"] == (0, 0, 1)


def test_dry_run_writes_nothing_but_reports_the_same(base, tmp_path):
    """--dry-run prints what a real run would do and then rolls everything back."""
    before = database_state()
    changed = write(tmp_path, "changed.yaml", CHANGE)
    output = load(changed, dry_run=True)
    assert database_state() == before
    assert counts_in(output)["programs.organization"] == (0, 1, 0)
    assert counts_in(output)["programs.project"] == (1, 0, 0)
    assert "Dry run, nothing written." in output
    assert counts_in(load(changed))["total"] == counts_in(output)["total"]


BAD_RECORDS = {
    "malformed YAML": (
        "- model: programs.source\n  fields: [\n",
        "{bad}: malformed YAML at line 3, column 1: expected the node content",
    ),
    "unknown model": (
        "- model: programs.spaceship\n  fields: {slug: bad}\n",
        "{bad}: record 1: model: unknown model 'programs.spaceship'",
    ),
    "unknown field": (
        "- model: programs.project\n"
        "  fields: {slug: bad, name_en: Bad, kind: other, colour: blue}\n",
        '{bad}: programs.project "bad": colour: unknown field of programs.project',
    ),
    "automatic field": (
        "- model: programs.project\n"
        "  fields: {slug: bad, name_en: Bad, kind: other, created_at: 2023-01-01}\n",
        '{bad}: programs.project "bad": created_at: is set automatically',
    ),
    "pk instead of a natural key": (
        "- model: programs.project\n  pk: 1\n  fields: {slug: bad}\n",
        "{bad}: record 1: pk: name records by natural key, not pk",
    ),
    "broken foreign key": (
        "- model: programs.project\n"
        "  fields: {slug: bad, name_en: Bad, kind: other, agreement: [nope]}\n",
        '{bad}: programs.project "bad": agreement: '
        "no programs.agreement with natural key ['nope']",
    ),
    "broken many-to-many": (
        "- model: programs.project\n"
        "  fields: {slug: bad, name_en: Bad, kind: other,\n"
        "           sources: [[src-a], [nope]]}\n",
        '{bad}: programs.project "bad": sources: '
        "no programs.source with natural key ['nope']",
    ),
    "reference to a later record": (
        "- model: programs.project\n"
        "  fields: {slug: bad, name_en: Bad, kind: other, agreement: [later]}\n"
        "- model: programs.agreement\n"
        "  fields: {slug: later, name_en: Later}\n",
        '{bad}: programs.project "bad": agreement: '
        "no programs.agreement with natural key ['later']",
    ),
    "broken key of a record without a slug": (
        "- model: programs.agreementparty\n"
        "  fields: {agreement: [agr], organization: [nope]}\n",
        "{bad}: programs.agreementparty record 1: organization: "
        "no programs.organization with natural key ['nope']",
    ),
    "evidence naming no record": (
        "- model: programs.evidence\n"
        "  fields: {source: [src-a], record: [programs.project, nope],\n"
        "           paragraph: 3}\n",
        "{bad}: programs.evidence record 1: record: "
        "no programs.project with slug 'nope'",
    ),
    "evidence naming no kind": (
        "- model: programs.evidence\n"
        "  fields: {source: [src-a], record: [programs.spaceship, x],\n"
        "           paragraph: 3}\n",
        "{bad}: programs.evidence record 1: record: unknown model 'programs.spaceship'",
    ),
    "invalid date": (
        "- model: programs.project\n"
        "  fields: {slug: bad, name_en: Bad, kind: other, announced_on: 2023-02-30}\n",
        '{bad}: programs.project "bad": announced_on: ',
    ),
    "invalid choice": (
        "- model: programs.project\n"
        "  fields: {slug: bad, name_en: Bad, kind: spaceship}\n",
        '{bad}: programs.project "bad": kind: ',
    ),
    "required field missing": (
        "- model: programs.project\n  fields: {slug: bad, kind: other}\n",
        '{bad}: programs.project "bad": name_en: This field cannot be blank.',
    ),
    "constraint across fields": (
        "- model: programs.announcedfigure\n"
        "  fields: {slug: bad, label_en: Bad, subject: experts, value: 4,\n"
        "           as_of: 2023-06-15, source: [src-a], agreement: [agr]}\n",
        '{bad}: programs.announcedfigure "bad": '
        "Only figures that count projects name an agreement.",
    ),
    "duplicate natural key": (
        "- model: programs.project\n"
        "  fields: {slug: proj-new, name_en: Again, kind: other}\n",
        '{bad}: programs.project "proj-new": slug: '
        "duplicate natural key ['proj-new'], first given in "
        '{change} programs.project "proj-new"',
    ),
}


@pytest.mark.parametrize(
    ("text", "expected"), BAD_RECORDS.values(), ids=BAD_RECORDS.keys()
)
def test_bad_record_fails_in_one_line_and_changes_nothing(
    base, tmp_path, text, expected
):
    """A bad record stops the run with one line naming file, record and field, and
    the changes made before it in the same run are rolled back."""
    before = database_state()
    change = write(tmp_path, "02_change.yaml", CHANGE)
    bad = write(tmp_path, "03_bad.yaml", text)
    with pytest.raises(CommandError) as error:
        load(change, bad)
    message = str(error.value)
    assert message.startswith(expected.format(bad=bad, change=change))
    assert "\n" not in message
    assert database_state() == before
    assert Organization.objects.get(slug="org").name_en == "Organization"


def test_command_line_prints_one_line_and_a_traceback_only_when_asked(tmp_path):
    """From manage.py a bad fixture exits 1 with a single CommandError line; the
    traceback appears only with --traceback."""
    bad = write(tmp_path, "bad.yaml", "- model: programs.nothing\n  fields: {}\n")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def run(*extra):
        return subprocess.run(
            [sys.executable, "manage.py", "load_seeds", str(bad), *extra],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    plain = run()
    assert plain.returncode == 1
    assert plain.stderr == (
        f"CommandError: {bad}: record 1: model: unknown model 'programs.nothing'\n"
    )
    assert "Traceback" in run("--traceback").stderr
