"""The timeline at /timeline/ and its Atom feed (programs/site/timeline.py)."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest

from programs.models import AnnouncedFigure, PublicationStatus
from programs.site import timeline
from programs.site.feeds import FEED_LENGTH

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DRAFTED = {"publication_status": PublicationStatus.DRAFT}
JUNE = datetime.date(2023, 6, 15)
# The filter's districts, the UNION counted and paged, and one query per kind
# of event on the page for its records with their districts (six kinds).
TIMELINE_QUERY_BUDGET = CACHE_CHECK + 3 + len(timeline.EVENT_KEYS)


def events_html(response):
    """Return the part of the page that lists the events."""
    assert response.status_code == 200
    text = response.text
    start = text.find('<section class="timeline-month"')
    return text[start : text.index("</main>")] if start >= 0 else ""


def month_headings(text):
    return re.findall(r'<h2 id="month-[\d-]+"><time datetime="([\d-]+)">', text)


def one_of_each(district, on=JUNE):
    """Make one public dated record of each kind of event, and a figure."""
    return [
        f.make_agreement(name_en="Accord", district=district, signed_on=on),
        f.make_project(name_en="Venture", district=district, announced_on=on),
        f.make_workstation(name_en="Station", district=district, established_on=on),
        f.make_expert(name_en="Dr Expert", district=district, appointed_on=on),
        f.make_entrepreneur(name_en="Dr Returnee", district=district, signed_on=on),
        f.make_figure(
            district=district,
            subject=AnnouncedFigure.Subject.WORKSTATIONS,
            value=40,
            qualifier=AnnouncedFigure.Qualifier.MORE_THAN,
            as_of=on,
        ),
    ]


# The page ---------------------------------------------------------------------


def test_every_kind_of_event_is_listed_with_its_link_and_district(client, qingpu):
    """Each kind of dated record is an event, labelled, linked and placed."""
    records = one_of_each(qingpu)
    text = events_html(client.get("/timeline/"))
    for label, record in zip(
        (
            "Agreement signed:",
            "Project announced:",
            "Academician workstation set up:",
            "Expert appointed:",
            "Overseas entrepreneur signed:",
        ),
        records[:5],
        strict=True,
    ):
        assert f'{label}</span>\n        <a href="{record.get_absolute_url()}">' in text
    assert text.count('<a href="/districts/qingpu/">Qingpu District</a>') == 6
    assert text.count('<time datetime="2023-06-15">') == 6


def test_a_figure_reads_as_announced_and_links_to_its_source(client):
    """A figure is "Figure announced: more than 40 ...", linked to its source page."""
    source = f.make_source(slug="report", title_en="The report")
    f.make_figure(
        slug="stations",
        label_en="Workstations in Qingpu",
        subject=AnnouncedFigure.Subject.WORKSTATIONS,
        value=40,
        qualifier=AnnouncedFigure.Qualifier.MORE_THAN,
        as_of=datetime.date(2022, 12, 31),
        source=source,
    )
    f.make_figure(value=8, as_of=datetime.date(2022, 12, 31), source=source)
    text = events_html(client.get("/timeline/"))
    assert (
        '<a href="/sources/report/#figure-stations">'
        "more than 40 academician workstations</a>" in text
    )
    assert "Workstations in Qingpu" in text
    assert 'Source: <a href="/sources/report/">The report</a>' in text
    # "Exactly" is left out, as the figures elsewhere leave it out.
    assert ">8 key projects</a>" in text


def test_a_figure_of_an_unpublished_source_is_shown_unlinked(client):
    """The figure is public; its draft source is neither linked nor named."""
    f.make_figure(value=8, source=f.make_source(title_en="Draft report", **DRAFTED))
    text = events_html(client.get("/timeline/"))
    assert "8 key projects" in text
    assert "/sources/" not in text
    assert "Draft report" not in text


def test_undated_and_unpublished_records_are_not_events(client):
    """No date, no event (never a guess); drafts and draft figures never show."""
    f.make_agreement(name_en="Undated accord", signed_on=None)
    f.make_workstation(name_en="Undated station", established_on=None)
    f.make_expert(name_en="Hidden expert", **DRAFTED)
    f.make_figure(label_en="Hidden figure", value=999, **DRAFTED)
    f.make_project(name_en="Shown venture")
    text = events_html(client.get("/timeline/"))
    assert "Shown venture" in text
    for hidden in ("Undated accord", "Undated station", "Hidden expert", "999"):
        assert hidden not in text


def test_a_draft_district_is_not_named(client):
    """An event in an unpublished district shows no district."""
    district = f.make_district(name_en="Draft district", **DRAFTED)
    f.make_agreement(name_en="Accord", district=district)
    response = client.get("/timeline/")
    assert "Accord" in events_html(response)
    assert "Draft district" not in response.text


def test_months_come_newest_first_and_events_newest_first_within(client):
    """Events are grouped under their month, newest month first."""
    f.make_agreement(name_en="March accord", signed_on=datetime.date(2021, 3, 1))
    f.make_expert(name_en="Late June", appointed_on=datetime.date(2023, 6, 30))
    f.make_project(name_en="Early June", announced_on=datetime.date(2023, 6, 2))
    f.make_entrepreneur(name_en="May", signed_on=datetime.date(2023, 5, 9))
    text = events_html(client.get("/timeline/"))
    assert month_headings(text) == ["2023-06", "2023-05", "2021-03"]
    assert ">June 2023</time></h2>" in text
    names = ("Late June", "Early June", "May", "March accord")
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)


def test_demo_records_are_labelled_as_the_lists_label_them(client):
    """A demo record carries the demo badge, as on its list."""
    f.make_project(name_en="Invented venture", is_demo=True)
    f.make_figure(value=8, is_demo=True)
    text = events_html(client.get("/timeline/"))
    assert text.count('<span class="demo-badge">Demo data</span>') == 2


def test_the_page_links_its_feed_with_the_same_filters(client, qingpu):
    """The head names the Atom feed of the events shown, filters included."""
    text = client.get("/timeline/", {"district": "qingpu", "kind": "expert"}).text
    head = text.split("</head>")[0]
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Timeline · talentzone" '
        'href="/timeline/feed/?district=qingpu&amp;kind=expert">' in head
    )


# Filters ----------------------------------------------------------------------


def test_the_district_filter_keeps_that_districts_events(client, qingpu):
    """?district= keeps one district's events; zone-wide figures have none."""
    one_of_each(qingpu)
    one_of_each(f.make_district(slug="wujiang", name_en="Wujiang District"))
    f.make_figure(label_en="Zone-wide figure", district=None)
    text = events_html(client.get("/timeline/", {"district": "qingpu"}))
    assert text.count('<li class="event') == 6
    assert "Wujiang" not in text
    assert "Zone-wide figure" not in text


