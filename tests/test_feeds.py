"""Feeds, the sitemap, robots.txt and each page's title, description and tags."""

import datetime
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from programs.models import Agreement, Project, PublicationStatus
from programs.site import sitemaps
from programs.site.feeds import FEED_LENGTH

from . import factories as f
from .budgets import CACHE_CHECK

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def atom(response):
    """Parse an Atom response, checking the elements Atom requires."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    return feed, entries


def titles(entries):
    return [entry.findtext(f"{ATOM}title") for entry in entries]


def added_at(record, day):
    """Stamp ``record`` as put on file on 2025-01-``day``."""
    moment = datetime.datetime(2025, 1, day, 9, tzinfo=datetime.UTC)
    type(record).objects.filter(pk=record.pk).update(created_at=moment)
    return moment


class HeadParser(HTMLParser):
    """Collect the <meta> and <link> tags and the title of a page's <head>."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.title, self._in_title = {}, [], "", False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs["content"]
        elif tag == "link":
            self.links.append(attrs)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def head(response):
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.text.split("</head>")[0])
    return parser


def canonical(parsed):
    return next(link["href"] for link in parsed.links if link["rel"] == "canonical")


# Feeds


def test_agreement_feed_is_atom_newest_on_file_first(client):
    """Agreements come newest-added first, whatever date they were signed."""
    old_news = f.make_agreement(
        name_en="Signed 2021", signed_on=datetime.date(2021, 1, 1)
    )
    recent = f.make_agreement(
        name_en="Signed 2024", signed_on=datetime.date(2024, 1, 1)
    )
    middle = f.make_agreement(
        name_en="Signed 2023", signed_on=datetime.date(2023, 1, 1)
    )
    added_at(old_news, 20)
    added_at(recent, 5)
    added_at(middle, 10)
    _feed, entries = atom(client.get("/feeds/agreements/"))
    assert titles(entries) == ["Signed 2021", "Signed 2023", "Signed 2024"]


def test_feeds_leave_out_drafts_and_archived_records(client):
    """Only published agreements and projects reach the feeds."""
    f.make_agreement(name_en="Public agreement")
    f.make_agreement(name_en="Draft agreement", publication_status="draft")
    f.make_project(name_en="Public project")
    f.make_project(
        name_en="Archived project", publication_status=PublicationStatus.ARCHIVED
    )
    _feed, agreements = atom(client.get("/feeds/agreements/"))
    _feed, projects = atom(client.get("/feeds/projects/"))
    assert titles(agreements) == ["Public agreement"]
    assert titles(projects) == ["Public project"]


def test_feed_stops_at_its_length(client):
    """A feed carries the latest FEED_LENGTH records, not the whole table."""
    for day in range(FEED_LENGTH + 1):
        added_at(f.make_project(name_en=f"Project day {day}"), 1 + day % 28)
    _feed, entries = atom(client.get("/feeds/projects/"))
    assert len(entries) == FEED_LENGTH


def test_chinese_feed_has_chinese_titles_and_links(client):
    """The /zh-hans/ feed names records in Chinese and links their Chinese pages."""
    f.make_agreement(slug="sast", name_en="Strategic cooperation", name_zh="战略合作")
    f.make_agreement(slug="english-only", name_en="Only in English", name_zh="")
    feed, entries = atom(client.get("/zh-hans/feeds/agreements/"))
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hans"
    assert sorted(titles(entries)) == ["Only in English", "战略合作"]
    links = {entry.find(f"{ATOM}link").get("href") for entry in entries}
    assert links == {
        "http://testserver/zh-hans/agreements/sast/",
        "http://testserver/zh-hans/agreements/english-only/",
    }


def test_feed_entry_carries_summary_dates_and_public_district(client):
    """An entry has its escaped summary, both timestamps and its district's name."""
    district = f.make_district(name_en="Qingpu District")
    agreement = f.make_agreement(
        name_en="R&D <cooperation>", district=district, summary_en="Labs & parks"
    )
    created = added_at(agreement, 3)
    agreement.refresh_from_db()
    _feed, [entry] = atom(client.get("/feeds/agreements/"))
    assert entry.findtext(f"{ATOM}title") == "R&D <cooperation>"
    assert entry.findtext(f"{ATOM}summary") == "<p>Labs &amp; parks</p>"
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == (
        created
    )
    assert datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) == (
        agreement.updated_at
    )
    assert entry.find(f"{ATOM}link").get("href") == (
        f"http://testserver{agreement.get_absolute_url()}"
    )
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == [
        "Qingpu District"
    ]


def test_feed_never_names_an_unpublished_district(client):
    """A draft district is not given as a category, and no summary is invented."""
    secret = f.make_district(name_en="Secret District", publication_status="draft")
    f.make_project(district=secret, kind=Project.Kind.PLATFORM)
    response = client.get("/feeds/projects/")
    _feed, [entry] = atom(response)
    assert "Secret District" not in response.text
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Platform"]
    assert entry.find(f"{ATOM}summary") is None


