"""Lists, district cards and figures say what sources announce.

A list with nothing named on file still tells a visitor what is known: the
figures its sources announce about its kind of record, each linked to the
figure on its source's page and cited to the paragraph it stands in.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from programs.models import AnnouncedFigure, Evidence, PublicationStatus

from . import factories as f

pytestmark = pytest.mark.django_db

EXPERTS = AnnouncedFigure.Subject.EXPERTS


def experts_figure(**fields):
    fields.setdefault("subject", EXPERTS)
    fields.setdefault("value", 4)
    fields.setdefault("label_en", "Experts from the association appointed")
    return f.make_figure(**fields)


def test_an_empty_list_gives_the_figures_about_its_kind(client):
    """No expert on file, yet the experts list gives the four announced."""
    figure = experts_figure(district=f.make_district())
    f.make_figure(label_en="Eight key projects")  # about projects, not experts
    text = client.get(reverse("programs:expert-list")).text
    assert "None is named on file yet, but sources announce" in text
    assert "Sources announce 4 experts appointed on" in text
    assert "none is named on file yet." in text
    assert f'{figure.source.get_absolute_url()}#figure-{figure.slug}"' in text
    assert "Eight key projects" not in text


def test_the_list_says_how_many_of_the_announced_are_on_file(client):
    """With one of four experts on file, the figure says one is."""
    experts_figure(value=4)
    f.make_expert(appointed_on=datetime.date(2023, 6, 15))
    text = client.get(reverse("programs:expert-list")).text
    assert "Sources announce 4 experts appointed on" in text
    assert "; 1 is on file." in text


def test_a_running_total_is_announced_as_of_its_date(client):
    """A figure that counts a total reads "as of" its date."""
    f.make_figure(
        subject=AnnouncedFigure.Subject.WORKSTATIONS,
        value=40,
        qualifier=AnnouncedFigure.Qualifier.MORE_THAN,
        date_rule=AnnouncedFigure.DateRule.AS_OF,
        as_of=datetime.date(2022, 12, 31),
    )
    text = client.get(reverse("programs:workstation-list")).text
    assert "Sources announce more than 40 academician workstations as of" in text
    assert 'datetime="2022-12-31"' in text


def test_a_district_filter_keeps_that_district_and_zone_wide_figures(client):
    """Filtered to Wujiang, the list leaves out Qingpu's figure."""
    qingpu, wujiang = f.make_district(slug="qingpu"), f.make_district(slug="wujiang")
    experts_figure(district=qingpu, label_en="Qingpu experts")
    experts_figure(district=None, label_en="Zone experts")
    experts_figure(district=wujiang, label_en="Wujiang experts")
    text = client.get(reverse("programs:expert-list"), {"district": "wujiang"}).text
    assert "Wujiang experts" in text
    assert "Zone experts" in text
    assert "Qingpu experts" not in text


def test_drafts_and_figures_of_unpublished_sources_are_kept_back(client):
    """A draft figure never shows; a figure whose source is a draft is not linked."""
    experts_figure(label_en="Draft figure", publication_status=PublicationStatus.DRAFT)
    hidden = f.make_source(
        title_en="Unpublished report", publication_status=PublicationStatus.DRAFT
    )
    figure = experts_figure(label_en="Figure of a draft source", source=hidden)
    text = client.get(reverse("programs:expert-list")).text
    assert "Draft figure" not in text
    assert "Figure of a draft source" in text
    assert "Unpublished report" not in text
    assert f"#figure-{figure.slug}" not in text


def test_figures_about_agreements_stand_beside_the_agreements_list(client):
    """A figure of agreements, which no record on file matches, still shows."""
    f.make_figure(subject=AnnouncedFigure.Subject.AGREEMENTS, value=12, agreement=None)
    text = client.get(reverse("programs:agreement-list")).text
    assert "Sources announce 12 agreements on" in text
    assert "on file" not in text.split("Sources announce 12 agreements")[1][:80]


def test_kinds_no_figure_counts_show_no_section(client):
    """Districts and sources are not what figures count: no section."""
    experts_figure()
    for name in ("programs:district-list", "programs:source-list"):
        assert "What sources announce" not in client.get(reverse(name)).text


def test_a_figure_cites_the_paragraph_it_stands_in(client):
    """Where the intake noted a figure's paragraph, its citation gives it."""
    figure = experts_figure()
    Evidence.objects.create(
        source=figure.source,
        content_type=ContentType.objects.get_for_model(figure),
        object_id=figure.pk,
        paragraph=8,
        sentence="Staff-only sentence of the report.",
    )
    for url in (reverse("programs:expert-list"), figure.source.get_absolute_url()):
        text = client.get(url).text
        assert "paragraph 8" in text
        assert "Staff-only sentence" not in text


@pytest.mark.parametrize("page", ["programs:home", "programs:zone"])
def test_district_cards_put_the_district_holding_most_first(client, page):
    """Home and the zone page order their district cards by records on file,
    then by figures announced."""
    empty = f.make_district(name_en="Anting District")
    announced = f.make_district(name_en="Baoshan District")
    busy = f.make_district(name_en="Changning District")
    experts_figure(district=announced)
    f.make_project(district=busy)
    text = client.get(reverse(page)).text
    cards = text[text.index('class="card"') :]
    order = [cards.index(d.name_en) for d in (busy, announced, empty)]
    assert order == sorted(order)


def test_an_empty_district_card_says_so_once(client):
    """A district with nothing on file says 'None yet.' instead of zeros."""
    f.make_district(name_en="Anting District")
    assert "None yet." in client.get(reverse("programs:home")).text


def test_a_record_that_counts_toward_no_figure_compiles_no_figure_query(
    client, settings, monkeypatch
):
    """A demo record counts toward no figure: its page says so without
    compiling a query it knows finds nothing, and shows no figures."""
    from django.db.models.sql.compiler import SQLCompiler

    settings.PAGE_CACHE_SECONDS = 0
    experts_figure(district=None)
    expert = f.make_expert(is_demo=True)
    compiled = []
    as_sql = SQLCompiler.as_sql

    def noting_the_model(compiler, *args, **kwargs):
        compiled.append(compiler.query.model)
        return as_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", noting_the_model)
    response = client.get(expert.get_absolute_url())

    assert response.status_code == 200
    assert 'class="figures"' not in response.text
    assert compiled and AnnouncedFigure not in compiled