@pytest.mark.parametrize("key", timeline.EVENT_KEYS)
def test_the_kind_filter_keeps_one_kind_of_event(client, qingpu, key):
    """?kind= keeps the events of that kind only."""
    one_of_each(qingpu)
    text = events_html(client.get("/timeline/", {"kind": key}))
    assert re.findall(r'<li class="event event-(\w+)"', text) == [key]


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "<script>"},
        {"district": "nowhere"},
        {"district": "draft-district"},
        {"kind": "organization"},
    ],
)
def test_a_bad_filter_is_explained_not_a_server_error(client, query):
    """A value the form refuses gets its message on the page, never a 500."""
    f.make_district(slug="draft-district", **DRAFTED)
    f.make_project(name_en="Shown venture")
    response = client.get("/timeline/", query)
    assert response.status_code == 200
    assert "Some filters could not be used" in response.text
    assert "Select a valid choice" in response.text
    assert "<script>" not in response.text
    assert "Shown venture" not in response.text


def test_paging_keeps_the_filters(client, qingpu, monkeypatch):
    """The next page's link carries the filters, and shows the older events."""
    monkeypatch.setattr(timeline, "PAGE_SIZE", 3)
    for day in range(1, 5):
        f.make_expert(
            name_en=f"Expert {day:02}",
            district=qingpu,
            appointed_on=datetime.date(2023, 1, day),
        )
    first = client.get("/timeline/", {"district": "qingpu", "kind": "expert"})
    assert "4 events" in first.text
    assert 'href="?district=qingpu&amp;kind=expert&amp;page=2"' in first.text
    assert "Expert 01" not in events_html(first)
    second = client.get(
        "/timeline/", {"district": "qingpu", "kind": "expert", "page": 2}
    )
    assert "Expert 01" in events_html(second)
    assert "Expert 02" not in events_html(second)


@pytest.mark.parametrize("page", ["abc", "999", "-1"])
def test_a_bad_page_number_shows_a_page_not_an_error(client, page):
    """A page number that is not a page shows the nearest one."""
    f.make_project(name_en="Shown venture")
    response = client.get("/timeline/", {"page": page})
    assert "Shown venture" in events_html(response)


@pytest.mark.parametrize("rows", [3, 6])
def test_query_count_does_not_grow_with_records(
    client, django_assert_num_queries, monkeypatch, qingpu, rows
):
    """One query per kind of event, not per event nor per district shown."""
    # Every event on one page, so that every kind's query runs.
    monkeypatch.setattr(timeline, "PAGE_SIZE", 1000)
    for _ in range(rows):
        one_of_each(f.make_district())
        one_of_each(qingpu)
    with django_assert_num_queries(TIMELINE_QUERY_BUDGET):
        response = client.get("/timeline/")
    assert events_html(response).count('<li class="event') == 2 * rows * 6