def test_feed_costs_one_query_however_many_entries(client, django_assert_num_queries):
    """Districts come with the records, not one query per entry."""
    for _ in range(3):
        f.make_project(district=f.make_district(), summary_en="Summary")
    with django_assert_num_queries(CACHE_CHECK + 1):
        _feed, entries = atom(client.get("/feeds/projects/"))
    assert len(entries) == 3
    assert all(entry.find(f"{ATOM}category") is not None for entry in entries)


@pytest.mark.parametrize(
    ("prefix", "path"),
    [("", "/"), ("", "/experts/"), ("/zh-hans", "/zh-hans/projects/")],
)
def test_every_page_links_both_feeds_in_its_head(client, prefix, path):
    """Browsers and readers find the feeds, in the page's language, from any page."""
    feeds = {
        link["href"]
        for link in head(client.get(path)).links
        if link.get("type") == "application/atom+xml" and link["rel"] == "alternate"
    }
    assert feeds == {f"{prefix}/feeds/agreements/", f"{prefix}/feeds/projects/"}


@pytest.mark.parametrize("kind", ["agreements", "projects"])
def test_agreement_and_project_lists_show_a_feed_link(client, kind):
    """The list pages offer their feed as a visible link, not only in <head>."""
    body = client.get(f"/{kind}/").text.split("</head>")[1]
    assert f'<a href="/feeds/{kind}/" type="application/atom+xml">' in body


# Sitemap


def sitemap_urls(client):
    """Return {location: {hreflang: href}} from /sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    return {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href")
            for link in url.findall(f"{XHTML}link")
            if link.get("rel") == "alternate"
        }
        for url in root.findall(f"{SITEMAP}url")
    }


def one_public_record_of_each_kind():
    district = f.make_district()
    return [
        district,
        f.make_organization(district=district),
        f.make_agreement(),
        f.make_project(),
        f.make_workstation(district=district),
        f.make_expert(),
        f.make_entrepreneur(),
        f.make_source(),
    ]


def test_sitemap_lists_every_public_record_in_both_languages(client):
    """Each record appears in English and Chinese, each naming both and x-default."""
    records = one_public_record_of_each_kind()
    urls = sitemap_urls(client)
    for record in records:
        path = record.get_absolute_url()
        english = f"http://testserver{path}"
        chinese = f"http://testserver/zh-hans{path}"
        alternates = {"en": english, "zh-hans": chinese, "x-default": english}
        assert urls[english] == alternates
        assert urls[chinese] == alternates


def test_sitemap_lists_home_and_every_list_page(client):
    """The fixed pages are in the sitemap in both languages."""
    urls = sitemap_urls(client)
    for path in (
        "/",
        "/districts/",
        "/organizations/",
        "/agreements/",
        "/projects/",
        "/workstations/",
        "/experts/",
        "/entrepreneurs/",
        "/sources/",
    ):
        assert f"http://testserver{path}" in urls
        assert f"http://testserver/zh-hans{path}" in urls


@pytest.mark.parametrize(
    "status", [PublicationStatus.DRAFT, PublicationStatus.ARCHIVED]
)
def test_sitemap_leaves_out_unpublished_records(client, status):
    """Draft and archived records are never offered to search engines."""
    district = f.make_district(publication_status=status)
    hidden = [
        district,
        f.make_organization(publication_status=status),
        f.make_agreement(publication_status=status),
        f.make_project(publication_status=status),
        f.make_workstation(publication_status=status),
        f.make_expert(publication_status=status),
        f.make_entrepreneur(publication_status=status),
        f.make_source(publication_status=status),
    ]
    text = client.get("/sitemap.xml").text
    for record in hidden:
        assert record.get_absolute_url() not in text


def test_sitemap_gives_each_record_its_last_edit(client):
    """A record's <lastmod> is when it was last updated."""
    agreement = f.make_agreement()
    moment = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    Agreement.objects.filter(pk=agreement.pk).update(updated_at=moment)
    root = ET.fromstring(client.get("/sitemap.xml").content)
    lastmods = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }
    location = f"http://testserver{agreement.get_absolute_url()}"
    assert lastmods[location] == "2025-03-04"


def test_sitemap_costs_one_query_per_kind(client, django_assert_num_queries):
    """Each kind of record is listed with one query, however many records it has."""
    records = [r for _ in range(3) for r in one_public_record_of_each_kind()]
    record_sections = len(sitemaps.SITEMAPS) - 1  # all but the fixed pages
    with django_assert_num_queries(CACHE_CHECK + record_sections):
        urls = sitemap_urls(client)
    for record in records:
        assert f"http://testserver{record.get_absolute_url()}" in urls


