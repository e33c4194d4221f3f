"""The generate_demo command and how the site shows what it invents."""

import csv
import datetime
import hashlib
import io
import json
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from programs.demo import DEMO_MODELS, DemoGenerator
from programs.models import (
    Agreement,
    AgreementParty,
    AnnouncedFigure,
    Entrepreneur,
    Expert,
    Organization,
    Project,
    PublicationStatus,
    ResearchField,
    Workstation,
)

from . import factories as f

pytestmark = pytest.mark.django_db

MADE = (
    ResearchField,
    Organization,
    Agreement,
    Project,
    Workstation,
    Expert,
    Entrepreneur,
)
THROUGH_ROWS = {
    AgreementParty: ("agreement__slug", "organization__slug", "role"),
    Expert.research_fields.through: ("expert__slug", "researchfield__slug"),
    Workstation.experts.through: ("workstation__slug", "expert__slug"),
}


@pytest.fixture
def districts():
    """The three districts of the zone, as load_seeds would put them on file."""
    return [
        f.make_district(slug=slug, name_en=en, name_zh=zh)
        for slug, en, zh in (
            ("qingpu", "Qingpu District", "青浦区"),
            ("wujiang", "Wujiang District", "吴江区"),
            ("jiashan", "Jiashan County", "嘉善县"),
        )
    ]


def generate(*args):
    out = io.StringIO()
    call_command("generate_demo", *args, stdout=out)
    return out.getvalue()


def digest():
    """Return a hash of every demo row, naming related records by slug, not pk."""
    sha = hashlib.sha256()
    for model in MADE:
        names = [
            f"{field.name}__slug" if field.is_relation else field.name
            for field in model._meta.concrete_fields
            if field.name not in ("id", "created_at", "updated_at")
            and field.name != "publication_changed_by"
        ]
        for row in model.objects.order_by("slug").values_list(*names):
            sha.update(repr(row).encode())
    for model, names in THROUGH_ROWS.items():
        for row in model.objects.order_by(*names).values_list(*names):
            sha.update(repr(row).encode())
    return sha.hexdigest()


def demo_count():
    return sum(model.objects.filter(is_demo=True).count() for model in DEMO_MODELS)


def test_same_seed_and_size_make_the_same_records(districts):
    """Generating twice with one seed and size gives identical rows; a new seed not."""
    generate("--size", "200", "--seed", "7")
    first = digest()
    generate("--clear", "--size", "200", "--seed", "7")
    assert digest() == first
    generate("--clear", "--size", "200", "--seed", "8")
    assert digest() != first


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (200, (12, 4, 1, 10, 2, 100, 100)),
        (1001, (12, 20, 5, 50, 10, 500, 501)),
    ],
)
def test_sizes_scale_with_the_number_of_people(districts, size, expected):
    """--size N makes N people and related records in the documented proportions."""
    output = generate("--size", str(size))
    assert [model.objects.count() for model in MADE] == list(expected)
    assert f"Created {size:,} people" in output
    parties = AgreementParty.objects.count()
    assert 2 * expected[2] <= parties <= 3 * expected[2]


def test_every_record_is_published_demo_data_without_sources(districts):
    """Every record is demo, published, slugged "demo-", unsourced, in a district."""
    generate("--size", "200")
    district_ids = {district.pk for district in districts}
    first, last = datetime.date(2015, 1, 1), datetime.date(2025, 12, 31)
    for model in MADE:
        records = model.objects.all()
        assert records.exists()
        assert not records.filter(is_demo=False).exists()
        assert not records.exclude(publication_status=PublicationStatus.PUBLISHED)
        assert not records.exclude(slug__startswith="demo-").exists()
        assert all(record.name_en and record.name_zh for record in records)
        if model is not ResearchField:
            assert not records.filter(sources__isnull=False).exists()
            assert set(records.values_list("district", flat=True)) <= district_ids
        if model.date_field:
            dates = records.values_list(model.date_field, flat=True)
            assert all(first <= date <= last for date in dates)


def test_demo_records_are_never_linked_into_sourced_ones(districts):
    """A sourced agreement keeps its parties and gains no demo project or party."""
    sourced = f.make_agreement(parties=[f.make_organization(), f.make_organization()])
    before = list(sourced.party_roles.values_list("organization", flat=True))
    generate("--size", "1000")
    assert list(sourced.party_roles.values_list("organization", flat=True)) == before
    assert not sourced.projects.exists()


def test_clear_removes_demo_records_only(districts):
    """--clear deletes every demo record and its links, and keeps sourced records."""
    source = f.make_source()
    expert = f.make_expert(district=districts[0])
    expert.sources.add(source)
    agreement = f.make_agreement(parties=[expert.appointed_by])
    kept = {model: model.objects.count() for model in DEMO_MODELS}
    generate("--size", "200")
    assert demo_count() > 0
    output = generate("--clear")
    assert demo_count() == 0
    assert {model: model.objects.count() for model in DEMO_MODELS} == kept
    assert not Expert.research_fields.through.objects.exists()
    assert list(agreement.parties.all()) == [expert.appointed_by]
    assert list(expert.sources.all()) == [source]
    assert "Deleted" in output


def test_clear_stops_when_a_sourced_record_points_at_demo_data(districts):
    """A sourced record that names a demo organization stops --clear; nothing goes."""
    generate("--size", "200")
    before = demo_count()
    f.make_project(lead_organization=Organization.objects.first())
    with pytest.raises(CommandError, match="Nothing was deleted"):
        generate("--clear")
    assert demo_count() == before


def test_refuses_without_districts():
    """With no districts on file it says to run load_seeds, and writes nothing."""
    with pytest.raises(CommandError, match="load_seeds"):
        generate("--size", "200")
    assert demo_count() == 0