def test_the_chinese_page_names_events_in_chinese(client, qingpu):
    """/zh-hans/timeline/ names records, districts and months in Chinese."""
    f.make_agreement(slug="sast", name_zh="战略合作", district=qingpu)
    response = client.get("/zh-hans/timeline/", {"district": "qingpu"})
    text = events_html(response)
    assert '<html lang="zh-Hans">' in response.text
    assert '<a href="/zh-hans/agreements/sast/">战略合作</a>' in text
    assert '<a href="/zh-hans/districts/qingpu/">青浦区</a>' in text
    assert ">2023年6月</time></h2>" in text
    assert 'href="/zh-hans/timeline/feed/?district=qingpu"' in response.text


# The feed ---------------------------------------------------------------------


def atom_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    return feed, entries


def titles(entries):
    return [entry.findtext(f"{ATOM}title") for entry in entries]


def test_the_feed_carries_the_events_newest_event_first(client):
    """Entries come by the event's own date, newest first, titled by what happened."""
    f.make_agreement(name_en="Old accord", signed_on=datetime.date(2021, 3, 1))
    f.make_expert(name_en="Dr New", appointed_on=datetime.date(2024, 2, 1))
    f.make_figure(value=8, as_of=datetime.date(2022, 1, 1))
    feed, entries = atom_entries(client.get("/timeline/feed/"))
    assert titles(entries) == [
        "Expert appointed: Dr New",
        "Figure announced: 8 key projects",
        "Agreement signed: Old accord",
    ]
    assert entries[0].findtext(f"{ATOM}published").startswith("2024-02-01")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)


def test_the_feed_honours_the_filters(client, qingpu):
    """The feed of ?district=&kind= carries what the page shows, nothing else."""
    one_of_each(qingpu)
    one_of_each(f.make_district())
    _feed, entries = atom_entries(
        client.get("/timeline/feed/", {"district": "qingpu", "kind": "expert"})
    )
    assert titles(entries) == ["Expert appointed: Dr Expert"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.startswith("http://testserver/experts/")


def test_the_feed_stops_at_its_length(client):
    """The feed carries the latest FEED_LENGTH events, not all of them."""
    for day in range(FEED_LENGTH + 1):
        f.make_project(announced_on=JUNE - datetime.timedelta(days=day))
    _feed, entries = atom_entries(client.get("/timeline/feed/"))
    assert len(entries) == FEED_LENGTH


def test_the_chinese_feed_speaks_chinese(client):
    """The /zh-hans/ feed names records in Chinese and links Chinese pages."""
    f.make_agreement(slug="sast", name_zh="战略合作")
    feed, entries = atom_entries(client.get("/zh-hans/timeline/feed/"))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hans"
    assert titles(entries)[0].endswith("战略合作")
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == "http://testserver/zh-hans/agreements/sast/"


def test_a_figure_of_a_draft_source_links_to_its_place_on_the_timeline(client):
    """Every entry has a link of its own, even a figure whose source is hidden."""
    f.make_figure(slug="stations", source=f.make_source(**DRAFTED))
    _feed, entries = atom_entries(client.get("/timeline/feed/"))
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == "http://testserver/timeline/#figure-stations"
    assert 'id="figure-stations"' in client.get("/timeline/").text


def test_a_bad_filter_on_the_feed_is_a_400_that_says_why(client):
    """The feed refuses a filter it cannot use, and says which, in plain text."""
    response = client.get("/timeline/feed/", {"kind": "bogus"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Kind of event: Select a valid choice." in response.content.decode()


def test_demo_events_are_marked_in_the_feed(client):
    """A demo record's entry says so in its title, as the other feeds do."""
    f.make_project(name_en="Invented venture", is_demo=True)
    _feed, entries = atom_entries(client.get("/timeline/feed/"))
    assert titles(entries) == ["[Demo] Project announced: Invented venture"]


# Around the site --------------------------------------------------------------


def test_the_navigation_lists_the_timeline_before_statistics(client):
    """The main navigation has Timeline after the kinds, before Statistics."""
    text = client.get("/timeline/").text
    nav = text[text.index('<ul class="nav">') :]
    nav = nav[: nav.index("</nav>")]
    assert nav.index('href="/sources/"') < nav.index('href="/timeline/"')
    assert nav.index('href="/timeline/"') < nav.index('href="/stats/"')
    assert '<a href="/timeline/" aria-current="page">Timeline</a>' in nav


def test_home_lists_the_latest_events_and_links_the_timeline(client):
    """The home page's short list includes experts and links to /timeline/."""
    f.make_expert(name_en="Dr Appointed", appointed_on=datetime.date(2024, 1, 2))
    text = client.get("/").text
    short = text[text.index('<ol class="timeline">') :]
    assert "Expert appointed: " in short[: short.index("</ol>")]
    assert '<a href="/timeline/">' in short


def test_the_sitemap_lists_the_timeline_in_both_languages(client):
    """/timeline/ and /zh-hans/timeline/ are in the sitemap."""
    text = client.get("/sitemap.xml").text
    assert "<loc>http://testserver/timeline/</loc>" in text
    assert "<loc>http://testserver/zh-hans/timeline/</loc>" in text