# robots.txt


def test_robots_txt_allows_all_but_admin_and_names_the_sitemap(client):
    """Crawlers are kept out of the admin and told where the sitemap is."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_robots_txt_builds_the_sitemap_address_from_the_request(client):
    """Served over HTTPS on another host, robots.txt names that address."""
    response = client.get("/robots.txt", secure=True, headers={"host": "localhost"})
    assert "Sitemap: https://localhost/sitemap.xml" in response.text.splitlines()


# Titles, descriptions and Open Graph tags


def test_home_page_title_description_and_open_graph(client):
    """The home page describes the site, as a website, in its language."""
    parsed = head(client.get("/"))
    assert parsed.title == "The demonstration zone's talent programmes · talentzone"
    assert "Yangtze River Delta" in parsed.meta["description"]
    assert parsed.meta["og:description"] == parsed.meta["description"]
    assert parsed.meta["og:title"] == "The demonstration zone's talent programmes"
    assert parsed.meta["og:type"] == "website"
    assert parsed.meta["og:url"] == canonical(parsed) == "http://testserver/"
    assert parsed.meta["og:site_name"] == "talentzone"
    assert parsed.meta["og:locale"] == "en_US"
    assert parsed.meta["og:locale:alternate"] == "zh_CN"


def test_chinese_page_names_its_own_address_and_locale(client):
    """The Chinese page's canonical URL is its own, and its locale zh_CN."""
    parsed = head(client.get("/zh-hans/"))
    assert canonical(parsed) == parsed.meta["og:url"] == "http://testserver/zh-hans/"
    assert parsed.meta["og:locale"] == "zh_CN"
    assert parsed.meta["og:locale:alternate"] == "en_US"


def test_list_page_names_its_kind_and_the_unfiltered_list(client):
    """A filtered list describes its kind and names the bare list as canonical."""
    parsed = head(client.get("/projects/", {"q": "lab", "sort": "name_en"}))
    assert parsed.title == "Projects · talentzone"
    assert parsed.meta["og:title"] == "Projects"
    assert parsed.meta["description"].startswith("Projects in the talent programmes")
    assert parsed.meta["og:description"] == parsed.meta["description"]
    assert parsed.meta["og:type"] == "website"
    assert canonical(parsed) == parsed.meta["og:url"] == "http://testserver/projects/"


def test_detail_page_is_an_article_described_by_its_summary(client):
    """A record's page is an article whose description is its shortened summary."""
    summary = "First line of a long summary.\n" + "More detail. " * 30
    agreement = f.make_agreement(slug="sast", name_en="SAST cooperation")
    Agreement.objects.filter(pk=agreement.pk).update(summary_en=summary)
    parsed = head(client.get("/agreements/sast/", {"utm_source": "x"}))
    description = parsed.meta["description"]
    assert parsed.title == "SAST cooperation · talentzone"
    assert parsed.meta["og:title"] == "SAST cooperation"
    assert parsed.meta["og:type"] == "article"
    assert len(description) <= 160 and description.endswith("…")
    assert description.startswith("First line of a long summary. More detail.")
    assert parsed.meta["og:description"] == description
    assert canonical(parsed) == "http://testserver/agreements/sast/"


def test_detail_description_without_summary_names_kind_and_district(client):
    """With no summary, the description says what kind of record it is, and where."""
    district = f.make_district(name_en="Qingpu District")
    f.make_project(slug="lab", name_en="Smart lab", district=district)
    parsed = head(client.get("/projects/lab/"))
    assert parsed.meta["description"] == (
        "Project in Qingpu District: Smart lab, with the sources it comes from."
    )


@pytest.mark.parametrize(
    "make", [f.make_agreement, f.make_project, f.make_expert, f.make_entrepreneur]
)
def test_description_never_names_an_unpublished_district(client, make):
    """A draft district's name stays out of a record's description and tags."""
    secret = f.make_district(name_en="Secret District", publication_status="draft")
    record = make(district=secret)
    parsed = head(client.get(record.get_absolute_url()))
    assert "Secret District" not in str(parsed.meta)
    assert parsed.meta["description"].startswith(
        f"{record._meta.verbose_name.capitalize()}: {record.name_en}"
    )


def test_source_description_gives_its_date_never_its_staff_notes(client):
    """A source is described by its date and title; its staff notes stay hidden."""
    f.make_source(
        slug="report",
        title_en="SAST report",
        published_on=datetime.date(2023, 6, 16),
        notes="Internal: call the editor",
    )
    response = client.get("/sources/report/")
    parsed = head(response)
    assert (
        parsed.meta["description"] == "Source published on June 16, 2023: SAST report."
    )
    assert "Internal" not in response.text