def test_refuses_to_run_twice_without_clear(districts):
    """A second run without --clear is refused; with --clear it replaces the records."""
    generate("--size", "200")
    before = digest()
    with pytest.raises(CommandError, match="already"):
        generate("--size", "200")
    assert digest() == before
    generate("--clear", "--size", "400")
    assert Expert.objects.count() == 200


def test_needs_a_size_or_clear(districts):
    """Without --size or --clear, or with a size below 1, it asks for one."""
    with pytest.raises(CommandError, match="--size"):
        generate()
    with pytest.raises(CommandError, match="at least 1"):
        generate("--size", "0")


def test_a_failure_midway_leaves_nothing_written(districts):
    """The whole run is one transaction: a failure on the last kind undoes the rest."""
    with (
        mock.patch.object(
            DemoGenerator, "_entrepreneurs", side_effect=RuntimeError("disk full")
        ),
        pytest.raises(RuntimeError),
    ):
        generate("--size", "200")
    assert demo_count() == 0
    assert not AgreementParty.objects.exists()


def test_announced_figures_count_sourced_records_only(districts):
    """A figure's "on record" count and counting() leave demo records out."""
    sourced = f.make_expert(appointed_on=datetime.date(2016, 1, 1))
    figure = f.make_figure(
        subject=AnnouncedFigure.Subject.EXPERTS,
        date_rule=AnnouncedFigure.DateRule.AS_OF,
        as_of=datetime.date(2030, 1, 1),
        value=10,
    )
    generate("--size", "200")
    assert Expert.objects.filter(is_demo=True).count() == 100
    assert AnnouncedFigure.objects.with_on_record().get(pk=figure.pk).on_record == 1
    assert list(AnnouncedFigure.objects.counting(sourced)) == [figure]
    demo = Expert.objects.filter(is_demo=True).first()
    assert not AnnouncedFigure.objects.counting(demo).exists()


def test_pages_label_demo_records_and_only_them(client, districts):
    """Lists, details, search and home badge demo records; sourced ones stay plain."""
    f.make_agreement(name_en="Sourced agreement", district=districts[0])
    assert "demo-badge" not in client.get(reverse("programs:agreement-list")).text
    generate("--size", "200")
    expert = Expert.objects.filter(is_demo=True).first()
    pages = {
        "list": reverse("programs:expert-list"),
        "detail": expert.get_absolute_url(),
        "search": f"{reverse('programs:search')}?q={expert.name_en}",
        "home": reverse("programs:home"),
        "district": districts[0].get_absolute_url(),
    }
    for name, url in pages.items():
        assert 'class="demo-badge">Demo data<' in client.get(url).text, name
    detail = client.get(expert.get_absolute_url()).text
    assert "Invented for demonstration; not drawn from any source." in detail
    assert "demo data is invented, not drawn from a source" in detail
    assert "No published source yet." not in detail
    agreements = client.get(reverse("programs:agreement-list")).text
    sourced_row = agreements[agreements.index("Sourced agreement") :]
    assert "demo-badge" not in sourced_row[: sourced_row.index("</tr>")]


def test_home_and_stats_say_how_many_counted_records_are_demo(client, districts):
    """Where counts include demo records, the page says how many of them there are."""
    assert "demo-note" not in client.get(reverse("programs:home")).text
    generate("--size", "200")
    in_qingpu = sum(
        model.objects.filter(district=districts[0], is_demo=True).count()
        for model in (Agreement, Project, Workstation, Expert, Entrepreneur)
    )
    home = client.get(reverse("programs:home")).text
    assert f"Including {in_qingpu} demo records" in home
    total = sum(
        model.objects.count()
        for model in (Agreement, Project, Workstation, Expert, Entrepreneur)
    )
    stats = client.get(reverse("programs:stats")).text
    assert f"These counts include {total} demo records" in stats


def test_exports_have_a_demo_data_column(client, districts):
    """CSV says Yes or No under "Demo data"; JSON has is_demo true or false."""
    f.make_expert(name_en="Sourced expert")
    generate("--size", "200")
    url = reverse("programs:expert-list")
    response = client.get(url, {"format": "csv", "q": "Sourced"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response).decode("utf-8-sig"))))
    assert [row["Demo data"] for row in rows] == ["No"]
    response = client.get(url, {"format": "json"})
    items = json.loads(b"".join(response))
    assert sorted(item["is_demo"] for item in items) == [False] + [True] * 100


def test_feed_titles_mark_demo_entries(client, districts):
    """Demo projects in the feed are titled "[Demo] …"; sourced ones are not."""
    f.make_project(name_en="Sourced project")
    generate("--size", "200")
    feed = client.get(reverse("programs:project-feed")).text
    demo = Project.objects.filter(is_demo=True).first()
    assert f"[Demo] {demo.name_en}" in feed
    assert "<title>Sourced project</title>" in feed


def test_admin_filters_and_shows_demo_data_read_only(admin_client, districts):
    """Staff can list demo records apart, and cannot untick is_demo on a record."""
    f.make_expert(name_en="Sourced expert")
    generate("--size", "20")
    changelist = reverse("admin:programs_expert_changelist")
    response = admin_client.get(changelist, {"is_demo__exact": "0"})
    assert response.context["cl"].result_count == 1
    response = admin_client.get(changelist, {"is_demo__exact": "1"})
    assert response.context["cl"].result_count == 10
    demo = Expert.objects.filter(is_demo=True).first()
    form = admin_client.get(reverse("admin:programs_expert_change", args=[demo.pk]))
    assert 'name="is_demo"' not in form.text
    assert "Demo data" in form.text
